"""The policy's scope in the web UI (headless Chromium) and the JSON API, against the real
binary: alice's policy has scope "owned", so bob's records are neither listed nor readable,
editable or deletable by id; bob is an administrator ([web] admins), marked as such,
and reaches everything. The pages raise no console error under the Content-Security-Policy,
and a form whose CSRF token was tampered with is refused."""
import urllib.parse

import pytest

from test_json_api import call as api_call
from conftest import BIN, PASSWORD, demo_gateway
from test_web_ui import browser, click_and_load, sign_in  # noqa: F401  (the fixture and the helpers)

POLICIES = """
[[policy]]
name = "sales"
users = ["alice@example.com"]
scope = "owned"
[[policy]]
name = "office"
users = ["*"]
scope = "visible"
"""


@pytest.fixture(scope="module")
def gw(tmp_path_factory):
    if not BIN:
        pytest.fail("CRMGATE_BIN is not set: run the suite with scripts/test")
    gateway = demo_gateway(tmp_path_factory.mktemp("scopes"), POLICIES, web_admins=["Bob@example.com"])
    gateway.tokens = {}
    for user in ("alice@example.com", "bob@example.com"):
        created = gateway.cli("token", "create", user)
        assert created.returncode == 0, created.stderr
        gateway.tokens[user] = created.stdout.strip()
    gateway.start()
    yield gateway
    gateway.stop()


def call(gw, user, method, path, body=None):
    """test_json_api's call with `user`'s token."""
    return api_call(gw, method, path, body, token=gw.tokens[user])


def owned_by(gw, module, email):
    """Every record of `module` owned by `email`, as the administrator lists them."""
    _, _, listing = call(gw, "bob@example.com", "GET", f"/api/v1/{module}?owner={urllib.parse.quote(email)}&limit=500")
    return listing["data"]


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_api_scope_for_every_verb(gw):
    alice, bob = "alice@example.com", "bob@example.com"
    for module in ("opportunities", "accounts"):
        theirs = owned_by(gw, module, bob)
        assert theirs, f"the demo data gives bob {module}"
        record = theirs[0]
        path = f"/api/v1/{module}/{record['id']}"
        assert call(gw, alice, "GET", path)[0] == 404
        assert call(gw, alice, "PATCH", path, {"fields": {"name": "Taken over"}})[0] == 404
        assert call(gw, alice, "DELETE", path)[0] == 404
        assert call(gw, alice, "GET", path + "/emails")[0] == 404
        status, headers, listing = call(gw, alice, "GET", f"/api/v1/{module}?limit=500")
        assert status == 200 and headers["CRMGate-Scope"] == "owned"
        assert listing["data"] and all(r["owner"]["email"] == alice for r in listing["data"])
        name = record["fields"].get("name") or ""
        if name:
            _, _, found = call(gw, alice, "GET", f"/api/v1/{module}?q={urllib.parse.quote(name)}")
            assert record["id"] not in {r["id"] for r in found["data"]}
        # Unchanged, and still there for the administrator, who is marked as one.
        status, headers, same = call(gw, bob, "GET", path)
        assert status == 200 and headers["CRMGate-Scope"] == "all"
        assert same["fields"] == record["fields"]


def test_browser_scope_csp_and_csrf(gw, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    theirs = owned_by(gw, "opportunities", "bob@example.com")[0]
    bobs_account = owned_by(gw, "accounts", "bob@example.com")[0]

    browser.get(gw.web_url + "/accounts?owner=all&state=all")
    sign_in(browser, "alice@example.com", PASSWORD)
    WebDriverWait(browser, 10).until(lambda d: urllib.parse.urlsplit(d.current_url).path == "/accounts")
    # Only "Mine" is offered, and every listed account is alice's.
    assert [o.text for o in browser.find_elements(By.CSS_SELECTOR, "select[name=owner] option")] == ["Mine"]
    owners = [row.find_elements(By.TAG_NAME, "td")[-2].text for row in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")]
    assert owners and set(owners) == {"Alice Martin"}, owners
    assert not browser.find_elements(By.CSS_SELECTOR, ".badge.admin")

    for path in (f"/opportunities/{theirs['id']}", f"/opportunities/{theirs['id']}/edit", f"/accounts/{bobs_account['id']}"):
        browser.get(gw.web_url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not found", path
        assert theirs["fields"]["name"] not in browser.page_source

    # A form whose token was altered is refused, and nothing changes.
    mine = owned_by(gw, "opportunities", "alice@example.com")[0]
    browser.get(gw.web_url + f"/opportunities/{mine['id']}/edit")
    browser.execute_script("document.querySelector('form.record-form input[name=csrf]').value = '0'.repeat(64)")
    name = browser.find_element(By.NAME, "f.name")
    name.clear()
    name.send_keys("Forged name")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.record-form button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Form not accepted"
    status, _, again = call(gw, "alice@example.com", "GET", f"/api/v1/opportunities/{mine['id']}")
    assert status == 200 and again["fields"]["name"] == mine["fields"]["name"]

    # Pages render under the CSP without a single console error (no inline style or script);
    # reading the log empties it, so the refused form's 403 above is not counted.
    browser.get_log("browser")
    for path in ("/", "/opportunities", f"/opportunities/{mine['id']}", f"/opportunities/{mine['id']}/edit"):
        browser.get(gw.web_url + path)
        assert browser.find_element(By.CSS_SELECTOR, "header .brand")
    assert console_errors(browser) == []

    # Signing out is a form with the token: it works from the page.
    browser.find_element(By.CSS_SELECTOR, "form[action='/signout'] button").click()
    WebDriverWait(browser, 10).until(lambda d: urllib.parse.urlsplit(d.current_url).path == "/signin")

    # The administrator is marked and reaches bob's and alice's records alike.
    sign_in(browser, "bob@example.com", PASSWORD)
    WebDriverWait(browser, 10).until(lambda d: urllib.parse.urlsplit(d.current_url).path == "/")
    assert browser.find_element(By.CSS_SELECTOR, ".badge.admin").text == "admin"
    browser.get(gw.web_url + f"/opportunities/{mine['id']}")
    assert mine["fields"]["name"] in browser.find_element(By.TAG_NAME, "h1").text
    assert console_errors(browser) == []
