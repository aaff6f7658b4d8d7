"""Whatever crmgate acknowledged survives a kill -9; SIGTERM shuts down cleanly."""
import imaplib
import signal
import time

from imapclient import IMAPClient

from conftest import PASSWORD, message


def test_append_survives_kill_9_right_after_ok(gateway):
    c = IMAPClient(gateway.host, port=gateway.tls_port, ssl=True, ssl_context=gateway.tls_context())
    c.login("alice@example.com", PASSWORD)
    result = c.append("INBOX", message("Durable"), flags=[b"\\Flagged"])
    assert b"APPENDUID" in result
    c.select_folder("INBOX")
    c.add_flags([1], [b"$Important"])
    gateway.kill9()
    gateway.start()
    c = IMAPClient(gateway.host, port=gateway.tls_port, ssl=True, ssl_context=gateway.tls_context())
    c.login("alice@example.com", PASSWORD)
    c.select_folder("INBOX")
    data = c.fetch("1", ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    assert data[1][b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() == b"Subject: Durable"
    assert set(data[1][b"FLAGS"]) >= {b"\\Flagged", b"$Important"}
    c.logout()


def test_sigterm_ends_idle_with_bye_and_exits_cleanly(gateway):
    c = IMAPClient(gateway.host, port=gateway.tls_port, ssl=True, ssl_context=gateway.tls_context())
    c.login("alice@example.com", PASSWORD)
    c.select_folder("INBOX")
    c.idle()
    gateway.proc.send_signal(signal.SIGTERM)
    responses = []
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            got = c.idle_check(timeout=1)
        except (imaplib.IMAP4.abort, OSError, EOFError):
            break
        responses += got
        if any(r[0] == b"BYE" or (len(r) > 1 and r[1] == b"BYE") for r in responses):
            break
    assert any(b"BYE" in (r[0] if isinstance(r[0], bytes) else b"") for r in responses), responses
    assert gateway.proc.wait(timeout=15) == 0
    assert "crmgate stopped" in gateway.log_text()
