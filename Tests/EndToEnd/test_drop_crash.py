"""Crash at each step of a drop: the gateway kills itself with SIGKILL (CRMGATE_CRASH_AT)
right after the client's MOVE was answered, after matching created the contact, after the
record was created, after the mail was archived, and just before the message is returned.
After a restart every drop completes exactly once: one contact, one account, one
opportunity, one archived copy, and the message back in INBOX marked $CRMDone."""
import json
import time
import urllib.parse
import urllib.request

import pytest

from conftest import demo_gateway
from test_drops import DROP, POLICY, client, wait_for

POINTS = ["drop-before-processing", "drop-after-match", "drop-after-create", "drop-after-archive", "drop-before-return"]

MAIL = ("From: Nora Quint <nora.quint@quintech.example>\r\nTo: alice@example.com\r\nSubject: Re: Crash-proof rollout\r\n"
        "Message-ID: <crash-1@quintech.example>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPlease proceed.\r\n"
        "--b\r\nContent-Type: text/plain; name=plan.txt\r\nContent-Disposition: attachment; filename=plan.txt\r\n\r\n"
        "step 1\r\n--b--\r\n").encode()


def api(gw, path):
    request = urllib.request.Request(gw.web_url + "/api/v1/" + path, headers={"Authorization": f"Bearer {gw.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def named(gw, module, name):
    """Records of the module whose name (fields name, or first and last name) is `name`."""
    def name_of(record):
        fields = record["fields"]
        return fields.get("name") or " ".join(filter(None, [fields.get("firstName"), fields.get("lastName")]))
    return [r for r in api(gw, f"{module}?limit=500&q=" + urllib.parse.quote(name.split()[-1])) if name_of(r) == name]


@pytest.mark.parametrize("point", POINTS)
def test_a_drop_killed_at_any_step_completes_exactly_once_after_restart(tmp_path, point):
    gw = demo_gateway(tmp_path, POLICY)
    gw.token = gw.cli("token", "create", "alice@example.com").stdout.strip()
    gw.start(env={"CRMGATE_CRASH_AT": point})
    try:
        c = client(gw)
        assert wait_for(lambda: DROP in [n for _, _, n in c.list_folders()], 20)
        c.append("INBOX", MAIL)
        c.select_folder("INBOX")
        c.move(c.search(["SUBJECT", "Crash-proof"]), DROP)   # OK received: the drop is durable
        gw.proc.wait(timeout=30)
        assert gw.proc.returncode == -9, f"the gateway was not killed at {point}"
        assert f"CRMGATE_CRASH_AT={point} reached" in gw.log_text()

        gw.start()
        assert wait_for(lambda: len(named(gw, "opportunities", "Crash-proof rollout")) == 1, 20)
        c = client(gw)
        c.select_folder("INBOX")
        assert wait_for(lambda: c.noop() is not None and len(c.search(["KEYWORD", "$CRMDone"])) == 1, 20)
        assert c.folder_status(DROP, [b"MESSAGES"])[b"MESSAGES"] == 0
        c.logout()
        time.sleep(1)  # anything left over would have run by now
        deal = named(gw, "opportunities", "Crash-proof rollout")
        assert len(deal) == 1
        assert len(named(gw, "contacts", "Nora Quint")) == 1
        assert len(named(gw, "accounts", "Quintech")) == 1
        emails = api(gw, f"opportunities/{deal[0]['id']}/emails")
        assert len(emails) == 1 and [a["filename"] for a in emails[0]["attachments"]] == ["plan.txt"]
    finally:
        gw.stop()
