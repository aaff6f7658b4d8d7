"""Protocol details of IMAP4rev2 and the extensions, checked on the wire."""
import re

from conftest import PASSWORD, message, skip_unless_offered
from rawimap import RawIMAP


def login(gw):
    return RawIMAP(gw, "alice@example.com", PASSWORD)


def append(c, mailbox, msg, flags=""):
    untagged, tagged = c.command(f"APPEND {mailbox} ({flags}) {{{len(msg)}+}}\r\n".encode() + msg)
    assert b"OK [APPENDUID" in tagged, tagged
    return int(re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1))


def test_capabilities_after_login_list_the_extensions(any_gateway):
    c = login(any_gateway)
    untagged, _ = c.ok("CAPABILITY")
    caps = set(untagged[0].split()[2:])
    # In front of an upstream, the extensions that upstream lacks are not offered either.
    lacking = set()
    if getattr(any_gateway, "upstream", None) is not None:
        direct = any_gateway.upstream.client()
        lacking = {cap for cap in (b"IMAP4rev2", b"UTF8=ACCEPT", b"CREATE-SPECIAL-USE") if not direct.has_capability(cap.decode())}
        direct.logout()
        assert not lacking & caps, lacking & caps
    for cap in [b"IMAP4rev1", b"IMAP4rev2", b"LITERAL+", b"IDLE", b"UIDPLUS", b"MOVE", b"NAMESPACE", b"ID",
                b"ENABLE", b"UNSELECT", b"CHILDREN", b"SPECIAL-USE", b"LIST-EXTENDED", b"LIST-STATUS",
                b"STATUS=SIZE", b"ESEARCH", b"SASL-IR", b"UTF8=ACCEPT", b"BINARY", b"CONDSTORE", b"QRESYNC"]:
        assert cap in caps or cap in lacking, cap
    assert any(x.startswith(b"APPENDLIMIT=") for x in caps)
    c.close()


def test_qresync_select_reports_vanished_and_changed_messages(any_gateway):
    c = login(any_gateway)
    for s in ["A", "B", "C"]:
        append(c, "INBOX", message(s))
    c.ok("ENABLE QRESYNC")
    untagged, _ = c.ok("SELECT INBOX")
    validity = re.search(rb"UIDVALIDITY (\d+)", b"".join(untagged)).group(1).decode()
    modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", b"".join(untagged)).group(1))
    c.ok("UID STORE 2 +FLAGS (\\Flagged)")
    c.ok("UID STORE 1 +FLAGS (\\Deleted)")
    c.ok("UID EXPUNGE 1")
    c.ok("UNSELECT")
    untagged, tagged = c.ok(f"SELECT INBOX (QRESYNC ({validity} {modseq}))")
    text = b"".join(untagged)
    assert b"* VANISHED (EARLIER) 1" in text
    assert re.search(rb"\* 1 FETCH \(UID 2 FLAGS \([^)]*\\Flagged[^)]*\) MODSEQ \(\d+\)\)", text), text
    c.close()


def test_uid_fetch_changedsince_vanished(any_gateway):
    c = login(any_gateway)
    for s in ["A", "B", "C"]:
        append(c, "INBOX", message(s))
    c.ok("ENABLE QRESYNC")
    untagged, _ = c.ok("SELECT INBOX")
    modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", b"".join(untagged)).group(1))
    c.ok("UID STORE 3 +FLAGS (\\Deleted)")
    c.ok("EXPUNGE")
    c.ok("UID STORE 1 +FLAGS ($Done)")
    untagged, _ = c.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq} VANISHED)")
    text = b"".join(untagged)
    assert b"* VANISHED (EARLIER) 3" in text
    assert b"UID 1" in text and b"$Done" in text and b"UID 2" not in text
    c.close()


def test_conditional_store_reports_modified(any_gateway):
    c = login(any_gateway)
    append(c, "INBOX", message("A"))
    untagged, _ = c.ok("SELECT INBOX (CONDSTORE)")
    modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", b"".join(untagged)).group(1))
    c.ok("STORE 1 +FLAGS (\\Seen)")
    _, tagged = c.ok(f"STORE 1 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Flagged)")
    assert b"[MODIFIED 1]" in tagged
    untagged, _ = c.ok("FETCH 1 (FLAGS)")
    assert b"\\Flagged" not in b"".join(untagged)
    c.close()


def test_esearch_return_options(any_gateway):
    c = login(any_gateway)
    for s in ["A", "B", "C", "D"]:
        append(c, "INBOX", message(s), flags="\\Seen" if s in "BD" else "")
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("UID SEARCH RETURN (MIN MAX COUNT ALL) SEEN")
    tokens = untagged[0].split()
    assert tokens[:5] == [b"*", b"ESEARCH", b"(TAG", b'"' + c.last_tag + b'")', b"UID"], untagged
    pairs = dict(zip(tokens[5::2], tokens[6::2]))
    assert pairs == {b"MIN": b"2", b"MAX": b"4", b"COUNT": b"2", b"ALL": b"2,4"}
    untagged, _ = c.ok("SEARCH OR FROM carol SUBJECT D NOT SEEN")
    assert untagged[0].strip() == b"* SEARCH 1 3"
    untagged, _ = c.ok("SEARCH SUBJECT D NOT SEEN")
    assert untagged[0].strip() == b"* SEARCH"
    c.close()


def test_imap4rev2_search_answers_esearch(any_gateway):
    skip_unless_offered(any_gateway, "IMAP4rev2")
    c = login(any_gateway)
    append(c, "INBOX", message("A"))
    untagged, _ = c.ok("ENABLE IMAP4rev2")
    assert untagged[0].strip() == b"* ENABLED IMAP4rev2"
    untagged, _ = c.ok("SELECT INBOX")
    assert not any(b"RECENT" in line for line in untagged)
    untagged, _ = c.ok("SEARCH ALL")
    assert re.match(rb'\* ESEARCH \(TAG "t\d+"\) ALL 1', untagged[0]), untagged
    c.close()


def test_list_extended_with_status_and_children(any_gateway):
    c = login(any_gateway)
    c.ok("CREATE Customers")  # an upstream such as Dovecot leaves a missing parent unselectable
    c.ok('CREATE "Customers/Acme Corp"')
    append(c, '"Customers/Acme Corp"', message("A"))
    untagged, _ = c.ok('LIST "" "Customers*" RETURN (CHILDREN STATUS (MESSAGES UNSEEN SIZE))')
    text = b"".join(untagged)
    assert b'* LIST (\\HasChildren) "/" Customers' in text
    # \Marked (RFC 3501) is Dovecot's, in proxy mode.
    assert re.search(rb'\* LIST \(\\HasNoChildren( \\Marked)?\) "/" "Customers/Acme Corp"', text), text
    assert re.search(rb'\* STATUS "Customers/Acme Corp" \(MESSAGES 1 UNSEEN 1 SIZE \d+\)', text), text
    untagged, _ = c.ok('LIST "" ""')
    assert untagged[0].strip() == b'* LIST (\\Noselect) "/" ""'
    untagged, _ = c.ok('LIST (SPECIAL-USE) "" "*"')
    # Child attributes unasked for are optional (RFC 5258 §4): crmgate sends them, Dovecot does not.
    assert len(untagged) == 5 and all(re.search(rb"\\(Sent|Drafts|Trash|Junk|Archive)\)", line) for line in untagged), untagged
    c.ok('UNSUBSCRIBE "Sent"')
    untagged, _ = c.ok('LIST (SUBSCRIBED) "" "S*"')
    assert untagged == []
    c.close()


def test_mailbox_names_are_modified_utf7_until_utf8_is_enabled(any_gateway):
    skip_unless_offered(any_gateway, "UTF8=ACCEPT")
    c = login(any_gateway)
    c.ok('CREATE "M&APw-ller GmbH"')
    untagged, _ = c.ok('LIST "" "M*"')
    assert b'"M&APw-ller GmbH"' in untagged[0]
    _, tagged = c.command('CREATE "Bad &Jjo"')
    assert b" NO [CANNOT]" in tagged and b"modified UTF-7" in tagged and b"shift sequence" in tagged
    c.ok("ENABLE UTF8=ACCEPT")
    untagged, _ = c.ok('LIST "" "M*"')
    assert "Müller GmbH".encode() in untagged[0]
    c.ok('CREATE "Zürich"'.encode())
    untagged, _ = c.ok(b'STATUS "Z\xc3\xbcrich" (MESSAGES)')
    assert b"MESSAGES 0" in untagged[0]
    c.close()


def test_binary_fetch_decodes_base64_part(any_gateway):
    c = login(any_gateway)
    payload = bytes(range(256))
    import base64
    msg = (b"From: a@example.org\r\nSubject: bin\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
           b"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(payload).replace(b"\n", b"\r\n") + b"--XX--\r\n")
    append(c, "INBOX", msg)
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])")
    text = untagged[0]
    assert b"BINARY.SIZE[2] 256" in text
    assert b"BINARY[2] ~{256}\r\n" + payload in text
    untagged, _ = c.ok("FETCH 1 (BODYSTRUCTURE)")
    assert b'"APPLICATION" "OCTET-STREAM"' in untagged[0].upper()
    c.close()


def test_move_answers_copyuid_then_expunge(any_gateway):
    c = login(any_gateway)
    append(c, "INBOX", message("A"))
    append(c, "INBOX", message("B"))
    c.ok("SELECT INBOX")
    untagged, tagged = c.ok("UID MOVE 2 Archive")
    assert re.match(rb"\* OK \[COPYUID \d+ 2 1\]", untagged[0]), untagged
    assert untagged[1].strip() == b"* 2 EXPUNGE"
    _, tagged = c.command('UID MOVE 1 "No such folder"')
    assert b"NO [TRYCREATE]" in tagged
    c.close()


def test_status_reports_size_deleted_and_append_limit(any_gateway):
    skip_unless_offered(any_gateway, "IMAP4rev2")  # STATUS DELETED is IMAP4rev2's
    c = login(any_gateway)
    msg = message("A")
    append(c, "INBOX", msg, flags="\\Deleted")
    untagged, _ = c.ok("STATUS INBOX (MESSAGES UIDNEXT UNSEEN SIZE DELETED HIGHESTMODSEQ APPENDLIMIT)")
    line = untagged[0]
    assert f"SIZE {len(msg)}".encode() in line and b"DELETED 1" in line and b"UIDNEXT 2" in line
    assert re.search(rb"APPENDLIMIT \d+", line)
    c.close()


def test_create_special_use_and_namespace(any_gateway):
    skip_unless_offered(any_gateway, "CREATE-SPECIAL-USE")
    c = login(any_gateway)
    c.ok('CREATE "Important" (USE (\\Flagged))')
    untagged, _ = c.ok('LIST "" "Important"')
    assert b"\\Flagged" in untagged[0]
    _, tagged = c.command('CREATE "Odd" (USE (\\Bogus))')
    assert b"NO [USEATTR]" in tagged
    untagged, _ = c.ok("NAMESPACE")
    assert untagged[0].strip() == b'* NAMESPACE (("" "/")) NIL NIL'
    c.close()


def test_examine_is_read_only(any_gateway):
    c = login(any_gateway)
    append(c, "INBOX", message("A"))
    _, tagged = c.ok("EXAMINE INBOX")
    assert b"[READ-ONLY]" in tagged
    _, tagged = c.command("STORE 1 +FLAGS (\\Deleted)")
    # crmgate refuses; Dovecot (an upstream in proxy mode) answers OK and ignores it.
    assert b" NO " in tagged or b"ignored" in tagged.lower()
    untagged, _ = c.ok("FETCH 1 (FLAGS)")
    assert b"\\Deleted" not in b"".join(untagged)
    untagged, _ = c.ok("FETCH 1 (BODY[TEXT])")
    assert b"\\Seen" not in b"".join(untagged)
    c.close()


def test_search_keys(any_gateway):
    c = login(any_gateway)
    a = (b"From: =?utf-8?Q?J=C3=BCrgen?= <juergen@example.de>\r\nTo: alice@example.com\r\nCc: team@example.com\r\n"
         b"Subject: =?utf-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\nDate: Tue, 03 Mar 2026 09:00:00 +0100\r\n"
         b"X-Priority: 1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
         b"Sch=F6ne Gr=FC=DFe\r\n")
    b = message("Invoice 42", body="Please pay " + "x" * 3000 + "\r\n", sender="billing@vendor.example")
    append(c, "INBOX", a, flags="\\Seen $Customer")
    append(c, "INBOX", b, flags="\\Flagged")
    c.ok("SELECT INBOX")

    def search(criteria):
        untagged, _ = c.ok(b"UID SEARCH CHARSET UTF-8 " + criteria if isinstance(criteria, bytes) else "UID SEARCH " + criteria)
        return untagged[0].split()[2:]

    assert search("FROM juergen") == [b"1"]
    assert search('FROM "J\xc3\xbcrgen"'.encode("latin-1")) == [b"1"]
    assert search('SUBJECT "K\xc3\xb6ln"'.encode("latin-1")) == [b"1"]
    word = "Grüße".encode()
    assert search(b"BODY {%d+}\r\n" % len(word) + word) == [b"1"]
    assert search("TEXT invoice") == [b"2"]
    assert search("CC team") == [b"1"]
    assert search("HEADER X-Priority 1") == [b"1"]
    assert search('HEADER X-Priority ""') == [b"1"]
    assert search("LARGER 2000") == [b"2"]
    assert search("SMALLER 2000") == [b"1"]
    assert search("KEYWORD $Customer") == [b"1"]
    assert search("UNKEYWORD $Customer") == [b"2"]
    assert search("FLAGGED UNSEEN") == [b"2"]
    assert search("OR SEEN FLAGGED") == [b"1", b"2"]
    assert search("NOT FROM juergen") == [b"2"]
    assert search("SENTBEFORE 1-Jun-2026") == [b"1"]
    assert search("SENTON 3-Mar-2026") == [b"1"]
    assert search("SENTSINCE 1-Nov-2026") == [b"2"]
    assert search("SINCE 1-Jan-2000") == [b"1", b"2"]
    assert search("BEFORE 1-Jan-2000") == []
    assert search("UID 2:*") == [b"2"]
    assert search("2") == [b"2"]
    assert search("(DELETED) OR ANSWERED DRAFT") == []
    untagged, _ = c.ok("UID SEARCH MODSEQ 1")
    searched = [line for line in untagged if line.startswith(b"* SEARCH")]
    assert searched and re.match(rb"\* SEARCH 1 2 \(MODSEQ \d+\)", searched[0]), untagged
    _, tagged = c.command("SEARCH CHARSET X-UNKNOWN-CHARSET ALL")
    assert b"NO [BADCHARSET" in tagged
    c.close()


def test_large_message_is_stored_and_streamed_back_exactly(any_gateway):
    import base64
    import os
    payload = os.urandom(3 * 1024 * 1024)
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    msg = (b"From: a@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
           b"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + encoded + b"--XX--\r\n")
    c = login(any_gateway)
    append(c, "INBOX", msg)
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 1 (UID BODY.PEEK[])")
    assert untagged[0].startswith(b"* 1 FETCH (UID 1 BODY[] {%d}\r\n" % len(msg))
    assert untagged[0].endswith(msg + b")\r\n")
    untagged, _ = c.ok("FETCH 1 (BODY.PEEK[]<300000.600000> BODY.PEEK[2.MIME])")
    assert msg[300000:900000] in untagged[0] and b"BODY[]<300000> {600000}" in untagged[0]
    assert b"Content-Transfer-Encoding: base64\r\n\r\n" in untagged[0]
    untagged, _ = c.ok("FETCH 1 (BINARY.PEEK[2])")
    assert untagged[0].endswith(b"~{%d}\r\n" % len(payload) + payload + b")\r\n") or payload in untagged[0]
    untagged, _ = c.ok("FETCH 1 (BODY[TEXT] FLAGS)")
    assert b"\\Seen" in untagged[0] and untagged[0].count(b"see attached") == 1
    c.close()


def read_until_tag(c, tag):
    lines = []
    while True:
        line = c.read_response()
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines


def test_new_mail_is_announced_apart_from_an_expunge_and_from_pipelined_commands(gateway):
    """EXISTS never shares an answer with EXPUNGE, nor goes into the answer of a command that
    more pipelined commands follow: neomutt reads such an exchange as an expunge only and
    then fetches beyond the end of the mailbox. The next standalone answer tells it."""
    a, b = login(gateway), login(gateway)
    for s in ["Keep", "Delete"]:
        append(a, "INBOX", message(s))
    a.ok("SELECT INBOX")
    append(b, "INBOX", message("Arrives"))
    # One write, two commands: the arrival is held through both answers.
    a.sock.sendall(b"p1 UID STORE 2 +FLAGS.SILENT (\\Deleted)\r\np2 EXPUNGE\r\n")
    answers = read_until_tag(a, b"p1") + read_until_tag(a, b"p2")
    assert b"* 2 EXPUNGE\r\n" in answers, answers
    assert not any(b"EXISTS" in line for line in answers), answers
    untagged, _ = a.ok("NOOP")
    assert b"* 2 EXISTS\r\n" in untagged, untagged  # "Keep" and "Arrives"
    untagged, _ = a.ok("UID FETCH 1:* (UID)")
    assert [re.search(rb"UID (\d+)", l).group(1) for l in untagged] == [b"1", b"3"], untagged

    # An EXPUNGE answer holds it too, even unpipelined; IDLE tells it at once.
    a.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
    append(b, "INBOX", message("Another"))
    untagged, _ = a.ok("EXPUNGE")
    assert untagged == [b"* 1 EXPUNGE\r\n"], untagged
    a.sock.sendall(b"i1 IDLE\r\n")
    pushed = [a.read_response(), a.read_response(), a.read_response()]
    assert pushed[0] == b"* 2 EXISTS\r\n" and pushed[2].startswith(b"+ "), pushed
    a.sock.sendall(b"DONE\r\n")
    read_until_tag(a, b"i1")
    a.close()
    b.close()
