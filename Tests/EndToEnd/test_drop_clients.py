"""Drops made by real clients: neomutt's batch save (UID COPY, STORE \\Deleted, EXPUNGE)
and mbsync's APPEND of a message written into the local copy of a drop folder. Each
creates exactly one opportunity, verified through the JSON API, with the mail archived to
it once and its attachment retrievable byte for byte; the mail comes back to INBOX marked
$CRMDone."""
import pytest

import dovecot
from conftest import imap_client
from drophelpers import (DROP_OPPORTUNITY, ERROR, assert_archived_once, binary_attachment, build_mail, drop_gateway,
                         messages, new_message_id, one_record_named, policy, settled)
from test_mbsync import Mbsync
from test_neomutt import neomutt_save

ATTACHMENT = ("offer.pdf", "application/pdf", binary_attachment(20_000))


@pytest.fixture(params=["local", "proxy"])
def gateway_config(request, tmp_path):
    """The drop policy, alone or with crmgate in front of a real Dovecot (where the mail goes
    back to the upstream INBOX once processed)."""
    if request.param == "local":
        yield policy()
        return
    if not dovecot.installed():
        pytest.skip("needs dovecot-imapd (scripts/test installs it)")
    with dovecot.Dovecot(tmp_path / "upstream") as upstream:
        yield policy() + upstream.upstream_config()


def assert_back_in_inbox_done(gw, message_id):
    with imap_client(gw) as c:
        state, folder, flags = settled(c, message_id, DROP_OPPORTUNITY)
        assert (state, folder) == ("done", "INBOX"), (state, folder, flags)
        assert ERROR not in flags and b"\\Deleted" not in flags, flags
        assert messages(c, DROP_OPPORTUNITY) == []


def test_neomutt_save_into_create_new_opportunity(tmp_path, gateway_config):
    with drop_gateway(tmp_path / "gw", gateway_config) as gw:
        message_id = new_message_id()
        raw = build_mail("Re: 12 forklifts for the Hamburg depot", message_id=message_id,
                         sender="Ines Fischer <ines.fischer@globex.example>", attachments=[ATTACHMENT])
        with imap_client(gw) as c:
            c.append("INBOX", build_mail("Keep me", message_id=new_message_id()), flags=[b"\\Seen"])
            c.append("INBOX", raw)  # the first unread message: the one neomutt opens and saves

        # The folder prompt completes on a space, so neomutt_save quotes every space of the name.
        rc, screen, wire = neomutt_save(gw, tmp_path, DROP_OPPORTUNITY)
        assert rc == 0, (screen[-2000:], wire[-4000:])
        assert 'UID COPY 2 "Embedded CRM/- Create New Opportunity"' in wire, wire[-4000:]
        assert "+FLAGS.SILENT (\\Deleted)" in wire

        record = one_record_named(gw, "opportunities", "12 forklifts for the Hamburg depot")
        assert_archived_once(gw, "opportunities", record["id"], message_id, [ATTACHMENT])
        assert_back_in_inbox_done(gw, message_id)
        with imap_client(gw) as c:
            inbox = messages(c, "INBOX")
        assert len(inbox) == 2, inbox  # "Keep me" and the returned mail, nothing duplicated or lost
        assert len(gw.api.named("opportunities", "12 forklifts for the Hamburg depot")) == 1


def test_mbsync_append_into_the_local_drop_folder(tmp_path, gateway_config):
    with drop_gateway(tmp_path / "gw", gateway_config) as gw:
        sync = Mbsync(gw, tmp_path / "mbsync")
        sync.run()
        local_drop = sync.folder(DROP_OPPORTUNITY)
        assert (local_drop / "cur").is_dir(), sync.local_folders()

        message_id = new_message_id()
        raw = build_mail("Fwd: Solar roof for the Leipzig plant", message_id=message_id,
                         sender="Ines Fischer <ines.fischer@globex.example>", attachments=[ATTACHMENT])
        # A message written by a local mail program: Maildir, LF line endings, in new/.
        (local_drop / "new" / "1795000001.drop1.localhost").write_bytes(raw.replace(b"\r\n", b"\n"))
        sync.run()

        record = one_record_named(gw, "opportunities", "Solar roof for the Leipzig plant")
        assert_archived_once(gw, "opportunities", record["id"], message_id, [ATTACHMENT])
        # APPEND has no source folder, so the mail goes to INBOX.
        assert_back_in_inbox_done(gw, message_id)

        # The next sync takes the move over: the local drop folder empties, INBOX gets the
        # mail, and nothing is uploaded again or recorded twice.
        sync.run()
        assert sync.messages(DROP_OPPORTUNITY) == []
        assert [p for p in sync.messages("INBOX") if message_id.encode() in p.read_bytes()], sync.messages("INBOX")
        assert len(gw.api.named("opportunities", "Solar roof for the Leipzig plant")) == 1
        assert len(gw.api.emails_of("opportunities", record["id"])) == 1
