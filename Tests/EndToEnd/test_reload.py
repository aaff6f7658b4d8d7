"""crmgate reload (SIGHUP) applies policy changes without dropping connections and keeps
the running configuration when the new file has a mistake."""
import os
import signal
import time

from imapclient import IMAPClient

from conftest import PASSWORD, Gateway, demo_gateway
from test_json_api import call

POLICY = '[[policy]]\nname = "everyone"\nusers = ["*"]\ndisplay_modules = ["opportunities"]\n'


def folders(c):
    return [name for _, _, name in c.list_folders()]


def test_reload_adds_a_display_module_and_keeps_connections(tmp_path):
    gw = demo_gateway(tmp_path, POLICY)
    gw.start()
    try:
        c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=30)
        c.login("alice@example.com", PASSWORD)
        deadline = time.time() + 15
        while time.time() < deadline and "Embedded CRM/Opportunities" not in folders(c):
            time.sleep(0.3)
        assert "Embedded CRM/Cases" not in folders(c)

        text = gw.config.read_text()
        gw.config.write_text(text.replace('display_modules = ["opportunities"]', 'display_modules = ["opportunities", "cases"]'))
        result = gw.cli("reload")
        assert result.returncode == 0, result.stderr
        deadline = time.time() + 15
        while time.time() < deadline and "Embedded CRM/Cases" not in folders(c):
            time.sleep(0.3)
        assert "Embedded CRM/Cases" in folders(c)
        assert "configuration reloaded" in gw.log_text()

        gw.config.write_text(gw.config.read_text() + "\n[imap]\nbogus = 1\n")
        assert gw.cli("reload").returncode != 0  # the CLI itself reads the file first and refuses
        gw.config.write_text(text + "\n[[policy]]\nname = \"everyone\"\nusers = [\"*\"]\n")
        # Written behind the CLI's back: the server must refuse it and keep running.
        os.kill(int((tmp_path / "data" / "crmgate.pid").read_text()), signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and "configuration not reloaded" not in gw.log_text():
            time.sleep(0.2)
        assert "configuration not reloaded" in gw.log_text()
        assert b"NOOP completed" in c.noop()[0]  # the connection from before both reloads still works
        assert "Embedded CRM/Cases" in folders(c)
        c.logout()
    finally:
        gw.stop()
    assert not (tmp_path / "data" / "crmgate.pid").exists()


def test_reload_makes_an_account_a_web_administrator_without_a_restart(tmp_path):
    gw = demo_gateway(tmp_path, POLICY)
    created = gw.cli("token", "create", "alice@example.com")
    assert created.returncode == 0, created.stderr
    gw.token = created.stdout.strip()
    gw.start()
    try:
        status, headers, _ = call(gw, "GET", "/api/v1/opportunities")
        assert status == 200 and headers["CRMGate-Scope"] == "owned"
        gw.config.write_text(gw.config.read_text().replace("admins = []", 'admins = ["alice@example.com"]'))
        assert gw.cli("reload").returncode == 0
        deadline = time.time() + 10
        while time.time() < deadline and call(gw, "GET", "/api/v1/opportunities")[1]["CRMGate-Scope"] != "all":
            time.sleep(0.2)
        assert call(gw, "GET", "/api/v1/opportunities")[1]["CRMGate-Scope"] == "all"
        assert "only after a restart" not in gw.log_text()
    finally:
        gw.stop()


def test_reload_without_a_running_server_says_so(tmp_path):
    gw = Gateway(tmp_path)
    result = gw.cli("reload")
    assert result.returncode != 0 and "does not seem to be running" in result.stderr
