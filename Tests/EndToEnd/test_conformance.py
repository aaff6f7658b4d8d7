"""IMAP conformance (issue 15): behaviours the RFCs ask for, each checked on the wire against
crmgate and, through the proxy, against a real Dovecot 2.3 (`any_gateway`)."""
import re

from conftest import imap_client, message, skip_unless_offered
from test_protocol import append, login


def dated(subject, date):
    return (f"From: a@example.org\r\nTo: alice@example.com\r\nSubject: {subject}\r\nDate: {date}\r\n\r\nbody\r\n").encode()


def test_sent_dates_compare_the_day_written_in_the_date_header(any_gateway):
    """RFC 3501 §6.4.4: SENTBEFORE/SENTON/SENTSINCE disregard the time and the zone, and
    BEFORE/ON/SINCE take the internal date's day in its own zone."""
    c = login(any_gateway)
    # A Date header nobody can read counts as the earliest date (as Dovecot has it).
    unreadable = dated("no date", "sometime")
    c.command(b'APPEND INBOX "03-Mar-2026 23:30:00 -0500" {%d+}\r\n' % len(unreadable) + unreadable)
    evening = dated("late evening in New York", "Tue, 03 Mar 2026 23:30:00 -0500")
    morning = dated("early morning in Tokyo", "Wed, 04 Mar 2026 07:00:00 +0900")
    for msg, internal in [(evening, "03-Mar-2026 23:30:00 -0500"), (morning, "04-Mar-2026 07:00:00 +0900")]:
        _, tagged = c.command(f'APPEND INBOX "{internal}" {{{len(msg)}+}}\r\n'.encode() + msg)
        assert b"OK" in tagged, tagged
    c.ok("SELECT INBOX")

    def search(criteria):
        untagged, _ = c.ok("SEARCH " + criteria)
        return untagged[0].split()[2:]

    assert search("SENTON 3-Mar-2026") == [b"2"]
    assert search("SENTON 4-Mar-2026") == [b"3"]
    assert search("SENTBEFORE 4-Mar-2026") == [b"1", b"2"]
    assert search("SENTSINCE 4-Mar-2026") == [b"3"]
    if getattr(any_gateway, "upstream", None) is None:
        # Dovecot 2.3 takes the internal date's day in the server's zone instead.
        assert search("ON 3-Mar-2026") == [b"1", b"2"]
        assert search("ON 4-Mar-2026") == [b"3"]
        assert search("BEFORE 4-Mar-2026") == [b"1", b"2"]
        assert search("SINCE 4-Mar-2026") == [b"3"]
    c.close()


def test_quoted_printable_decoding_drops_white_space_at_line_ends(any_gateway):
    """RFC 2045 §6.7 rule 3: trailing white space on an encoded line was added in transport."""
    skip_unless_offered(any_gateway, "BINARY")
    msg = (b"From: a@example.org\r\nSubject: qp\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\nline one   \r\nline two\t \r\nkept=20\r\nend")
    c = login(any_gateway)
    append(c, "INBOX", msg)
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])")
    decoded = b"line one\r\nline two\r\nkept \r\nend"
    assert b"BINARY.SIZE[1] %d" % len(decoded) in untagged[0], untagged
    assert b"{%d}\r\n" % len(decoded) + decoded in untagged[0], untagged
    c.close()


def test_list_extended_refuses_unknown_selection_options(any_gateway):
    """RFC 5258 §3: an unknown selection option, or RECURSIVEMATCH without another one
    (REMOTE does not count), is a BAD; REMOTE alone is fine."""
    c = login(any_gateway)
    for command in ['LIST (FOO) "" "*"', 'LIST (RECURSIVEMATCH) "" "*"', 'LIST (RECURSIVEMATCH REMOTE) "" "*"']:
        _, tagged = c.command(command)
        assert b" BAD " in tagged, (command, tagged)
    untagged, _ = c.ok('LIST (REMOTE) "" "INBOX"')
    assert any(b"INBOX" in line for line in untagged)
    c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
    c.close()


def test_esearch_min_max_report_the_mod_sequence_of_the_messages_returned(any_gateway):
    """RFC 4731 with RFC 7162 §3.1.5: with only MIN/MAX, MODSEQ is the highest of those
    messages, not of every match."""
    c = login(any_gateway)
    for s in ["A", "B", "C"]:
        append(c, "INBOX", message(s))
    c.ok("SELECT INBOX (CONDSTORE)")
    c.ok("STORE 3 +FLAGS (\\Flagged)")
    untagged, _ = c.ok("FETCH 1:3 (MODSEQ)")
    modseqs = {int(m.group(1)): int(m.group(2)) for line in untagged for m in [re.search(rb"\* (\d+) FETCH \(MODSEQ \((\d+)\)\)", line)] if m}
    assert modseqs[3] > modseqs[1], modseqs

    def esearch(options):
        untagged, _ = c.ok(f"SEARCH RETURN ({options}) MODSEQ 1")
        line = next(line for line in untagged if line.startswith(b"* ESEARCH"))
        return int(re.search(rb"MODSEQ (\d+)", line).group(1))

    assert esearch("MIN") == modseqs[1]
    assert esearch("MIN MAX") == modseqs[3]
    assert esearch("ALL") == modseqs[3]
    assert esearch("COUNT") == modseqs[3]
    c.close()


def test_lsub_lists_the_unsubscribed_parent_of_a_subscribed_child_as_noselect(any_gateway):
    """RFC 3501 §6.3.9: with `%`, a subscribed child under a parent that is not subscribed
    returns the parent with \\Noselect."""
    c = login(any_gateway)
    c.ok('CREATE "Projects/Alpha"')
    c.ok('SUBSCRIBE "Projects/Alpha"')
    c.command('UNSUBSCRIBE "Projects"')
    untagged, _ = c.ok('LSUB "" "%"')
    lines = {line.rsplit(b" ", 1)[-1].strip().strip(b'"'): line for line in untagged}
    assert b"Projects" in lines and b"\\Noselect" in lines[b"Projects"], untagged
    assert b"Projects/Alpha" not in lines
    untagged, _ = c.ok('LSUB "" "Projects/%"')
    assert any(b"Projects/Alpha" in line and b"\\Noselect" not in line for line in untagged), untagged
    c.close()


def test_an_invalid_modified_utf7_name_is_a_no_not_a_bad(any_gateway):
    """The commands are well formed; the name cannot be a mailbox: a tagged NO with the
    reason (and CANNOT), never BAD."""
    c = login(any_gateway)
    c.ok('CREATE "Fine"')
    for command in ['CREATE "Bad &Jjo"', 'RENAME "Fine" "Bad &Jjo"', 'SELECT "Bad &Jjo"', 'CREATE "Bad &AGE-"']:
        _, tagged = c.command(command)
        assert b" NO " in tagged and b" BAD " not in tagged, (command, tagged)
    c.close()


def recent_count(untagged):
    found = [int(m.group(1)) for line in untagged for m in [re.match(rb"\* (\d+) RECENT", line)] if m]
    return found[-1] if found else None


def test_new_mail_is_recent_in_exactly_one_session_and_examine_does_not_take_it(any_gateway):
    """RFC 3501 §2.3.2: \\Recent belongs to the first session that selects the mailbox (or
    sees the mail arrive); EXAMINE reports it without taking it."""
    first, second, writer = login(any_gateway), login(any_gateway), login(any_gateway)
    for s in ["A", "B"]:
        append(writer, "INBOX", message(s))
    untagged, _ = first.ok("SELECT INBOX")
    assert recent_count(untagged) == 2
    untagged, _ = first.ok("FETCH 1:2 (FLAGS)")
    assert all(b"\\Recent" in line for line in untagged if b"FETCH" in line), untagged
    assert first.ok("SEARCH RECENT")[0][0].split()[2:] == [b"1", b"2"]
    assert first.ok("SEARCH NEW")[0][0].split()[2:] == [b"1", b"2"]
    untagged, _ = second.ok("SELECT INBOX")
    assert recent_count(untagged) == 0
    assert second.ok("SEARCH RECENT")[0][0].split()[2:] == []

    append(writer, "INBOX", message("C"))
    looker = login(any_gateway)
    for _ in range(2):
        untagged, _ = looker.ok("EXAMINE INBOX")
        assert recent_count(untagged) == 1, "EXAMINE sees it and leaves it"
    untagged, _ = first.ok("NOOP")
    assert recent_count(untagged) == 3, untagged
    untagged, _ = second.ok("NOOP")
    assert b"* 3 EXISTS" in b"".join(untagged) and recent_count(untagged) in (0, None), untagged
    assert second.ok("SEARCH OLD")[0][0].split()[2:] == [b"1", b"2", b"3"]
    for c in (first, second, writer, looker):
        c.close()


def test_imap4rev2_sessions_do_not_see_recent(any_gateway):
    skip_unless_offered(any_gateway, "IMAP4rev2")
    writer, c = login(any_gateway), login(any_gateway)
    append(writer, "INBOX", message("A"))
    c.ok("ENABLE IMAP4rev2")
    untagged, _ = c.ok("SELECT INBOX")
    assert recent_count(untagged) is None
    untagged, _ = c.ok("FETCH 1 (FLAGS)")
    assert b"\\Recent" not in b"".join(untagged)
    c.close()
    writer.close()


def test_a_new_keyword_is_announced_in_flags_before_any_fetch_shows_it(any_gateway):
    """RFC 3501 §7.2.6: every session with the mailbox selected learns the new keyword from
    an untagged FLAGS before a FETCH mentions it."""
    watcher, setter = login(any_gateway), login(any_gateway)
    append(setter, "INBOX", message("A"))
    untagged, _ = watcher.ok("SELECT INBOX")
    assert b"$Hot" not in b"".join(untagged)
    setter.ok("SELECT INBOX")
    untagged, _ = setter.ok("STORE 1 +FLAGS ($Hot)")
    assert [line for line in untagged if line.startswith(b"* FLAGS")], untagged
    flags_at = next(i for i, line in enumerate(untagged) if line.startswith(b"* FLAGS") and b"$Hot" in line)
    fetch_at = next(i for i, line in enumerate(untagged) if b"FETCH" in line and b"$Hot" in line)
    assert flags_at < fetch_at, untagged

    untagged, _ = watcher.ok("NOOP")
    flags_at = next(i for i, line in enumerate(untagged) if line.startswith(b"* FLAGS") and b"$Hot" in line)
    fetch_at = next(i for i, line in enumerate(untagged) if b"FETCH" in line and b"$Hot" in line)
    assert flags_at < fetch_at, untagged
    assert any(b"PERMANENTFLAGS" in line and b"$Hot" in line for line in untagged), untagged

    # A keyword that arrives with new mail.
    append(setter, "INBOX", message("B"), flags="$Urgent")
    untagged, _ = watcher.ok("NOOP")
    assert any(line.startswith(b"* FLAGS") and b"$Urgent" in line for line in untagged), untagged
    watcher.close()
    setter.close()


def test_a_fetch_never_returns_an_empty_or_partial_message_that_another_session_expunged(any_gateway):
    """RFC 2180 §4.1: a message expunged by another session and not yet announced is sent in
    full, or without data (NIL); never an empty header block."""
    header = b"From: a@example.org\r\nTo: alice@example.com\r\nSubject: racing\r\n\r\n"
    reader, expunger = login(any_gateway), login(any_gateway)
    append(expunger, "INBOX", header + b"body\r\n")
    reader.ok("SELECT INBOX")
    expunger.ok("SELECT INBOX")
    expunger.ok("STORE 1 +FLAGS (\\Deleted)")
    expunger.ok("EXPUNGE")
    untagged, tagged = reader.ok("FETCH 1 (BODY.PEEK[HEADER])")
    fetched = [line for line in untagged if b" FETCH " in line and b"BODY[HEADER]" in line]
    # The header in full, or NIL (RFC 2180 §4.1.3): no data rather than wrong data.
    assert len(fetched) == 1 and (header in fetched[0] or b"BODY[HEADER] NIL" in fetched[0]), untagged
    # Once the server knows (the EXPUNGE waits for a command that may announce it), each item
    # asked for still comes: no FETCH without its ENVELOPE, none left out.
    untagged, _ = reader.ok("FETCH 1 (UID ENVELOPE BODYSTRUCTURE RFC822.SIZE)")
    fetched = [line for line in untagged if b" FETCH " in line]
    assert len(fetched) == 1 and all(item in fetched[0] for item in (b"ENVELOPE (", b"BODYSTRUCTURE (", b"RFC822.SIZE ")), untagged
    reader.close()
    expunger.close()


def test_search_from_to_match_decoded_names_and_addresses(any_gateway):
    """SEARCH FROM/TO/CC/BCC match the address list: RFC 2047 display names decoded (adjacent
    encoded words joined), and the addresses; UTF-8 search strings with CHARSET or after
    ENABLE UTF8=ACCEPT."""
    msg = (b"From: =?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M=C3=BCller?= <jm@example.de>\r\n"
           b"To: \"Doe, Jane\" <jane@example.com>, bob@example.com\r\nSubject: names\r\n\r\nbody\r\n")
    comment_style = b"From: jm3@example.de (=?utf-8?q?J=C3=B6rg?=)\r\nSubject: old style\r\n\r\nbody\r\n"
    c = login(any_gateway)
    append(c, "INBOX", msg)
    append(c, "INBOX", message("other"))
    append(c, "INBOX", comment_style)
    c.ok("SELECT INBOX")

    def search(criteria):
        untagged, _ = c.ok(criteria)
        return untagged[0].split()[2:]

    assert search(b"SEARCH CHARSET UTF-8 FROM \"J\xc3\xb6rg M\xc3\xbcller\"") == [b"1"]
    assert search(b"SEARCH CHARSET UTF-8 FROM \"J\xc3\xb6rg\"") == [b"1", b"3"]
    assert search("SEARCH FROM jm@example.de") == [b"1"]
    assert search('SEARCH TO "Doe, Jane"') == [b"1"]
    assert search("SEARCH TO bob@example.com") == [b"1"]
    # Parsed, not raw: the address reads `<jm3@example.de>` whatever style wrote it.
    assert search('SEARCH FROM "<jm3@example.de>"') == [b"3"]
    assert search('SEARCH FROM "<jm"') == [b"1", b"3"]
    offered = c.ok("CAPABILITY")[0][0]
    if b"UTF8=ACCEPT" in offered:
        c.ok("ENABLE UTF8=ACCEPT")
        assert search(b"SEARCH FROM \"M\xc3\xbcller\"") == [b"1"]
    c.close()


def test_nul_octets_never_travel_in_a_plain_literal(any_gateway):
    """RFC 9051 §4.3 and RFC 3516: a message with NUL comes in as literal8 (a plain literal
    with NUL is refused); BODY[] is then a 7-bit form without NUL whose size is RFC822.SIZE,
    and BINARY[] gives the part's very octets in a literal8."""
    skip_unless_offered(any_gateway, "BINARY")
    msg = (b"From: a@example.org\r\nSubject: nul\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Transfer-Encoding: binary\r\n\r\nab\x00cd\r\n")
    c = login(any_gateway)
    _, tagged = c.command(b"APPEND INBOX {%d+}\r\n" % len(msg) + msg)
    assert b" BAD " in tagged or b" NO " in tagged, tagged
    _, tagged = c.command(b"APPEND INBOX ~{%d+}\r\n" % len(msg) + msg)
    assert b" OK " in tagged, tagged
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 1 (RFC822.SIZE BODY.PEEK[])")
    line = untagged[0]
    size = int(re.search(rb"RFC822.SIZE (\d+)", line).group(1))
    assert b"BODY[] {%d}\r\n" % size in line, line
    assert b"\x00" not in line, line
    untagged, _ = c.ok("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])")
    assert b"BINARY[1] ~{7}\r\nab\x00cd\r\n" in untagged[0] and b"BINARY.SIZE[1] 7" in untagged[0], untagged
    c.close()


def test_within_searches_by_the_age_of_the_internal_date(any_gateway):
    """RFC 5032: OLDER and YOUNGER count seconds back from now."""
    skip_unless_offered(any_gateway, "WITHIN")
    import datetime
    c = login(any_gateway)
    two_hours_ago = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)).strftime("%d-%b-%Y %H:%M:%S +0000")
    old, new = message("old"), message("new")
    _, tagged = c.command(f'APPEND INBOX "{two_hours_ago}" {{{len(old)}+}}\r\n'.encode() + old)
    assert b" OK " in tagged, tagged
    append(c, "INBOX", new)
    c.ok("SELECT INBOX")
    assert c.ok("SEARCH YOUNGER 3600")[0][0].split()[2:] == [b"2"]
    assert c.ok("SEARCH OLDER 3600")[0][0].split()[2:] == [b"1"]
    _, tagged = c.command("SEARCH OLDER 0")
    assert b" BAD " in tagged, tagged
    c.close()


def mail(n, subject, sender, date, extra=""):
    return (f"From: {sender}\r\nTo: team@example.com\r\nSubject: {subject}\r\nDate: {date}\r\n"
            f"Message-ID: <m{n}@example.org>\r\n{extra}\r\nmessage {n} {'x' * (n * 100)}\r\n").encode()


def append_at(c, msg, internal):
    _, tagged = c.command(f'APPEND INBOX "{internal}" {{{len(msg)}+}}\r\n'.encode() + msg)
    assert b" OK " in tagged, tagged


def test_sort_orders_by_each_key_with_ties_in_mailbox_order(any_gateway):
    """RFC 5256 SORT and RFC 5957 DISPLAYFROM: base subjects without Re:/[list]/(fwd), the
    Date header for DATE, the first address's mailbox for FROM, REVERSE, UID SORT."""
    skip_unless_offered(any_gateway, "SORT")
    c = login(any_gateway)
    append_at(c, mail(1, "Re: Budget", "Zed <zed@example.com>", "Tue, 03 Mar 2026 10:00:00 +0000"), "05-Mar-2026 10:00:00 +0000")
    append_at(c, mail(2, "[list] Budget", '"Bob" <bob@example.com>', "Sun, 01 Mar 2026 10:00:00 +0000"), "04-Mar-2026 10:00:00 +0000")
    append_at(c, mail(3, "Agenda (fwd)", "alice@example.com", "Mon, 02 Mar 2026 10:00:00 +0000"), "06-Mar-2026 10:00:00 +0000")
    c.ok("SELECT INBOX")

    def sort(criteria, prefix="SORT"):
        untagged, _ = c.ok(f"{prefix} ({criteria}) UTF-8 ALL")
        line = next(line for line in untagged if line.startswith(b"* SORT"))
        return [int(n) for n in line.split()[2:]]

    assert sort("SUBJECT") == [3, 1, 2]
    assert sort("DATE") == [2, 3, 1]
    assert sort("REVERSE DATE") == [1, 3, 2]
    assert sort("ARRIVAL") == [2, 1, 3]
    assert sort("FROM") == [3, 2, 1]
    assert sort("SIZE") == [1, 2, 3]
    assert sort("REVERSE SIZE") == [3, 2, 1]
    assert sort("SUBJECT REVERSE DATE") == [3, 1, 2]
    if b"SORT=DISPLAY" in c.ok("CAPABILITY")[0][0]:
        assert sort("DISPLAYFROM") == [3, 2, 1]
    uids = [int(n) for n in c.ok("UID SEARCH ALL")[0][0].split()[2:]]
    assert sort("DATE", "UID SORT") == [uids[1], uids[2], uids[0]]
    # As Thunderbird-style clients send it: UID SORT in US-ASCII, newest arrival first.
    untagged, _ = c.ok("UID SORT (REVERSE ARRIVAL) US-ASCII ALL")
    assert [int(n) for n in untagged[0].split()[2:]] == [uids[2], uids[0], uids[1]]
    untagged, _ = c.ok("SORT (DATE) UTF-8 FROM bob")
    assert untagged[0].split()[2:] == [b"2"]
    _, tagged = c.command("SORT (NAME) UTF-8 ALL")
    assert b" BAD " in tagged
    if b"ESORT" in c.ok("CAPABILITY")[0][0]:
        # RFC 5267 ESORT: MIN/MAX are the first/last in sort order, ALL keeps the order.
        untagged, _ = c.ok("SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL")
        line = next(line for line in untagged if line.startswith(b"* ESEARCH"))
        assert re.search(rb"MIN 3", line) and re.search(rb"MAX 2", line) and re.search(rb"COUNT 3", line), line
        assert re.search(rb"ALL 3,1:2\b", line), line
    c.close()


def test_thread_by_references_and_by_ordered_subject(any_gateway):
    """RFC 5256 THREAD: REFERENCES links replies to what they answer (a missing parent
    becomes a common root), ORDEREDSUBJECT groups by base subject."""
    skip_unless_offered(any_gateway, "THREAD=REFERENCES")
    c = login(any_gateway)
    days = ["01", "02", "03", "04", "05", "06"]
    specs = [("Plan", ""), ("Re: Plan", "In-Reply-To: <m1@example.org>\r\n"),
             ("Re: Plan", "References: <m1@example.org> <m2@example.org>\r\n"), ("Other", ""),
             ("Lost", "References: <missing@example.org>\r\n"), ("Re: Lost", "References: <missing@example.org>\r\n")]
    for n, (subject, extra) in enumerate(specs, start=1):
        append_at(c, mail(n, subject, "a@example.org", f"{days[n - 1]} Mar 2026 10:00:00 +0000", extra), f"{days[n - 1]}-Mar-2026 10:00:00 +0000")
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("THREAD REFERENCES UTF-8 ALL")
    assert untagged[0].strip() == b"* THREAD (1 2 3)(4)((5)(6))", untagged
    if b"THREAD=ORDEREDSUBJECT" in c.ok("CAPABILITY")[0][0]:
        untagged, _ = c.ok("THREAD ORDEREDSUBJECT UTF-8 ALL")
        assert untagged[0].strip() == b"* THREAD (1 (2)(3))(4)(5 6)", untagged
    untagged, _ = c.ok("THREAD REFERENCES UTF-8 SUBJECT Other")
    assert untagged[0].strip() == b"* THREAD (4)", untagged
    c.close()


def test_imapclient_sorts_and_threads(any_gateway):
    """Python imapclient's sort() and thread() against the server."""
    from conftest import imap_client
    skip_unless_offered(any_gateway, "SORT")
    c = login(any_gateway)
    for n, subject in enumerate(["Beta", "Alpha", "Re: Alpha"], start=1):
        extra = "In-Reply-To: <m2@example.org>\r\n" if n == 3 else ""
        append_at(c, mail(n, subject, "a@example.org", f"0{n} Mar 2026 10:00:00 +0000", extra), f"0{n}-Mar-2026 10:00:00 +0000")
    c.close()
    with imap_client(any_gateway) as client:
        client.select_folder("INBOX")
        uids = client.search("ALL")
        assert client.sort(["SUBJECT", "DATE"]) == [uids[1], uids[2], uids[0]]
        assert [tuple(t) for t in client.thread("REFERENCES")] == [(uids[0],), (uids[1], uids[2])]


def test_searchres_saves_a_result_that_dollar_names(any_gateway):
    """RFC 5182: SEARCH RETURN (SAVE) keeps the result for `$` in later commands (MIN/MAX
    alone keep only those), a failed one empties it, and SAVE alone answers nothing."""
    skip_unless_offered(any_gateway, "SEARCHRES")
    c = login(any_gateway)
    for s in "ABCDE":
        append(c, "INBOX", message(s))
    c.ok("SELECT INBOX")
    c.ok("STORE 2,4 +FLAGS (\\Flagged)")

    def fetched(command):
        untagged, _ = c.ok(command)
        return [int(line.split()[1]) for line in untagged if b" FETCH " in line]

    untagged, _ = c.ok("SEARCH RETURN (SAVE) FLAGGED")
    assert not [line for line in untagged if b"ESEARCH" in line], untagged
    assert fetched("FETCH $ (UID)") == [2, 4]
    assert fetched("UID FETCH $ (FLAGS)") == [2, 4]
    c.ok("STORE $ +FLAGS.SILENT (\\Seen)")
    assert c.ok("SEARCH SEEN")[0][0].split()[2:] == [b"2", b"4"]

    untagged, _ = c.ok("SEARCH RETURN (SAVE MIN) ALL")
    assert any(b"MIN 1" in line for line in untagged), untagged
    assert fetched("FETCH $ (UID)") == [1]
    c.ok("SEARCH RETURN (SAVE) OR $ 5")
    assert fetched("FETCH $ (UID)") == [1, 5]

    _, tagged = c.command("SEARCH RETURN (SAVE) CHARSET X-UNKNOWN ALL")
    assert b" NO " in tagged, tagged
    assert fetched("FETCH $ (UID)") == []
    c.close()


def test_objectid_gives_stable_mailbox_and_email_ids(any_gateway):
    """RFC 8474: MAILBOXID survives a rename, EMAILID is shared by a copy and searchable."""
    skip_unless_offered(any_gateway, "OBJECTID")
    c = login(any_gateway)
    _, tagged = c.ok('CREATE "Objects"')
    mailbox_id = re.search(rb"MAILBOXID \(([\w-]+)\)", tagged).group(1)
    untagged, _ = c.ok('SELECT "Objects"')
    assert any(b"MAILBOXID (%s)" % mailbox_id in line for line in untagged), untagged
    c.ok("UNSELECT")
    c.ok('RENAME "Objects" "Renamed"')
    untagged, _ = c.ok('STATUS "Renamed" (MAILBOXID MESSAGES)')
    assert b"MAILBOXID (%s)" % mailbox_id in untagged[0], untagged
    append(c, "Renamed", message("object"))
    c.ok('SELECT "Renamed"')
    untagged, _ = c.ok("FETCH 1 (EMAILID THREADID)")
    email_id = re.search(rb"EMAILID \(([\w-]+)\)", untagged[0]).group(1)
    assert re.search(rb"THREADID (NIL|\([\w-]+\))", untagged[0]), untagged
    c.ok("COPY 1 INBOX")
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 1:* (EMAILID)")
    assert any(b"EMAILID (%s)" % email_id in line for line in untagged), untagged
    untagged, _ = c.ok(b"SEARCH EMAILID " + email_id)
    assert untagged[0].split()[2:] == [b"1"], untagged
    c.close()


def test_savedate_says_when_a_message_was_saved_into_its_mailbox(any_gateway):
    """RFC 8514: FETCH SAVEDATE, SEARCH SAVEDON/SAVEDBEFORE/SAVEDSINCE/SAVEDATESUPPORTED."""
    skip_unless_offered(any_gateway, "SAVEDATE")
    import datetime
    c = login(any_gateway)
    old = message("saved today, written long ago")
    _, tagged = c.command(f'APPEND INBOX "01-Jan-2001 10:00:00 +0000" {{{len(old)}+}}\r\n'.encode() + old)
    assert b" OK " in tagged
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 1 (SAVEDATE INTERNALDATE)")
    found = re.search(rb'SAVEDATE "([^"]+)"', untagged[0])
    assert found, untagged
    saved = found.group(1).decode()
    today = datetime.datetime.now(datetime.timezone.utc)
    assert saved.strip().lstrip("0").startswith(today.strftime("%d-%b-%Y").lstrip("0")), saved
    day = today.strftime("%d-%b-%Y")
    assert c.ok(f"SEARCH SAVEDON {day}")[0][0].split()[2:] == [b"1"]
    assert c.ok(f"SEARCH SAVEDBEFORE {day}")[0][0].split()[2:] == []
    assert c.ok("SEARCH SAVEDSINCE 1-Jan-2020")[0][0].split()[2:] == [b"1"]
    assert c.ok("SEARCH SAVEDATESUPPORTED")[0][0].split()[2:] == [b"1"]
    assert c.ok("SEARCH BEFORE 1-Jan-2002")[0][0].split()[2:] == [b"1"], "the internal date stays the one given"
    c.close()


def test_quota_reports_usage_and_refuses_what_would_pass_the_limit(tmp_path):
    """RFC 9208: GETQUOTAROOT/GETQUOTA report STORAGE (KiB) and MESSAGE against [imap]
    quota_mb and quota_messages; APPEND and COPY past them get NO [OVERQUOTA]; SETQUOTA is
    the administrator's."""
    from conftest import Gateway, PASSWORD
    from rawimap import RawIMAP
    gw = Gateway(tmp_path, quota_mb=1, quota_messages=3)
    gw.add_user("alice@example.com")
    gw.start()
    try:
        c = RawIMAP(gw, "alice@example.com", PASSWORD)
        caps = c.ok("CAPABILITY")[0][0]
        assert b"QUOTA" in caps and b"QUOTA=RES-STORAGE" in caps and b"QUOTA=RES-MESSAGE" in caps
        append(c, "INBOX", message("one"))
        append(c, "INBOX", message("two"))
        untagged, _ = c.ok("GETQUOTAROOT INBOX")
        assert untagged[0].strip() == b'* QUOTAROOT INBOX ""', untagged
        assert re.match(rb'\* QUOTA "" \(STORAGE 1 1024 MESSAGE 2 3\)', untagged[1]), untagged
        untagged, _ = c.ok('GETQUOTA ""')
        assert b"MESSAGE 2 3" in untagged[0]
        c.ok("SELECT INBOX")
        _, tagged = c.command("COPY 1:2 INBOX")
        assert b"NO [OVERQUOTA]" in tagged, tagged
        append(c, "INBOX", message("three"))
        big = message("big", body="x" * 2_000_000)
        _, tagged = c.command(b"APPEND INBOX {%d+}\r\n" % len(big) + big)
        assert b"NO [OVERQUOTA]" in tagged, tagged
        c.ok("STORE 1 +FLAGS (\\Deleted)")
        untagged, _ = c.ok("STATUS INBOX (DELETED-STORAGE MESSAGES)")
        assert b"DELETED-STORAGE 1" in untagged[0], untagged
        c.ok("EXPUNGE")
        append(c, "INBOX", message("four"))
        _, tagged = c.command('SETQUOTA "" (STORAGE 10)')
        assert b" NO " in tagged, tagged
        _, tagged = c.command('GETQUOTA "other"')
        assert b" NO " in tagged, tagged
        c.close()
    finally:
        gw.stop()


def test_multiappend_stores_all_messages_or_none(any_gateway):
    """RFC 3502: several messages in one APPEND, one APPENDUID; one bad message stores none."""
    skip_unless_offered(any_gateway, "MULTIAPPEND")
    c = login(any_gateway)
    first, second = message("first"), message("second")
    untagged, tagged = c.command(b"APPEND INBOX (\\Seen) {%d+}\r\n" % len(first) + first + b" {%d+}\r\n" % len(second) + second)
    assert re.search(rb"OK \[APPENDUID \d+ 1:2\]", tagged), tagged
    untagged, _ = c.ok("STATUS INBOX (MESSAGES UNSEEN)")
    assert b"MESSAGES 2" in untagged[0] and b"UNSEEN 1" in untagged[0], untagged
    _, tagged = c.command(b"APPEND INBOX {%d+}\r\n" % len(first) + first + b" {0+}\r\n")
    assert b" NO " in tagged or b" BAD " in tagged, tagged
    untagged, _ = c.ok("STATUS INBOX (MESSAGES)")
    assert b"MESSAGES 2" in untagged[0], "none of a refused MULTIAPPEND is stored"
    c.close()


def test_imapclient_multiappend_stores_every_message(any_gateway):
    """Python imapclient's multiappend (two spaces between messages, as 3.0.1 writes them)."""
    skip_unless_offered(any_gateway, "MULTIAPPEND")
    c = imap_client(any_gateway)
    c.multiappend("INBOX", [message("first"), message("second"), message("third")])
    assert c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 3
    c.logout()


def test_catenate_builds_a_message_from_text_and_urls_to_stored_ones(any_gateway):
    """RFC 4469 with RFC 5092 URLs: a new header and an old message's body make one message;
    a URL that leads nowhere is NO [BADURL]."""
    skip_unless_offered(any_gateway, "CATENATE")
    c = login(any_gateway)
    original = (b"From: a@example.org\r\nSubject: original\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe body, kept as it was.\r\n")
    append(c, "INBOX", original)
    validity = re.search(rb"UIDVALIDITY (\d+)", b"".join(c.ok("STATUS INBOX (UIDVALIDITY)")[0])).group(1).decode()
    header = b"From: me@example.org\r\nSubject: Fwd: original\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    url = f"/INBOX;UIDVALIDITY={validity}/;UID=1/;SECTION=TEXT"
    _, tagged = c.command(b"APPEND INBOX CATENATE (TEXT {%d+}\r\n" % len(header) + header + f' URL "{url}")'.encode())
    assert b"OK [APPENDUID" in tagged, tagged
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("FETCH 2 (BODY.PEEK[])")
    expected = header + b"The body, kept as it was.\r\n"
    assert b"{%d}\r\n" % len(expected) + expected in untagged[0], untagged
    _, tagged = c.command(b'APPEND INBOX CATENATE (URL "/INBOX/;UID=1/;PARTIAL=0.19" TEXT {9+}\r\n\r\n\r\nend\r\n)')
    assert b" OK " in tagged, tagged
    untagged, _ = c.ok("FETCH 3 (BODY.PEEK[])")
    assert b"{28}\r\nFrom: a@example.org\r\n\r\nend\r\n" in untagged[0], untagged
    _, tagged = c.command('APPEND INBOX CATENATE (URL "/INBOX/;UID=999")')
    assert b"NO [BADURL" in tagged, tagged
    c.close()


def esearch(untagged, tag):
    return [line.rstrip() for line in untagged if line.startswith(b'* ESEARCH (TAG "%s")' % tag)]


def lines(untagged):
    return [line.rstrip() for line in untagged]


def test_partial_returns_a_window_of_the_results_in_result_order(any_gateway):
    """RFC 5267 §4.4: PARTIAL m:n gives the results at those positions (mailbox order for
    SEARCH, sort order for SORT), NIL past the end; PARTIAL with ALL is a BAD."""
    skip_unless_offered(any_gateway, "CONTEXT=SEARCH")
    c = login(any_gateway)
    for s in ["A", "B", "C", "D", "E"]:
        append(c, "INBOX", message(s))
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("SEARCH RETURN (PARTIAL 2:4 COUNT) ALL")
    assert esearch(untagged, c.last_tag) == [b'* ESEARCH (TAG "%s") COUNT 5 PARTIAL (2:4 2:4)' % c.last_tag], untagged
    untagged, _ = c.ok("UID SEARCH RETURN (PARTIAL 4:9) ALL")
    assert esearch(untagged, c.last_tag)[0].endswith(b"UID PARTIAL (4:9 4:5)"), untagged
    untagged, _ = c.ok("SEARCH RETURN (PARTIAL 6:10) ALL")
    assert esearch(untagged, c.last_tag)[0].endswith(b"PARTIAL (6:10 NIL)"), untagged
    untagged, _ = c.ok("UID SORT RETURN (PARTIAL 1:3) (REVERSE SUBJECT) UTF-8 ALL")
    assert esearch(untagged, c.last_tag)[0].endswith(b"UID PARTIAL (1:3 5,4,3)"), untagged
    _, tagged = c.command("SEARCH RETURN (PARTIAL 1:2 ALL) ALL")
    assert b" BAD " in tagged, tagged
    c.close()


def test_an_updating_search_tells_of_every_change_to_its_results(any_gateway):
    """RFC 5267 §4.3: RETURN (UPDATE) keeps the client told, by ADDTO and REMOVEFROM, of
    messages that arrive, change flags or go; REMOVEFROM comes before the EXPUNGE and
    ADDTO after the EXISTS; CANCELUPDATE stops it; a tag in use is a BAD."""
    skip_unless_offered(any_gateway, "CONTEXT=SEARCH")
    c, other = login(any_gateway), login(any_gateway)
    for s in ["A", "B", "C"]:
        append(c, "INBOX", message(s))
    c.ok("SELECT INBOX")
    c.ok("STORE 2 +FLAGS (\\Seen)")
    untagged, _ = c.ok("SEARCH RETURN (UPDATE) UNSEEN")
    tag = c.last_tag
    assert esearch(untagged, tag) == [b'* ESEARCH (TAG "%s") ALL 1,3' % tag], untagged
    _, tagged = c.command("SEARCH RETURN (UPDATE) ALL", tag=tag)
    assert b" BAD " in tagged, "a tag that names an updating search cannot be used for another"

    append(other, "INBOX", message("D"))
    untagged, _ = c.ok("NOOP")
    untagged = lines(untagged)
    exists_at = untagged.index(b"* 4 EXISTS")
    update_at = untagged.index(b'* ESEARCH (TAG "%s") ADDTO (0 4)' % tag)
    assert exists_at < update_at, untagged

    other.ok("SELECT INBOX")
    other.ok("STORE 1 +FLAGS (\\Seen)")
    untagged, _ = c.ok("NOOP")
    assert b'* ESEARCH (TAG "%s") REMOVEFROM (0 1)' % tag in lines(untagged), untagged

    other.ok("STORE 3 +FLAGS (\\Deleted)")
    other.ok("EXPUNGE")
    untagged = lines(c.ok("NOOP")[0])
    update_at = untagged.index(b'* ESEARCH (TAG "%s") REMOVEFROM (0 3)' % tag)
    assert update_at < untagged.index(b"* 3 EXPUNGE"), "REMOVEFROM names the message while its number is valid"

    c.ok(f'CANCELUPDATE "{tag.decode()}"')
    append(other, "INBOX", message("E"))
    untagged, _ = c.ok("NOOP")
    assert not esearch(untagged, tag), untagged
    _, tagged = c.command(f'CANCELUPDATE "{tag.decode()}"')
    assert b" NO " in tagged, tagged
    c.close()
    other.close()


def test_an_updating_sort_adds_and_removes_at_positions_in_sort_order(any_gateway):
    """RFC 5267 §4.3.3–4.3.4 with CONTEXT=SORT: positions count in the requested order."""
    skip_unless_offered(any_gateway, "CONTEXT=SORT")
    c, other = login(any_gateway), login(any_gateway)
    for s in ["b", "d", "f"]:
        append(c, "INBOX", message(s))
    c.ok("SELECT INBOX")
    untagged, _ = c.ok("UID SORT RETURN (UPDATE COUNT) (SUBJECT) UTF-8 UNDELETED")
    tag = c.last_tag
    assert esearch(untagged, tag)[0].endswith(b"UID COUNT 3"), untagged
    append(other, "INBOX", message("e"))   # UID 4, between d and f: position 4 once a is in
    append(other, "INBOX", message("a"))   # UID 5, first: position 1
    untagged, _ = c.ok("NOOP")
    assert b'* ESEARCH (TAG "%s") UID ADDTO (1 5) ADDTO (4 4)' % tag in lines(untagged), untagged
    untagged, _ = c.ok("STORE 2 +FLAGS (\\Deleted)")     # d, at position 3 of a b d e f
    assert b'* ESEARCH (TAG "%s") UID REMOVEFROM (3 2)' % tag in lines(untagged), untagged
    c.close()
    other.close()


def test_too_many_updating_searches_get_noupdate_and_still_answer(any_gateway):
    """RFC 5267 §4.3.1: past the limit the search is answered, with `NO [NOUPDATE "tag"]`."""
    skip_unless_offered(any_gateway, "CONTEXT=SEARCH")
    c = login(any_gateway)
    append(c, "INBOX", message("A"))
    c.ok("SELECT INBOX")
    for _ in range(16):
        untagged, _ = c.ok("SEARCH RETURN (UPDATE COUNT) ALL")
        assert not any(b"NOUPDATE" in line for line in untagged)
    untagged, _ = c.ok("SEARCH RETURN (UPDATE COUNT) ALL")
    assert b'* NO [NOUPDATE "%s"]' % c.last_tag in b"".join(untagged), untagged
    assert esearch(untagged, c.last_tag)[0].endswith(b"COUNT 1"), untagged
    c.close()
