"""Crash at each step of a drop: the gateway kills itself with SIGKILL (CRMGATE_CRASH_AT)
right after the client's MOVE was answered, after matching created the contact, after the
record was created, after the mail was archived, and just before the message is returned.
After a restart every drop completes exactly once: one contact, one account, one
opportunity, one archived copy, and the message back in INBOX marked $CRMDone."""
import time

import pytest

from conftest import demo_gateway
from drophelpers import API, wait_for
from test_drops import DROP, POLICY, client

POINTS = ["drop-before-processing", "drop-after-match", "drop-after-create", "drop-after-archive", "drop-before-return"]

MAIL = ("From: Nora Quint <nora.quint@quintech.example>\r\nTo: alice@example.com\r\nSubject: Re: Crash-proof rollout\r\n"
        "Message-ID: <crash-1@quintech.example>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPlease proceed.\r\n"
        "--b\r\nContent-Type: text/plain; name=plan.txt\r\nContent-Disposition: attachment; filename=plan.txt\r\n\r\n"
        "step 1\r\n--b--\r\n").encode()


@pytest.mark.parametrize("point", POINTS)
def test_a_drop_killed_at_any_step_completes_exactly_once_after_restart(tmp_path, point):
    gw = demo_gateway(tmp_path, POLICY)
    api = API(gw, gw.cli("token", "create", "alice@example.com").stdout.strip())
    deals = lambda: api.named("opportunities", "Crash-proof rollout")
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
        assert wait_for(lambda: len(deals()) == 1, 20)
        c = client(gw)
        c.select_folder("INBOX")
        assert wait_for(lambda: c.noop() is not None and len(c.search(["KEYWORD", "$CRMDone"])) == 1, 20)
        assert c.folder_status(DROP, [b"MESSAGES"])[b"MESSAGES"] == 0
        c.logout()
        time.sleep(1)  # anything left over would have run by now
        deal = deals()
        assert len(deal) == 1
        assert [r["fields"]["lastName"] for r in api.records("contacts") if "nora.quint@quintech.example" in r["fields"]["emails"]] == ["Quint"]
        assert len(api.named("accounts", "Quintech")) == 1
        emails = api.emails_of("opportunities", deal[0]["id"])
        assert len(emails) == 1 and [a["filename"] for a in emails[0]["attachments"]] == ["plan.txt"]
    finally:
        gw.stop()
