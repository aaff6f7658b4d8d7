"""The embedded CRM's JSON API against the real binary, with the Python standard library
only: list, create, patch and delete records, and the refusals (wrong token, unknown field)."""
import json
import urllib.error
import urllib.request

import pytest

from conftest import BIN, Gateway


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A gateway filled by `crmgate demo seed`, and an API token of alice's."""
    if not BIN:
        pytest.fail("CRMGATE_BIN is not set: run the suite with scripts/test")
    gw = Gateway(tmp_path_factory.mktemp("api"))
    seeded = gw.cli("demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    created = gw.cli("token", "create", "alice@example.com")
    assert created.returncode == 0, created.stderr
    gw.token = created.stdout.strip()
    assert gw.token.startswith("cgt_"), created.stdout
    gw.start()
    yield gw
    gw.stop()


def call(gw, method, path, body=None, token=None, raw=None):
    """One request; returns (status, headers, decoded JSON or None). `token` "" sends none."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(gw.web_url + path, data=data, method=method)
    token = gw.token if token is None else token
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, error.headers, error.read()
    return status, headers, (json.loads(payload) if payload else None)


def total(gw, module):
    status, _, listing = call(gw, "GET", f"/api/v1/{module}?limit=1")
    assert status == 200, listing
    return listing["total"]


def test_list_opportunities_pages_through_the_demo_data(api):
    status, headers, first = call(api, "GET", "/api/v1/opportunities?limit=10")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    # Alice has no policy, so the default scope "owned": her own opportunities only.
    assert first["total"] > 10 and first["limit"] == 10 and first["offset"] == 0
    assert len(first["data"]) == 10
    assert all(r["owner"]["email"] == "alice@example.com" for r in first["data"])
    assert headers["CRMGate-Scope"] == "owned"
    record = first["data"][0]
    assert record["module"] == "opportunities"
    assert record["number"].startswith("OPP-")
    assert set(record["owner"]) == {"id", "name", "email"}
    assert record["viewUrl"] == f"{api.web_url}/opportunities/{record['id']}"
    assert record["fields"]["stage"] in ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")

    _, _, second = call(api, "GET", "/api/v1/opportunities?limit=10&page=2")
    assert second["offset"] == 10
    assert not {r["id"] for r in first["data"]} & {r["id"] for r in second["data"]}
    # The next page's link (in the body and a Link header) leads to the same page.
    assert first["previous"] is None and first["next"].startswith(api.web_url + "/api/v1/opportunities?")
    assert headers["Link"] == f'<{first["next"]}>; rel="next"'
    _, _, linked = call(api, "GET", first["next"][len(api.web_url):])
    assert [r["id"] for r in linked["data"]] == [r["id"] for r in second["data"]]
    assert second["next"] is None and second["previous"].endswith("limit=10&offset=0")

    # Oldest change first is the same list back to front.
    _, _, everything = call(api, "GET", "/api/v1/opportunities?limit=500")
    _, _, oldest = call(api, "GET", "/api/v1/opportunities?limit=500&sort=modified")
    assert [r["id"] for r in oldest["data"]] == [r["id"] for r in reversed(everything["data"])]

    _, _, open_ones = call(api, "GET", "/api/v1/opportunities?state=open&limit=500")
    assert open_ones["data"] and not any(r["closed"] for r in open_ones["data"])


def test_contact_create_patch_delete(api):
    before = total(api, "contacts")
    _, _, accounts = call(api, "GET", "/api/v1/accounts?limit=1")
    account = accounts["data"][0]["id"]

    status, headers, contact = call(api, "POST", "/api/v1/contacts", {"fields": {
        "firstName": "Ada", "lastName": "Lovelace", "emails": ["ada@analytical.example"],
        "title": "Analyst", "account": account}})
    assert status == 201, contact
    assert headers["Location"] == f"{api.web_url}/api/v1/contacts/{contact['id']}"
    assert contact["owner"]["email"] == "alice@example.com"
    assert contact["fields"]["account"] == account
    assert total(api, "contacts") == before + 1

    status, _, fetched = call(api, "GET", f"/api/v1/contacts/{contact['id']}")
    assert status == 200 and fetched == contact

    status, _, patched = call(api, "PATCH", f"/api/v1/contacts/{contact['id']}",
                              {"fields": {"title": "Countess", "account": None}})
    assert status == 200, patched
    assert patched["fields"]["title"] == "Countess"
    assert patched["fields"]["account"] is None
    assert patched["fields"]["lastName"] == "Lovelace"

    status, _, body = call(api, "DELETE", f"/api/v1/contacts/{contact['id']}")
    assert status == 204 and body is None
    status, _, error = call(api, "GET", f"/api/v1/contacts/{contact['id']}")
    assert status == 404 and "message" in error["error"]
    assert total(api, "contacts") == before


def test_handing_a_record_to_another_owner_takes_it_out_of_the_scope(api):
    status, _, contact = call(api, "POST", "/api/v1/contacts", {"fields": {"lastName": "Byron"}})
    assert status == 201
    status, _, patched = call(api, "PATCH", f"/api/v1/contacts/{contact['id']}", {"owner": "bob@example.com"})
    assert status == 200 and patched["owner"]["email"] == "bob@example.com"
    # Alice's scope is "owned" (no policy: the default): bob's contact is now unknown to her.
    assert call(api, "GET", f"/api/v1/contacts/{contact['id']}")[0] == 404
    assert call(api, "DELETE", f"/api/v1/contacts/{contact['id']}")[0] == 404
    _, _, found = call(api, "GET", "/api/v1/contacts?q=Byron")
    assert found["total"] == 0


def test_wrong_token_is_refused_and_writes_nothing(api):
    before = total(api, "contacts")
    status, _, error = call(api, "POST", "/api/v1/contacts", {"fields": {"lastName": "Mallory"}},
                            token="cgt_not-a-real-token")
    assert status == 401
    assert "token" in error["error"]["message"]
    status, _, _ = call(api, "GET", "/api/v1/contacts", token="")
    assert status == 401
    assert total(api, "contacts") == before


def test_unknown_field_is_refused_with_its_name_and_writes_nothing(api):
    before = total(api, "contacts")
    status, _, error = call(api, "POST", "/api/v1/contacts", {"fields": {"lastName": "Babbage", "shoeSize": 44}})
    assert status == 400
    assert error["error"]["field"] == "fields.shoeSize"
    assert "shoeSize" in error["error"]["message"]
    status, _, error = call(api, "POST", "/api/v1/contacts", raw=b'{"fields": {"lastName": "Babbage",}}')
    assert status == 400 and "JSON" in error["error"]["message"]
    status, _, error = call(api, "POST", "/api/v1/contacts", {"fields": {"firstName": "Charles"}})
    assert status == 422 and error["error"]["field"] == "fields.lastName"
    assert total(api, "contacts") == before
