"""The CRM inside the mailbox: a demo user's CRM folder tree and summary emails, seen
with real clients, kept in step with CRM changes, and isolated between users."""
import email
import http.cookiejar
import json
import re
import time
import urllib.parse
import urllib.request

import pytest
from imapclient import IMAPClient, imap_utf7

from conftest import PASSWORD, demo_gateway
from test_mbsync import Mbsync, mbsync_version

POLICY = '[[policy]]\nname = "everyone"\nusers = ["*"]\n'
MASTER = "Embedded CRM"


def client(gw, user="alice@example.com"):
    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=30)
    c.login(user, PASSWORD)
    return c


def crm_folders(c):
    return sorted(name for _, _, name in c.list_folders() if name.startswith(MASTER))


@pytest.fixture
def crm(tmp_path):
    """A gateway with the demo CRM, one policy for everyone, and the demo users' mail
    passwords set to PASSWORD; waits until alice's CRM folders are there."""
    gw = demo_gateway(tmp_path, POLICY)
    gw.start()
    deadline = time.time() + 30
    c = client(gw)
    while time.time() < deadline and f"{MASTER}/Opportunities" not in crm_folders(c):
        time.sleep(0.3)
    c.logout()
    yield gw
    gw.stop()


def api(gw, method, path, token, body=None):
    request = urllib.request.Request(gw.web_url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def token(gw, user="alice@example.com"):
    result = gw.cli("token", "create", user)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def alice_open_opportunities(gw, tok):
    listing = api(gw, "GET", "/api/v1/opportunities?state=open&limit=500", tok)
    return [r for r in listing["data"] if r["owner"] and r["owner"]["email"] == "alice@example.com"]


def test_tree_has_drop_display_and_assign_to_folders_and_refuses_changes(crm):
    c = client(crm)
    names = crm_folders(c)
    for expected in [MASTER, f"{MASTER}/- Create New Email", f"{MASTER}/- Create New Opportunity",
                     f"{MASTER}/- Create New Case", f"{MASTER}/Opportunities/Assign To", f"{MASTER}/Cases/Assign To",
                     f"{MASTER}/Quotes", f"{MASTER}/Projects"]:
        assert expected in names
    tok = token(crm)
    opportunities = alice_open_opportunities(crm, tok)
    assign_to = [n for n in names if n.startswith(f"{MASTER}/Opportunities/Assign To/")]
    assert len(assign_to) == len(opportunities) > 0
    for record in opportunities:
        assert any(n.endswith(f"({record['number']})") for n in assign_to), record["number"]
    assert c.select_folder(f"{MASTER}/Opportunities")[b"EXISTS"] == len(opportunities)
    # Managed folders are refused with a reason, and stay.
    with pytest.raises(IMAPClient.Error, match="CANNOT"):
        c.delete_folder(f"{MASTER}/Opportunities")
    with pytest.raises(IMAPClient.Error, match="CANNOT"):
        c.rename_folder(assign_to[0], "Mine now")
    with pytest.raises(IMAPClient.Error, match="CANNOT"):
        c.append(f"{MASTER}/Opportunities", b"Subject: x\r\n\r\nx\r\n")
    assert crm_folders(c) == names
    c.logout()


def test_mbsync_syncs_the_whole_crm_tree_with_its_names(crm, tmp_path):
    c = client(crm)
    server = crm_folders(c)
    counts = {name: c.folder_status(name, [b"MESSAGES"])[b"MESSAGES"] for name in server}
    c.logout()
    sync = Mbsync(crm, tmp_path / "mbsync")
    sync.run()
    local = set(sync.local_folders())
    for name in server:
        wire = name if mbsync_version() >= (1, 5) else imap_utf7.encode(name).decode()
        assert wire in local, (wire, sorted(local)[:20])
        assert len([p for sub in ("cur", "new") for p in (sync.maildir / wire / sub).iterdir()]) == counts[name]
    assert any("Müller GmbH" in name for name in server), "the demo data has a non-ASCII account name"


def test_summary_has_text_and_html_parts_and_its_view_link_opens_the_record(crm):
    c = client(crm)
    c.select_folder(f"{MASTER}/Opportunities", readonly=True)
    uid = c.search(["ALL"])[0]
    raw = c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    c.logout()
    message = email.message_from_bytes(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_payload(decode=True).decode() for part in message.get_payload()}
    assert set(parts) == {"text/plain", "text/html"}
    view = re.search(r"View: (\S+)", parts["text/plain"]).group(1)
    assert view.startswith(crm.web_url + "/opportunities/") and f'href="{view}"' in parts["text/html"]
    # Follow the link as a signed-in user: the record's page.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(crm.web_url + "/signin", data=urllib.parse.urlencode(
        {"email": "alice@example.com", "password": PASSWORD, "next": "/"}).encode(), timeout=10)
    with opener.open(view, timeout=10) as page:
        assert page.status == 200
        html = page.read().decode()
    name = message["Subject"] and email.header.make_header(email.header.decode_header(message["Subject"]))
    assert str(name).split(" — ")[0].split(" · ")[0] in html


def idle_for(c, predicate, seconds):
    seen, deadline = [], time.time() + seconds
    while time.time() < deadline and not predicate(seen):
        seen += c.idle_check(timeout=0.5)
    return seen


def test_record_change_reaches_an_idle_client_as_expunge_and_exists_within_5s(crm):
    tok = token(crm)
    record = alice_open_opportunities(crm, tok)[0]
    c = client(crm)
    count = c.select_folder(f"{MASTER}/Opportunities")[b"EXISTS"]
    c.idle()
    started = time.time()
    api(crm, "PATCH", f"/api/v1/opportunities/{record['id']}", tok, {"fields": {"amount": 424242}})
    seen = idle_for(c, lambda r: any(x[1] == b"EXPUNGE" for x in r) and any(x[1] == b"EXISTS" for x in r), 5)
    elapsed = time.time() - started
    c.idle_done()
    assert any(x[1] == b"EXPUNGE" for x in seen) and (count, b"EXISTS") in seen, seen
    assert elapsed < 5
    uid = max(c.search(["ALL"]))
    body = c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    assert b"424,242" in body
    c.logout()


def test_closing_removes_and_reassigning_moves_summary_and_assign_to_folder(crm):
    tok = token(crm)
    closing, moving = alice_open_opportunities(crm, tok)[:2]
    api(crm, "PATCH", f"/api/v1/opportunities/{closing['id']}", tok, {"fields": {"stage": "Closed Won"}})
    api(crm, "PATCH", f"/api/v1/opportunities/{moving['id']}", tok, {"owner": "bob@example.com"})
    a, b = client(crm), client(crm, "bob@example.com")

    def bob_has_summary():
        b.select_folder(f"{MASTER}/Opportunities", readonly=True)
        headers = b.fetch(b.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (X-CRMGATE-RECORD)]"])
        return any(f"opportunities/{moving['id']}\r".encode() in v[b"BODY[HEADER.FIELDS (X-CRMGATE-RECORD)]"]
                   for v in headers.values())

    def settled():
        alice_names, bob_names = crm_folders(a), crm_folders(b)
        return (not any(closing["number"] in n or moving["number"] in n for n in alice_names)
                and any(moving["number"] in n for n in bob_names) and bob_has_summary())
    deadline = time.time() + 10
    while time.time() < deadline and not settled():
        time.sleep(0.3)
    alice_names = crm_folders(a)
    assert not any(closing["number"] in n for n in alice_names)
    assert not any(moving["number"] in n for n in alice_names)
    assert any(moving["number"] in n for n in crm_folders(b))
    assert bob_has_summary()
    a.logout()
    b.logout()


def test_users_cannot_reach_each_others_crm_folders(crm):
    a, b = client(crm), client(crm, "bob@example.com")
    alice_only = [n for n in crm_folders(a) if "/Assign To/" in n and n not in crm_folders(b)]
    assert alice_only
    target = alice_only[0]
    assert target not in [name for _, _, name in b.list_folders("", "*")]
    for attempt in (lambda: b.select_folder(target), lambda: b.folder_status(target, [b"MESSAGES"])):
        with pytest.raises(IMAPClient.Error, match="NONEXISTENT|does not exist"):
            attempt()
    b.select_folder("INBOX")
    b.append("INBOX", b"Subject: mine\r\n\r\nbody\r\n")
    b.select_folder("INBOX")
    with pytest.raises(IMAPClient.Error, match="TRYCREATE"):
        b.copy(b.search(["ALL"]), target)
    a.logout()
    b.logout()
