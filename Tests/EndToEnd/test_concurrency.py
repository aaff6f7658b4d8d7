"""Two sessions on one mailbox: each sees the other's changes, at once while in IDLE."""
import time

from imapclient import IMAPClient

from conftest import PASSWORD, message


def client(gw):
    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=30)
    c.login("alice@example.com", PASSWORD)
    return c


def idle_until(c, predicate, timeout=10):
    """Collects IDLE responses until predicate(responses) holds or the timeout passes."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        seen += c.idle_check(timeout=1)
        if predicate(seen):
            break
    return seen


def test_idle_session_sees_append_flag_change_and_expunge(gateway):
    watcher, actor = client(gateway), client(gateway)
    watcher.select_folder("INBOX")
    actor.select_folder("INBOX")
    watcher.idle()

    actor.append("INBOX", message("Live"))
    seen = idle_until(watcher, lambda r: (1, b"EXISTS") in r)
    assert (1, b"EXISTS") in seen

    actor.noop()
    actor.add_flags([1], [b"\\Flagged"])
    seen = idle_until(watcher, lambda r: any(x[1] == b"FETCH" for x in r))
    fetches = [x for x in seen if x[1] == b"FETCH"]
    assert fetches and fetches[0][0] == 1 and b"\\Flagged" in fetches[0][2][fetches[0][2].index(b"FLAGS") + 1]

    actor.add_flags([1], [b"\\Deleted"])
    actor.expunge()
    seen = idle_until(watcher, lambda r: (1, b"EXPUNGE") in r)
    assert (1, b"EXPUNGE") in seen
    watcher.idle_done()
    assert watcher.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 0
    watcher.logout()
    actor.logout()


def test_non_idle_session_sees_changes_at_its_next_command(gateway):
    a, b = client(gateway), client(gateway)
    a.append("INBOX", message("One"))
    a.append("INBOX", message("Two"))
    a.append("INBOX", message("Three"))
    a.select_folder("INBOX")
    b.select_folder("INBOX")
    b.delete_messages([2])
    b.expunge()
    b.append("INBOX", message("Four"))
    # New mail first; the other session's expunge in the next answer, never both in one
    # (neomutt misreads the two together).
    responses = a.noop()[1]
    assert (4, b"EXISTS") in responses and not any(kind == b"EXPUNGE" for _, kind in responses), responses
    responses = a.noop()[1]
    assert (2, b"EXPUNGE") in responses and not any(kind == b"EXISTS" for _, kind in responses), responses
    # Sequence numbers stay right: message 3 is now "Four".
    subjects = a.fetch("1:*", ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    assert [subjects[i][b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() for i in sorted(subjects)] == [
        b"Subject: One", b"Subject: Three", b"Subject: Four"]
    a.logout()
    b.logout()
