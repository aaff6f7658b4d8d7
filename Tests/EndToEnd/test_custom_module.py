"""A custom module declared in the configuration is a module like the built-in ones:
in the JSON API, the web UI, and (as a display module of a policy) the CRM folders."""
import time

import pytest
from imapclient import IMAPClient

from conftest import PASSWORD, Gateway, demo_gateway
from test_json_api import call

CONTRACTS = """
[[module]]
key = "contracts"
singular = "Contract"
plural = "Contracts"
number_prefix = "CON"
closed_field = "status"
closed_pattern = "Expired"
fields = [
  { key = "name", label = "Name", type = "text", required = true },
  { key = "status", label = "Status", type = "choice", choices = ["Draft", "Active", "Expired"], required = true },
  { key = "account", label = "Account", type = "reference", module = "accounts" },
]

[[policy]]
name = "everyone"
users = ["*"]
display_modules = ["opportunities", "contracts"]
"""


@pytest.fixture
def gw(tmp_path):
    gw = demo_gateway(tmp_path, CONTRACTS)
    gw.token = gw.cli("token", "create", "alice@example.com").stdout.strip()
    gw.start()
    yield gw
    gw.stop()


def test_custom_module_works_in_api_and_gets_crm_folders(gw):
    status, _, modules = call(gw, "GET", "/api/v1/modules")
    assert status == 200 and any(m.get("key") == "contracts" for m in modules["data"]), modules
    status, _, record = call(gw, "POST", "/api/v1/contracts", {"fields": {"name": "Support 2027", "status": "Active"}})
    assert status == 201 and record["number"] == "CON-0001", record
    status, _, error = call(gw, "POST", "/api/v1/contracts", {"fields": {"name": "Bad", "status": "Signed"}})
    assert status == 422 and error["error"]["field"] == "fields.status", error

    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=30)
    c.login("alice@example.com", PASSWORD)
    folder = "Embedded CRM/Contracts/Assign To/Support 2027 (CON-0001)"
    def shown():
        return (folder in [n for _, _, n in c.list_folders()]
                and c.folder_status("Embedded CRM/Contracts", [b"MESSAGES"])[b"MESSAGES"] == 1)
    deadline = time.time() + 10
    while time.time() < deadline and not shown():
        time.sleep(0.3)
    assert shown()
    call(gw, "PATCH", f"/api/v1/contracts/{record['id']}", {"fields": {"status": "Expired"}})
    deadline = time.time() + 10
    while time.time() < deadline and folder in [n for _, _, n in c.list_folders()]:
        time.sleep(0.3)
    assert folder not in [n for _, _, n in c.list_folders()]
    c.logout()


def test_bad_custom_module_stops_start_up_with_its_key(tmp_path):
    gw = Gateway(tmp_path, extra_config='[[module]]\nkey = "c"\nsingular = "C"\nplural = "Cs"\nfields = [{ key = "name", type = "blob" }]\n')
    result = gw.cli("user", "list")
    assert result.returncode != 0 and "module[1].fields[1].type" in result.stderr
