"""Proxy mode against a real Dovecot: logging in through it, one namespace with the CRM
tree, relayed commands, IDLE, CONDSTORE/QRESYNC, names with spaces and non-ASCII, TLS to
the upstream, and what the client sees when the upstream fails."""
import imaplib
import re
import time

import pytest
from imapclient.exceptions import LoginError

import dovecot
from conftest import PASSWORD, Gateway, demo_gateway, imap_client
from drophelpers import CRM_FOLDER, DROP_OPPORTUNITY, drop_gateway, policy

pytestmark = pytest.mark.skipif(not dovecot.installed(), reason="needs dovecot-imapd (scripts/test installs it)")


@pytest.fixture
def upstream(tmp_path):
    with dovecot.Dovecot(tmp_path / "up") as d:
        yield d


@pytest.fixture
def proxy(tmp_path, upstream):
    """A demo gateway with the default CRM policy in front of the Dovecot."""
    with drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        gw.upstream = upstream
        yield gw


def names(c):
    return [name for _, _, name in c.list_folders()]


def test_login_shows_upstream_folders_and_the_crm_tree_as_one_namespace(proxy):
    direct = proxy.upstream.client()
    direct.create_folder("Projects/Acme")
    direct.logout()
    c = imap_client(proxy)
    listed = names(c)
    assert listed.count("INBOX") == 1, listed
    for expected in ("Sent", "Drafts", "Trash", "Projects", "Projects/Acme", CRM_FOLDER, DROP_OPPORTUNITY):
        assert expected in listed, listed
    # The demo accounts' own local mailboxes are not shown beside the upstream's: one of each.
    assert all(listed.count(name) == 1 for name in ("Sent", "Junk", "Archive")), listed
    flags = {name: f for f, _, name in c.list_folders()}
    assert b"\\Sent" in flags["Sent"]
    assert all(delimiter == b"/" for _, delimiter, _ in c.list_folders())
    subscribed = [name for _, _, name in c.list_sub_folders()]
    assert "Sent" in subscribed
    c.logout()


def test_wrong_password_is_authenticationfailed_and_unknown_upstream_is_unavailable(proxy, upstream):
    m = imaplib.IMAP4_SSL(proxy.host, proxy.tls_port, ssl_context=proxy.tls_context())
    with pytest.raises(imaplib.IMAP4.error) as refused:
        m.login("alice@example.com", "not the password")
    assert "AUTHENTICATIONFAILED" in str(refused.value)
    m.logout()
    upstream.stop()
    m = imaplib.IMAP4_SSL(proxy.host, proxy.tls_port, ssl_context=proxy.tls_context())
    with pytest.raises(imaplib.IMAP4.error) as unavailable:
        m.login("alice@example.com", PASSWORD)
    assert "UNAVAILABLE" in str(unavailable.value)
    m.logout()
    assert "upstream unreachable at login" in proxy.log_text()
    upstream.start()
    imap_client(proxy).logout()


def test_commands_on_upstream_mailboxes_reach_the_upstream(proxy):
    c = imap_client(proxy)
    c.append("INBOX", b"Subject: one\r\nMessage-ID: <one@example.org>\r\n\r\nfirst\r\n")
    c.append("INBOX", b"Subject: two\r\nMessage-ID: <two@example.org>\r\n\r\nsecond\r\n")
    c.select_folder("INBOX")
    uids = c.search(["SUBJECT", "two"])
    assert len(uids) == 1
    fetched = c.fetch(uids, ["BODY[]", "FLAGS", "ENVELOPE"])
    assert fetched[uids[0]][b"BODY[]"].endswith(b"second\r\n")
    c.add_flags(uids, [b"\\Flagged", b"$Customer"])
    c.delete_messages(c.search(["SUBJECT", "one"]))
    c.expunge()
    c.logout()
    direct = proxy.upstream.client()
    direct.select_folder("INBOX")
    left = direct.fetch(direct.search(["ALL"]), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    assert len(left) == 1
    (data,) = left.values()
    assert b"two" in data[b"BODY[HEADER.FIELDS (SUBJECT)]"]
    assert {b"\\Flagged", b"$Customer"} <= set(data[b"FLAGS"])
    direct.logout()


def test_folder_names_with_spaces_and_non_ascii_round_trip(proxy):
    c = imap_client(proxy)
    for name in ("Kunden Ångström", "Projekte/Über uns", "報告"):
        c.create_folder(name)
        c.append(name, b"Subject: x\r\n\r\ny\r\n")
        assert c.folder_status(name, ["MESSAGES"])[b"MESSAGES"] == 1
    listed = names(c)
    assert {"Kunden Ångström", "Projekte/Über uns", "報告"} <= set(listed)
    c.rename_folder("Kunden Ångström", "Kunden Ärzte")
    c.delete_folder("報告")
    c.logout()
    direct = proxy.upstream.client()
    upstream_names = names(direct)
    assert "Kunden Ärzte" in upstream_names and "Projekte/Über uns" in upstream_names
    assert "報告" not in upstream_names and "Kunden Ångström" not in upstream_names
    direct.logout()
    # UTF8=ACCEPT is offered only when the upstream offers it (Dovecot 2.3 does not): then
    # names travel as UTF-8, else ENABLE turns nothing on and they stay modified UTF-7.
    m = imaplib.IMAP4_SSL(proxy.host, proxy.tls_port, ssl_context=proxy.tls_context())
    typ, data = m.login("alice@example.com", PASSWORD)
    offered = b"UTF8=ACCEPT" in data[0]
    typ, enabled = m._simple_command("ENABLE", "UTF8=ACCEPT")
    assert typ == "OK"
    typ, data = m.list('""', '"Kunden*"')
    expected = "Kunden Ärzte".encode() if offered else b"Kunden &AMQ-rzte"
    assert typ == "OK" and expected in b"".join(data), data
    m.logout()


def test_idle_hears_mail_that_another_client_delivers_upstream(proxy):
    c = imap_client(proxy)
    c.select_folder("INBOX")
    c.idle()
    time.sleep(0.3)
    direct = proxy.upstream.client("alice@example.com")
    direct.append("INBOX", b"Subject: while idling\r\n\r\nhello\r\n")
    direct.logout()
    responses = c.idle_check(timeout=10)
    c.idle_done()
    assert any(r[1] == b"EXISTS" for r in responses if len(r) > 1), responses
    c.logout()


def test_condstore_and_qresync_resynchronise_through_the_proxy(proxy):
    c = imap_client(proxy)
    for i in range(3):
        c.append("INBOX", f"Subject: m{i}\r\n\r\nbody\r\n".encode())
    c.enable("QRESYNC")
    info = c.select_folder("INBOX")
    modseq = info[b"HIGHESTMODSEQ"]
    uidvalidity = info[b"UIDVALIDITY"]
    uids = c.search(["ALL"])
    c.add_flags(uids[:1], [b"\\Seen"])
    c.delete_messages(uids[1:2])
    c.expunge()
    c.unselect_folder()
    tag = c._imap._command("SELECT", "INBOX", f"(QRESYNC ({uidvalidity} {modseq}))")
    typ, _ = c._imap._command_complete("SELECT", tag)
    assert typ == "OK"
    untagged = c._imap.untagged_responses
    assert any(b"VANISHED (EARLIER)" in line for line in untagged.get("VANISHED", [b""]) if isinstance(line, bytes)) or \
        "VANISHED" in untagged, untagged
    fetch = c.fetch(uids[:1], ["FLAGS", "MODSEQ"])
    assert b"\\Seen" in fetch[uids[0]][b"FLAGS"] and fetch[uids[0]][b"MODSEQ"][0] > modseq
    c.logout()


def test_crm_folders_stay_local_and_drop_folders_work_in_proxy_mode(proxy):
    c = imap_client(proxy)
    c.select_folder(DROP_OPPORTUNITY)
    assert c.folder_status(CRM_FOLDER + "/Opportunities", ["MESSAGES"])[b"MESSAGES"] > 0
    c.select_folder("INBOX")
    c.select_folder(CRM_FOLDER + "/Opportunities", readonly=True)
    assert c.search(["ALL"])
    c.logout()
    direct = proxy.upstream.client()
    assert not any(n.startswith(CRM_FOLDER) for n in names(direct))
    direct.logout()


def test_a_folder_named_like_the_crm_tree_upstream_is_reported_not_silently_shadowed(proxy):
    direct = proxy.upstream.client()
    direct.create_folder(CRM_FOLDER)
    direct.logout()
    m = imaplib.IMAP4_SSL(proxy.host, proxy.tls_port, ssl_context=proxy.tls_context())
    m.login("alice@example.com", PASSWORD)
    typ, data = m.list()
    assert typ == "OK"
    assert m.untagged_responses.get("NO"), m.untagged_responses
    assert b"rename the folder on your mail server" in b" ".join(m.untagged_responses["NO"])
    m.logout()


def test_upstream_killed_mid_session_gives_bye_and_the_next_login_works_again(proxy, upstream):
    c = imap_client(proxy)
    c.select_folder("INBOX")
    upstream.kill()
    with pytest.raises(Exception):
        c.noop()
        c.noop()
    upstream.start()
    c = imap_client(proxy)
    c.select_folder(DROP_OPPORTUNITY)
    c.select_folder("INBOX")
    c.logout()
    assert "Lost the connection to your mail server" in proxy.log_text() or "upstream connection lost" in proxy.log_text()


@pytest.mark.parametrize("mode", ["imaps", "starttls", "none"])
def test_tls_modes_to_the_upstream(tmp_path, upstream, mode):
    root = tmp_path / "gw"
    root.mkdir()
    gw = demo_gateway(root, upstream.upstream_config(tls=mode, ca=mode != "none"))
    gw.start()
    try:
        c = imap_client(gw)
        assert "INBOX" in names(c)
        c.logout()
    finally:
        gw.stop()


def test_upstream_certificate_from_a_private_ca_is_refused_without_ca_file(tmp_path, upstream):
    root = tmp_path / "gw"
    root.mkdir()
    gw = demo_gateway(root, upstream.upstream_config(ca=False))
    gw.start()
    try:
        with pytest.raises(LoginError) as refused:
            imap_client(gw)
        assert "UNAVAILABLE" in str(refused.value)
        assert "certificate" in gw.log_text().lower()
    finally:
        gw.stop()


def test_plaintext_upstream_needs_to_be_loopback_or_explicit(tmp_path):
    root = tmp_path / "gw"
    root.mkdir()
    gw = Gateway(root, extra_config='[upstream]\nhost = "mail.example.com"\ntls = "none"\n')
    result = gw.cli("user", "list")
    assert result.returncode != 0
    assert "allow_plaintext" in result.stderr


def peak_rss_kib(pid):
    """The process's peak resident memory so far (VmHWM), in KiB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_20_mb_message_is_appended_and_fetched_without_crmgate_holding_it(proxy):
    size = 20 * 1024 * 1024
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd\r\n"
    raw = b"Subject: big\r\nMessage-ID: <big@example.org>\r\n\r\n" + line * (size // len(line))
    c = imap_client(proxy)
    # Warm up with a small message: first use grows buffers and pools whatever the size.
    c.append("INBOX", b"Subject: warm-up\r\n\r\n" + line * 70_000)
    c.select_folder("INBOX")
    c.fetch("1:*", ["BODY.PEEK[]"])
    before = peak_rss_kib(proxy.proc.pid)
    c.append("INBOX", raw)
    c.select_folder("INBOX")
    [uid] = c.search(["HEADER", "Message-ID", "<big@example.org>"])
    fetched = c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    after = peak_rss_kib(proxy.proc.pid)
    c.logout()
    assert fetched == raw
    direct = proxy.upstream.client()
    direct.select_folder("INBOX", readonly=True)
    assert direct.fetch(direct.search(["HEADER", "Message-ID", "<big@example.org>"]), ["RFC822.SIZE"]).popitem()[1][b"RFC822.SIZE"] == len(raw)
    direct.logout()
    grown_mib = (after - before) / 1024
    # Buffered, the message made the peak grow by 99 MiB; streamed, by 4-11 MiB of pools and
    # buffers whatever the size (a 40 MiB message no more than a 5 MiB one). Less than the
    # message's own size means it was never held whole.
    assert grown_mib < 0.8 * len(raw) / 2**20, f"crmgate's peak memory grew by {grown_mib:.1f} MiB for a {len(raw) / 2**20:.0f} MiB message"


def test_pipelined_commands_go_upstream_together_and_all_are_answered(proxy):
    c = imap_client(proxy)
    for i in range(3):
        c.append("INBOX", f"Subject: p{i}\r\n\r\nbody {i}\r\n".encode())
    c.logout()
    from rawimap import RawIMAP
    raw = RawIMAP(proxy, "alice@example.com", dovecot.PASSWORD)
    raw.ok("SELECT INBOX")
    burst = b"".join([b"p1 FETCH 1 (BODY.PEEK[TEXT])\r\n", b"p2 NOOP\r\n", b"p3 UID SEARCH ALL\r\n",
                      b"p4 STORE 2 +FLAGS (\\Flagged)\r\n", b"p5 LIST \"\" \"Embedded CRM\"\r\n", b"p6 FETCH 3 (FLAGS)\r\n"])
    raw.sock.sendall(burst)
    tags = []
    lines = []
    while len(tags) < 6:
        line = raw.read_response()
        lines.append(line)
        if not line.startswith(b"*"):
            tags.append(line.split()[0])
            assert b" OK " in line, lines
    # Dovecot works on pipelined commands at once and may complete them out of order (RFC 9051
    # §5.5); through crmgate the client sees them as Dovecot completes them.
    assert sorted(tags) == [b"p1", b"p2", b"p3", b"p4", b"p5", b"p6"] and tags[4:] == [b"p5", b"p6"], tags
    text = b"".join(lines)
    assert b"body 0" in text and b"\\Flagged" in text and b'"Embedded CRM"' in text
    raw.close()
    # p1-p4 went to Dovecot as one pipeline; the LIST (the CRM tree's too) ended it.
    import re
    pipelined = re.findall(r"pipelined=true.*tag=(p\d)", proxy.log_text())
    assert pipelined == ["p1", "p2", "p3", "p4"], pipelined


def test_a_slow_upstream_does_not_hold_up_other_users(tmp_path):
    """An upstream that accepts and never greets (no real server does that on demand): alice's
    login waits for connect_timeout, while bob, served locally, works at full speed."""
    import socket
    import threading
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except OSError:
                pass
    threading.Thread(target=accept, daemon=True).start()
    root = tmp_path / "gw"
    root.mkdir()
    port = silent.getsockname()[1]
    gw = Gateway(root, extra_config=f'[upstream]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\nconnect_timeout = 4\n'
                                    'users = ["alice@example.com"]\n')
    gw.add_user("bob@example.com")
    gw.start()
    try:
        outcome = {}

        def alice():
            try:
                imap_client(gw, "alice@example.com")
                outcome["alice"] = "logged in"
            except LoginError as error:
                outcome["alice"] = str(error)
        waiting = [threading.Thread(target=alice) for _ in range(5)]
        began = time.time()
        for t in waiting:
            t.start()
        time.sleep(0.5)
        c = imap_client(gw, "bob@example.com")
        quick = time.time()
        for _ in range(20):
            c.noop()
        c.select_folder("INBOX")
        c.logout()
        bob_took = time.time() - quick
        for t in waiting:
            t.join()
        assert bob_took < 2, bob_took
        assert "UNAVAILABLE" in outcome["alice"] and time.time() - began >= 4
    finally:
        stop.set()
        gw.stop()
        for s in held:
            s.close()
        silent.close()


def test_an_upstream_with_dot_as_delimiter_shows_slashes(tmp_path):
    with dovecot.Dovecot(tmp_path / "up", separator=".") as upstream:
        direct = upstream.client()
        direct.create_folder("Projects.Acme")
        direct.logout()
        root = tmp_path / "gw"
        root.mkdir()
        gw = Gateway(root, extra_config=upstream.upstream_config())
        gw.start()
        try:
            c = imap_client(gw)
            assert all(delimiter == b"/" for _, delimiter, _ in c.list_folders())
            assert "Projects/Acme" in names(c)
            c.create_folder("Projects/Beta")
            c.append("Projects/Beta", b"Subject: x\r\n\r\ny\r\n")
            c.select_folder("Projects/Beta")
            assert len(c.search(["ALL"])) == 1
            with pytest.raises(Exception) as refused:
                c.create_folder("Version 1.2")
            assert "separate folder levels" in str(refused.value)
            c.logout()
            direct = upstream.client()
            assert "Projects.Beta" in names(direct)
            direct.logout()
        finally:
            gw.stop()


def test_the_web_ui_takes_the_mail_servers_password_in_proxy_mode(proxy):
    """The View/Edit links of summaries open the web UI: its sign-in checks the password
    with the upstream, as the IMAP login does."""
    import urllib.error
    import urllib.parse
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def sign_in(password):
        data = urllib.parse.urlencode({"email": "alice@example.com", "password": password, "next": "/"}).encode()
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(urllib.request.Request(proxy.web_url + "/signin", data=data), timeout=30)
            return response.status, response.headers.get("Set-Cookie", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Set-Cookie", "")

    # The demo account's local password is no longer the one that counts.
    assert proxy.cli("user", "passwd", "alice@example.com", input="a local password\n").returncode == 0
    status, cookie = sign_in(PASSWORD)
    assert status == 302 and "crmgate_session=" in cookie, (status, cookie)
    for wrong in ("a local password", "not the password"):
        status, cookie = sign_in(wrong)
        assert status == 401 and not cookie


def test_a_summary_copied_out_of_a_crm_folder_lands_on_the_mail_server(proxy):
    c = imap_client(proxy)
    c.select_folder(CRM_FOLDER + "/Opportunities", readonly=True)
    first = c.search(["ALL"])[0]
    subject = c.fetch([first], ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])[first][b"BODY[HEADER.FIELDS (SUBJECT)]"].strip()
    c.copy([first], "INBOX")
    c.logout()
    direct = proxy.upstream.client()
    direct.select_folder("INBOX", readonly=True)
    headers = [m[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() for m in direct.fetch("1:*", ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]).values()]
    assert subject in headers, headers
    direct.logout()


@pytest.mark.parametrize("move", [False, True], ids=["copy", "move"])
def test_a_transfer_the_mail_server_refuses_part_way_is_taken_back(tmp_path, move):
    """Three summaries out of a CRM folder into a mail server that takes two more messages:
    the third APPEND gets NO [OVERQUOTA] and the two before it are expunged again, so a failed
    COPY or MOVE leaves the destination as it was (RFC 9051 §6.4.7) and the folder untouched."""
    with dovecot.Dovecot(tmp_path / "up", quota_messages=2) as upstream, \
            drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        c = imap_client(gw)
        c.select_folder(CRM_FOLDER + "/Opportunities")
        before = c.search(["ALL"])
        uids = before[:3]
        assert len(uids) == 3
        with pytest.raises(Exception) as refused:
            (c.move if move else c.copy)(uids, "Archive")
        assert "OVERQUOTA" in str(refused.value) and "nothing was" in str(refused.value), refused.value
        assert c.search(["ALL"]) == before
        c.logout()
        direct = upstream.client()
        assert direct.select_folder("Archive", readonly=True)[b"EXISTS"] == 0
        direct.logout()


def test_list_extended_options_work_with_a_mail_server_that_lacks_them(tmp_path):
    """An upstream without LIST-EXTENDED (Dovecot told to announce fewer extensions): crmgate
    still offers it and does the selection and return options itself."""
    import re
    from rawimap import RawIMAP
    basic = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE UIDPLUS MOVE UNSELECT CHILDREN NAMESPACE SPECIAL-USE"
    with dovecot.Dovecot(tmp_path / "up", capabilities=basic) as upstream, \
            drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        direct = upstream.client()
        assert not direct.has_capability("LIST-EXTENDED")
        for name in ("Projects", "Projects/2026", "Projects/2027", "Gone"):
            direct.create_folder(name)
        direct.subscribe_folder("Projects/2026")
        direct.subscribe_folder("Gone")
        direct.delete_folder("Gone")  # subscribed, no longer there
        direct.logout()

        raw = RawIMAP(gw, "alice@example.com", dovecot.PASSWORD)

        def listed(command):
            untagged, tagged = raw.command(command)
            assert b" OK " in tagged, tagged
            entries = (re.match(rb'\* LIST \([^)]*\) (?:"."|NIL) ("[^"]*"|[^ \r]+)', line) for line in untagged)
            return {m.group(1).strip(b'"').decode(): m.string for m in entries if m}

        subscribed = listed('LIST (SUBSCRIBED) "" "*"')
        assert "Projects/2026" in subscribed and "Sent" in subscribed and "Gone" in subscribed
        assert "Projects" not in subscribed and "Projects/2027" not in subscribed
        assert b"\\Subscribed" in subscribed["Projects/2026"] and b"\\NonExistent" in subscribed["Gone"]

        recursive = listed('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
        assert b'CHILDINFO ("SUBSCRIBED")' in recursive["Projects"], recursive

        special = listed('LIST (SPECIAL-USE) "" "*"')
        assert {"Sent", "Trash"} <= set(special) and "Projects" not in special and "INBOX" not in special

        marked = listed('LIST "" "*" RETURN (SUBSCRIBED)')
        assert b"\\Subscribed" in marked["Projects/2026"] and b"\\Subscribed" not in marked["Projects/2027"]
        raw.close()


def test_a_multiappend_with_big_and_small_messages_goes_through_to_the_mail_server(proxy):
    """RFC 3502 in proxy mode: a streamed (big) first message, then a small one and another
    big one, all in one APPEND with synchronizing literals; the mail server stores all three."""
    from rawimap import RawIMAP
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd\r\n"
    big = [b"Subject: big %d\r\n\r\n" % n + line * 5000 for n in (1, 2)]
    small = b"Subject: small\r\n\r\nhello\r\n"
    c = RawIMAP(proxy, "alice@example.com", PASSWORD)
    assert b"MULTIAPPEND" in b"".join(c.ok("CAPABILITY")[0])
    c.counter += 1
    tag = f"m{c.counter}".encode()
    c.sock.sendall(tag + b" APPEND INBOX (\\Seen) {%d}\r\n" % len(big[0]))
    assert c.read_response().startswith(b"+")
    c.sock.sendall(big[0] + b" {%d}\r\n" % len(small))
    assert c.read_response().startswith(b"+")
    c.sock.sendall(small + b" (\\Flagged) {%d}\r\n" % len(big[1]))
    assert c.read_response().startswith(b"+")
    c.sock.sendall(big[1] + b"\r\n")
    while not (done := c.read_response()).startswith(tag):
        pass
    assert re.search(rb"OK \[APPENDUID \d+ 1:3\]", done), done
    c.close()
    direct = proxy.upstream.client()
    direct.select_folder("INBOX", readonly=True)
    stored = direct.fetch("1:*", ["BODY.PEEK[]", "FLAGS"])
    direct.logout()
    assert [stored[u][b"BODY[]"] for u in sorted(stored)] == [big[0], small, big[1]]
    assert b"\\Flagged" in stored[max(stored)][b"FLAGS"]


def test_catenate_and_quota_reach_a_mail_server_with_another_delimiter(tmp_path):
    """CATENATE's URLs and GETQUOTAROOT's mailbox take the mail server's names ("." as the
    delimiter); a URL into the CRM folders is NO [BADURL]; the CRM folders are under no quota."""
    from rawimap import RawIMAP
    with dovecot.Dovecot(tmp_path / "up", separator=".", quota_messages=10) as upstream, \
            drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        c = RawIMAP(gw, "alice@example.com", PASSWORD)
        caps = b"".join(c.ok("CAPABILITY")[0])
        assert b"CATENATE" in caps and b" QUOTA" in caps, caps
        c.ok('CREATE "Projects/Acme"')
        original = b"From: a@example.org\r\nSubject: original\r\n\r\nThe body, kept as it was.\r\n"
        _, tagged = c.command(b'APPEND "Projects/Acme" {%d+}\r\n' % len(original) + original)
        assert b"OK [APPENDUID" in tagged, tagged
        header = b"From: me@example.org\r\nSubject: Fwd: original\r\n\r\n"
        url = "/Projects/Acme/;UID=1/;SECTION=TEXT"
        _, tagged = c.command(b'APPEND INBOX CATENATE (TEXT {%d+}\r\n' % len(header) + header + f' URL "{url}")'.encode())
        assert b"OK [APPENDUID" in tagged, tagged
        _, tagged = c.command(f'APPEND INBOX CATENATE (URL "/{CRM_FOLDER}/Opportunities/;UID=1")')
        assert b"NO [BADURL" in tagged, tagged

        untagged, _ = c.ok('GETQUOTAROOT "Projects/Acme"')
        assert untagged[0].rstrip() == b'* QUOTAROOT Projects/Acme "User quota"', untagged
        assert re.search(rb'\* QUOTA "User quota" \(.*MESSAGE 2 10', b"".join(untagged)), untagged
        untagged, _ = c.ok('GETQUOTA "User quota"')
        assert b"MESSAGE 2 10" in b"".join(untagged), untagged
        untagged, _ = c.ok(f'GETQUOTAROOT "{CRM_FOLDER}/Opportunities"')
        assert untagged == [f'* QUOTAROOT "{CRM_FOLDER}/Opportunities"\r\n'.encode()], untagged
        c.close()
        direct = upstream.client()
        direct.select_folder("INBOX", readonly=True)
        [body] = [m[b"BODY[]"] for m in direct.fetch("1:*", ["BODY.PEEK[]"]).values()]
        direct.logout()
        assert body == header + b"The body, kept as it was.\r\n"
