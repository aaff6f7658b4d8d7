"""Drops across stores in proxy mode: a mail moved from the upstream (Dovecot) into a drop
folder becomes one CRM record and goes back upstream marked $CRMDone, whether the user is
still connected, comes back later, or crmgate logs in as a master user; and a Dovecot
killed in the middle of a MOVE loses and duplicates nothing."""
import sqlite3
import threading
import time

import pytest

import dovecot
from conftest import imap_client
from drophelpers import (DONE, DROP_OPPORTUNITY, ERROR, PENDING, build_mail, drop_gateway, log_excerpt, messages,
                         new_message_id, one_record_named, policy, status_line, wait_for)

pytestmark = pytest.mark.skipif(not dovecot.installed(), reason="needs dovecot-imapd (scripts/test installs it)")


def upstream_inbox(upstream, needle):
    """[(uid, flags)] of the upstream INBOX's messages whose header has needle (straight from Dovecot)."""
    c = upstream.client()
    try:
        return [(uid, flags) for uid, flags, header in messages(c, "INBOX") if needle.encode() in header]
    finally:
        c.logout()


def lock_crm(gw):
    """An exclusive write lock on the embedded CRM: drops wait, retried, until it is released."""
    lock = sqlite3.connect(gw.root / "data" / "crm.sqlite", isolation_level=None, timeout=5)
    lock.execute("BEGIN EXCLUSIVE")
    return lock


def move_while_the_crm_is_down(gw, upstream, subject):
    """Puts a new mail into the upstream INBOX and MOVEs it into the drop folder while the CRM
    refuses writes; logs out, then lets the CRM write again: the drop completes (on its 5 s
    retry) with nobody connected. Returns the mail's Message-ID."""
    message_id = new_message_id("globex.example")
    direct = upstream.client()
    direct.append("INBOX", build_mail(subject, message_id=message_id))
    direct.logout()
    lock = lock_crm(gw)
    try:
        with imap_client(gw) as c:
            c.select_folder("INBOX")
            c.move(c.search(["HEADER", "Message-ID", message_id]), DROP_OPPORTUNITY)
        assert wait_for(lambda: "drop will be retried" in gw.log_text(), 30), log_excerpt(gw, "drop")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    one_record_named(gw, "opportunities", subject, seconds=30)
    return message_id


def test_imapclient_move_from_upstream_inbox_makes_one_record_and_comes_back_done(tmp_path):
    with dovecot.Dovecot(tmp_path / "up") as upstream, \
            drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        message_id = new_message_id("globex.example")
        subject = "Cooling units for the Bremen warehouse"
        direct = upstream.client()
        direct.append("INBOX", build_mail(subject, message_id=message_id))
        direct.logout()
        with imap_client(gw) as c:
            c.select_folder("INBOX")
            [uid] = c.search(["HEADER", "Message-ID", message_id])
            c.move([uid], DROP_OPPORTUNITY)
            assert c.search(["HEADER", "Message-ID", message_id]) == []
            one_record_named(gw, "opportunities", subject)
            back = wait_for(lambda: [f for _, f in upstream_inbox(upstream, message_id) if DONE in f], 20)
            assert back, log_excerpt(gw, "drop", "upstream")
            assert wait_for(lambda: messages(c, DROP_OPPORTUNITY) == [], 10)
        assert len(upstream_inbox(upstream, message_id)) == 1
        assert len(gw.api.named("opportunities", subject)) == 1


def test_a_processed_drop_waits_in_the_drop_folder_until_the_user_logs_in_again(tmp_path):
    with dovecot.Dovecot(tmp_path / "up") as upstream, \
            drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        message_id = move_while_the_crm_is_down(gw, upstream, "Conveyor belt spare parts")
        # Processed while nobody is connected: no password to log in upstream with.
        time.sleep(1)
        assert upstream_inbox(upstream, message_id) == []
        status = gw.cli("status")
        with imap_client(gw) as c:
            # The login hands crmgate the password for the user's waiting returns.
            assert wait_for(lambda: upstream_inbox(upstream, message_id), 20), log_excerpt(gw, "upstream")
            assert wait_for(lambda: messages(c, DROP_OPPORTUNITY) == [], 10)
        [(_, flags)] = upstream_inbox(upstream, message_id)
        assert DONE in flags and PENDING not in flags
        assert "waiting to go back" in status.stdout, status.stdout


def test_with_a_master_user_processed_drops_go_back_while_the_user_is_away(tmp_path):
    with dovecot.Dovecot(tmp_path / "up", master=True) as upstream:
        config = policy() + upstream.upstream_config(**upstream.master_config(tmp_path))
        with drop_gateway(tmp_path / "gw", config) as gw:
            message_id = move_while_the_crm_is_down(gw, upstream, "Forklift batteries")
            back = wait_for(lambda: upstream_inbox(upstream, message_id), 20)
            assert back and DONE in back[0][1], log_excerpt(gw, "upstream")


def test_dovecot_killed_in_the_middle_of_a_move_loses_and_duplicates_nothing(tmp_path):
    with dovecot.Dovecot(tmp_path / "up") as upstream, \
            drop_gateway(tmp_path / "gw", policy() + upstream.upstream_config()) as gw:
        ids = [new_message_id("globex.example") for _ in range(30)]
        padding = "x" * 76 + "\r\n"
        direct = upstream.client()
        for i, message_id in enumerate(ids):
            direct.append("INBOX", build_mail(f"Pallet order {i:02d}", message_id=message_id, body=padding * 4000))
        direct.logout()
        c = imap_client(gw)
        c.select_folder("INBOX")
        uids = c.search(["ALL"])
        killer = threading.Timer(0.3, upstream.kill)
        killer.start()
        with pytest.raises(Exception):
            c.move(uids, DROP_OPPORTUNITY)
            c.noop()
        killer.join()
        upstream.start()
        # Whatever reached the drop folder is processed once and goes back; the rest never left.
        with imap_client(gw) as c:
            def settled():
                return messages(c, DROP_OPPORTUNITY) == [] and all(
                    len(upstream_inbox(upstream, m)) == 1 for m in ids[:1] + ids[-1:])
            assert wait_for(settled, 60, interval=1), (messages(c, DROP_OPPORTUNITY)[:3], log_excerpt(gw, "upstream", "drop"))
        for i, message_id in enumerate(ids):
            copies = upstream_inbox(upstream, message_id)
            assert len(copies) == 1, (i, copies)
            records = gw.api.named("opportunities", f"Pallet order {i:02d}")
            assert len(records) == (1 if DONE in copies[0][1] else 0), (i, copies, records)


def test_the_report_of_a_failed_drop_goes_to_the_upstream_inbox_and_is_taken_back_when_the_drop_works(tmp_path):
    with dovecot.Dovecot(tmp_path / "up") as upstream, \
            drop_gateway(tmp_path / "gw", policy(must_match=True, create_contacts=False) + upstream.upstream_config()) as gw:
        message_id = new_message_id("nowhere.example")
        direct = upstream.client()
        direct.append("INBOX", build_mail("Unknown sender", sender="Nobody <nobody@nowhere.example>", message_id=message_id))
        direct.logout()
        with imap_client(gw) as c:
            c.select_folder("INBOX")
            c.move(c.search(["HEADER", "Message-ID", message_id]), DROP_OPPORTUNITY)
            failed = wait_for(lambda: [f for _, f, h in messages(c, DROP_OPPORTUNITY)
                                       if message_id.encode() in h and b"$CRMError" in f], 20)
            assert failed, log_excerpt(gw, "drop")
            reports = wait_for(lambda: upstream_inbox(upstream, "X-CRMGate-Report"), 20)
            assert len(reports) == 1, log_excerpt(gw, "upstream", "drop")
            # The report left the drop folder; the failed mail stays there for the user to retry.
            assert [h for _, _, h in messages(c, DROP_OPPORTUNITY) if b"X-CRMGate-Report" in h] == []
            assert status_line(gw) == [0, 0, 1]

            # The sender becomes a contact; the user moves the mail back to INBOX and drops it again.
            gw.api.post("/contacts", {"fields": {"lastName": "Nobody", "emails": ["nobody@nowhere.example"]}})
            failed = [u for u, _, h in messages(c, DROP_OPPORTUNITY) if message_id.encode() in h]
            c.select_folder(DROP_OPPORTUNITY)
            c.move(failed, "INBOX")
            c.select_folder("INBOX")
            c.move(c.search(["HEADER", "Message-ID", message_id]), DROP_OPPORTUNITY)
            one_record_named(gw, "opportunities", "Unknown sender", seconds=30)
            assert wait_for(lambda: [f for _, f in upstream_inbox(upstream, message_id) if DONE in f], 30), \
                log_excerpt(gw, "upstream", "drop")
        # The report that said it failed is gone from the mail server, without a note instead.
        assert wait_for(lambda: upstream_inbox(upstream, "X-CRMGate-Report") == [], 30), log_excerpt(gw, "upstream", "report")
        [(_, flags)] = upstream_inbox(upstream, message_id)
        assert ERROR not in flags and b"\\Flagged" not in flags, flags
        assert status_line(gw) == [0, 1, 0]


def test_a_move_with_a_message_too_big_for_crmgate_copies_nothing(tmp_path):
    from conftest import Gateway
    with dovecot.Dovecot(tmp_path / "up") as upstream:
        root = tmp_path / "gw"
        root.mkdir()
        gw = Gateway(root, extra_config=policy() + upstream.upstream_config(), max_message_bytes=100_000)
        assert gw.cli("demo", "seed").returncode == 0
        gw.start()
        try:
            direct = upstream.client()
            direct.append("INBOX", build_mail("Small one", message_id=new_message_id("globex.example")))
            direct.append("INBOX", build_mail("Big one", message_id=new_message_id("globex.example"), body=("x" * 76 + "\r\n") * 2000))
            direct.logout()
            with imap_client(gw) as c:
                assert wait_for(lambda: DROP_OPPORTUNITY in [n for _, _, n in c.list_folders()], 20)
                c.select_folder("INBOX")
                with pytest.raises(Exception) as refused:
                    c.move(c.search(["ALL"]), DROP_OPPORTUNITY)
                assert "TOOBIG" in str(refused.value) and "nothing was copied" in str(refused.value)
                assert messages(c, DROP_OPPORTUNITY) == []
                c.select_folder("INBOX")
                assert len(c.search(["ALL"])) == 2
        finally:
            gw.stop()
