"""Drop folders with real clients: a mail moved into "- Create New Opportunity" becomes
exactly one opportunity with the mail archived to it, whatever way the client moves it."""
import json
import time
import urllib.request

import pytest
from imapclient import IMAPClient

from conftest import PASSWORD, demo_gateway

POLICY = '[[policy]]\nname = "everyone"\nusers = ["*"]\n'
DROP = "Embedded CRM/- Create New Opportunity"


def mail(subject, message_id):
    return (f"From: Ines Fischer <ines.fischer2@globex.example>\r\nTo: alice@example.com\r\nSubject: {subject}\r\n"
            f"Message-ID: <{message_id}@globex.example>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPlease quote.\r\n"
            "--b\r\nContent-Type: text/csv; name=items.csv\r\nContent-Disposition: attachment; filename=items.csv\r\n\r\n"
            "sku,qty\r\nA1,3\r\n--b--\r\n").encode()


@pytest.fixture
def gw(tmp_path):
    gw = demo_gateway(tmp_path, POLICY)
    gw.token = gw.cli("token", "create", "alice@example.com").stdout.strip()
    gw.start()
    c = client(gw)
    deadline = time.time() + 20
    while time.time() < deadline and DROP not in [n for _, _, n in c.list_folders()]:
        time.sleep(0.3)
    c.logout()
    yield gw
    gw.stop()


def client(gw):
    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=30)
    c.login("alice@example.com", PASSWORD)
    return c


def opportunities_named(gw, name):
    request = urllib.request.Request(gw.web_url + "/api/v1/opportunities?limit=500&q=" + urllib.request.quote(name),
                                     headers={"Authorization": f"Bearer {gw.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return [r for r in json.loads(response.read())["data"] if r["fields"]["name"] == name]


def wait_for(predicate, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_uid_move_creates_one_opportunity_and_returns_the_mail_marked_done(gw):
    c = client(gw)
    c.append("INBOX", mail("Re: Quote for 40 laptops", "m1"))
    c.select_folder("INBOX")
    uid = c.search(["SUBJECT", "40 laptops"])[0]
    c.move([uid], DROP)
    assert wait_for(lambda: len(opportunities_named(gw, "Quote for 40 laptops")) == 1)
    # Archived, then back in INBOX with $CRMDone, and gone from the drop folder.
    assert wait_for(lambda: c.noop() and len(c.search(["KEYWORD", "$CRMDone"])) == 1)
    assert c.folder_status(DROP, [b"MESSAGES"])[b"MESSAGES"] == 0
    assert len(opportunities_named(gw, "Quote for 40 laptops")) == 1
    c.logout()


def test_copy_store_expunge_and_append_each_create_exactly_one_record(gw):
    c = client(gw)
    c.append("INBOX", mail("Fwd: Support renewal 2027", "m2"))
    c.select_folder("INBOX")
    uid = c.search(["SUBJECT", "Support renewal"])[0]
    c.copy([uid], DROP)               # mutt's way: COPY, then \Deleted and EXPUNGE
    c.delete_messages([uid])
    c.expunge()
    c.append(DROP, mail("Data platform pilot", "m3"))   # mbsync's way: APPEND
    assert wait_for(lambda: len(opportunities_named(gw, "Support renewal 2027")) == 1
                    and len(opportunities_named(gw, "Data platform pilot")) == 1)
    # Dropping the same mail again makes no second record.
    c.append(DROP, mail("Data platform pilot", "m3"))
    time.sleep(2)
    assert len(opportunities_named(gw, "Data platform pilot")) == 1
    c.logout()


def test_status_shows_drops_per_account(gw):
    c = client(gw)
    c.append(DROP, mail("Status check", "m4"))
    c.append("Embedded CRM/- Create New Email",
             b"From: nobody@internal.example\r\nTo: alice@example.com\r\nSubject: x\r\n\r\nx\r\n")
    c.logout()
    assert wait_for(lambda: "alice@example.com" in gw.cli("status").stdout
                    and gw.cli("status").stdout.split("alice@example.com")[1].split()[:3] == ["0", "2", "0"])
    status = gw.cli("status").stdout
    assert "pending  done  failed" in status
