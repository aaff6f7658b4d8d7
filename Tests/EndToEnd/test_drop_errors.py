"""The error paths of drops: a mail nothing matches under must_match (reported beside the
mail, retried by moving it in again), a CRM outage (the drop waits as $CRMPending and
completes once the CRM is back), and malformed mails (processed or reported, never lost,
never a crash)."""
import hashlib
import sqlite3

import pytest

from conftest import imap_client
from drophelpers import (DONE, DROP_OPPORTUNITY, ERROR, PENDING, binary_attachment, body_text, build_mail, copies,
                         drop_by_move, drop_gateway, header_field, log_excerpt, new_message_id, policy, reports,
                         settled, status_line, wait_for)


def test_unmatched_sender_under_must_match_is_reported_and_retried_by_moving_it_again(tmp_path):
    with drop_gateway(tmp_path / "gw", policy(must_match=True, create_contacts=False)) as gw:
        subject = "Quote request for 300 pallets"
        message_id = new_message_id("example.org")
        raw = build_mail(subject, sender="Bert Unknown <bert@unknown-company.example>", to="alice@example.com",
                         message_id=message_id)
        with imap_client(gw) as c:
            drop_by_move(c, raw, DROP_OPPORTUNITY)
            state, folder, flags = settled(c, message_id, DROP_OPPORTUNITY)
            assert (state, folder) == ("error", DROP_OPPORTUNITY), (state, folder, flags, log_excerpt(gw, "drop"))
            assert PENDING not in flags and DONE not in flags
            # Flagged too, so that clients without keywords (Apple Mail, Outlook, phones) show it.
            assert b"\\Flagged" in flags and b"$label1" in flags, flags
            assert gw.api.named("opportunities", subject) == []
            assert gw.api.emails_with_message_id(message_id) == []

            # The report beside the mail: from crmgate, saying what, why and what to do.
            [(uid, header)] = reports(c, DROP_OPPORTUNITY)
            assert header_field(header, "Subject") == f'Could not create an opportunity from "{subject}"'
            assert "crmgate" in header_field(header, "From").lower()
            text = " ".join(body_text(c, DROP_OPPORTUNITY, uid).split())
            assert "bert@unknown-company.example" in text, text
            assert f"Subject: {subject}" in text and f"Message-ID: {message_id}" in text, text
            assert "No contact or lead in Embedded CRM has the address" in text, text
            assert "move the mail into this folder again" in text, text
            assert status_line(gw) == [0, 0, 1]
            assert "bert@unknown-company.example" in gw.cli("status").stdout

            # Fix the cause, then move the mail out and into the drop folder again: it is retried.
            contact = gw.api.post("/contacts", {"fields": {"firstName": "Bert", "lastName": "Unknown",
                                                           "emails": ["bert@unknown-company.example"]}})
            [(_, errored, _)] = copies(c, message_id, [DROP_OPPORTUNITY])
            c.select_folder(DROP_OPPORTUNITY)
            c.move([errored], "INBOX")
            [(_, back, _)] = copies(c, message_id, ["INBOX"])
            c.select_folder("INBOX")
            c.move([back], DROP_OPPORTUNITY)

            state, folder, flags = settled(c, message_id, DROP_OPPORTUNITY)
            assert (state, folder) == ("done", "INBOX"), (state, folder, flags, log_excerpt(gw, "drop"))
            assert ERROR not in flags and PENDING not in flags
            assert b"\\Flagged" not in flags and b"$label1" not in flags, flags
            # The report of the failure went with it: nothing says it failed any more.
            assert reports(c, DROP_OPPORTUNITY) == []
            assert status_line(gw) == [0, 1, 0]
        [record] = gw.api.named("opportunities", subject)
        assert record["fields"]["contact"] == contact["id"]
        emails = gw.api.emails_of("opportunities", record["id"])
        assert len(emails) == 1 and emails[0]["messageId"] == message_id


def test_crm_outage_keeps_the_drop_pending_until_the_crm_is_back(tmp_path):
    with drop_gateway(tmp_path / "gw") as gw:
        subject = "Cold storage for 40 pallets"
        message_id = new_message_id("globex.example")
        raw = build_mail(subject, sender="Ines Fischer <ines.fischer@globex.example>", message_id=message_id)
        database = gw.root / "data" / "crm.sqlite"
        assert database.exists()
        with imap_client(gw) as c:
            # An exclusive write lock on the CRM's database: its reads go on (WAL), every write
            # waits out the busy timeout and fails with SQLITE_BUSY, a transient error.
            lock = sqlite3.connect(database, isolation_level=None, timeout=5)
            try:
                lock.execute("BEGIN EXCLUSIVE")
                since = len(gw.log_text())
                drop_by_move(c, raw, DROP_OPPORTUNITY)
                tried = lambda: any(m in gw.log_text()[since:] for m in ("drop will be retried", "drop failed", "drop done"))
                assert wait_for(tried, 30, interval=0.5), log_excerpt(gw, "drop")
                assert "drop will be retried" in gw.log_text()[since:], log_excerpt(gw, "drop")
                [(folder, _, flags)] = copies(c, message_id, ["INBOX", DROP_OPPORTUNITY])
                assert folder == DROP_OPPORTUNITY and PENDING in flags and ERROR not in flags and DONE not in flags, flags
                assert status_line(gw) == [1, 0, 0], gw.cli("status").stdout
                assert c.noop()
                assert gw.api.named("opportunities", subject) == []
            finally:
                lock.execute("ROLLBACK")
                lock.close()

            # Back: the next retry (5 s after the first failure) completes the drop, exactly once.
            state, folder, flags = settled(c, message_id, DROP_OPPORTUNITY, seconds=25)
            assert (state, folder) == ("done", "INBOX"), (state, folder, flags, log_excerpt(gw, "drop"))
        [record] = gw.api.named("opportunities", subject)
        assert len(gw.api.emails_of("opportunities", record["id"])) == 1
        assert status_line(gw) == [0, 1, 0]


# ---------------------------------------------------------------- malformed mail

SENDER = "Ines Fischer <ines.fischer@globex.example>"


def broken_mime():
    """Each builder returns the raw mail and the attachments that must come back byte for byte."""
    # A multipart whose closing boundary never comes, with an unknown transfer encoding and
    # a base64 part that is not base64, cut off in the middle of a line.
    return (f"From: {SENDER}\r\nTo: alice@example.com\r\nSubject: Broken MIME order\r\n"
            f"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: {new_message_id()}\r\nX-Test-Case: broken-mime\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zzz\"\r\n\r\n"
            "preamble\r\n--zzz\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: x-rot13-maybe\r\n\r\n"
            "Please ship 10 crates.\r\n--zzz\r\nContent-Type: application/pdf; name=\"order.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"order.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            "JVBERi0xLjQK%%%not*base64!!!\r\nAAAA=BBBB==CC\r\nJVBERi0xLj").encode(), {}


def no_headers():
    # Neither From, Subject, Date nor Message-ID: only a recipient and a body.
    return b"To: ines.fischer@globex.example\r\nX-Test-Case: no-headers\r\n\r\nA mail with almost no header.\r\n", {}


def eight_bit_headers():
    # Raw UTF-8 in Subject and in the From display name (RFC 6532 style), no encoded words.
    return ("From: Jürgen Müller <juergen.mueller@brightwave-solar.example>\r\nTo: alice@example.com\r\n"
            "Subject: AW: Angebot für Müller – Größe ½\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
            f"Message-ID: {new_message_id()}\r\nX-Test-Case: eight-bit-headers\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n").encode(), {}


def big_attachment():
    data = binary_attachment(20 * 1024 * 1024, seed=20)  # 20 MiB, about 27 MiB as base64
    return build_mail("Tender documents", sender=SENDER, message_id=new_message_id(),
                      extra_headers=[("X-Test-Case", "big-attachment")],
                      attachments=[("tender.bin", "application/octet-stream", data)]), {"tender.bin": data}


def nested_message():
    inner = build_mail("Contract draft v3", sender="Legal <legal@globex.example>", to="ines.fischer@globex.example",
                       message_id=new_message_id(), attachments=[("contract.pdf", "application/pdf", b"%PDF-1.4 draft")])
    return (f"From: {SENDER}\r\nTo: alice@example.com\r\nSubject: Fwd: Contract draft v3\r\n"
            f"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: {new_message_id()}\r\nX-Test-Case: nested-message\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            "--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the forwarded mail.\r\n"
            "--outer\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"draft.eml\"\r\n\r\n"
            ).encode() + inner + b"\r\n--outer--\r\n", {"draft.eml": inner}


MALFORMED = [  # (id, builder, the opportunity's name when it is processed)
    ("broken-mime", broken_mime, "Broken MIME order"),
    ("no-headers", no_headers, "(no subject)"),
    ("eight-bit-headers", eight_bit_headers, "Angebot für Müller – Größe ½"),
    ("big-attachment", big_attachment, "Tender documents"),
    ("nested-message", nested_message, "Contract draft v3"),
]


@pytest.mark.parametrize("case,build,name", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_mail_is_processed_or_reported_never_lost(case, build, name, tmp_path):
    with drop_gateway(tmp_path / "gw") as gw:
        raw, attachments = build()
        needle = f"X-Test-Case: {case}"
        with imap_client(gw) as c:
            drop_by_move(c, raw, DROP_OPPORTUNITY)
            state, folder, flags = settled(c, needle, DROP_OPPORTUNITY, seconds=60)
            # Never lost, never a crash: the server answers, on this session and a new one.
            assert gw.proc.poll() is None, log_excerpt(gw, "error", "fatal", "crash")
            assert c.noop()
            with imap_client(gw) as fresh:
                assert fresh.noop()
            assert state in ("done", "error"), (state, folder, flags, log_excerpt(gw, "drop"))

            if state == "error":
                assert folder == DROP_OPPORTUNITY
                [(uid, header)] = reports(c, DROP_OPPORTUNITY)
                assert header_field(header, "Subject").startswith("Could not create an opportunity from")
                assert [r for r in gw.api.records("opportunities") if r["fields"]["name"] == name] == []
                return

            assert folder == "INBOX" and DONE in flags
            [(_, stored, _)] = copies(c, needle, ["INBOX"])
            c.select_folder("INBOX", readonly=True)
            assert c.fetch([stored], ["BODY.PEEK[]"])[stored][b"BODY[]"] == raw  # the mail itself, unchanged
        [record] = [r for r in gw.api.records("opportunities") if r["fields"]["name"] == name]
        emails = gw.api.emails_of("opportunities", record["id"])
        assert len(emails) == 1
        assert gw.api.raw(emails[0]["id"]) == raw
        if case == "eight-bit-headers":
            assert emails[0]["subject"] == "AW: Angebot für Müller – Größe ½"
            contacts = [r for r in gw.api.records("contacts")
                        if "juergen.mueller@brightwave-solar.example" in r["fields"]["emails"]]
            assert [(r["fields"]["firstName"], r["fields"]["lastName"]) for r in contacts] == [("Jürgen", "Müller")]
        for filename, expected in attachments.items():
            [attachment] = [a for a in emails[0]["attachments"] if a["filename"] == filename]
            assert attachment["size"] == len(expected)
            data = gw.api.attachment(emails[0]["id"], attachment["id"])
            assert hashlib.sha256(data).hexdigest() == hashlib.sha256(expected).hexdigest(), filename
