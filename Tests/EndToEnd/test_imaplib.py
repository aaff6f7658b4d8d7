"""Python imaplib against crmgate over STARTTLS and IMAPS."""
import imaplib
import socket
import ssl

import pytest

from conftest import PASSWORD, message


def login_tls(gw, user="alice@example.com"):
    imap = imaplib.IMAP4_SSL(gw.host, gw.tls_port, ssl_context=gw.tls_context())
    imap.login(user, PASSWORD)
    return imap


def test_login_before_starttls_is_refused(any_gateway):
    imap = imaplib.IMAP4(any_gateway.host, any_gateway.port)
    assert "LOGINDISABLED" in imap.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED|STARTTLS"):
        imap.login("alice@example.com", PASSWORD)
    imap.logout()


def test_starttls_verifies_against_generated_certificate(any_gateway):
    imap = imaplib.IMAP4(any_gateway.host, any_gateway.port)
    imap.starttls(ssl_context=any_gateway.tls_context())
    assert "LOGINDISABLED" not in imap.capabilities
    typ, _ = imap.login("alice@example.com", PASSWORD)
    assert typ == "OK"
    imap.logout()


def test_imaps_verifies_against_generated_certificate(any_gateway):
    imap = login_tls(any_gateway)
    assert imap.socket().version() in ("TLSv1.2", "TLSv1.3")
    imap.logout()


def test_untrusted_client_rejects_the_development_certificate(any_gateway):
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(any_gateway.host, any_gateway.tls_port, ssl_context=ssl.create_default_context())


def test_wrong_password_is_refused_after_a_delay(any_gateway):
    imap = imaplib.IMAP4_SSL(any_gateway.host, any_gateway.tls_port, ssl_context=any_gateway.tls_context())
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap.login("alice@example.com", "Xq7-not-the-password")
    assert "login failed" in any_gateway.log_text()
    assert "Xq7-not-the-password" not in any_gateway.log_text()


def test_authenticate_plain_with_initial_response(any_gateway):
    imap = imaplib.IMAP4_SSL(any_gateway.host, any_gateway.tls_port, ssl_context=any_gateway.tls_context())
    typ, _ = imap.authenticate("PLAIN", lambda _: f"\0alice@example.com\0{PASSWORD}".encode())
    assert typ == "OK"
    imap.logout()


def test_new_account_has_special_use_folders(any_gateway):
    imap = login_tls(any_gateway)
    typ, lines = imap.list()
    text = b"\n".join(lines).decode()
    for name, use in [("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"),
                      ("Junk", "\\Junk"), ("Archive", "\\Archive")]:
        assert f'{use}' in text and f'"/" {name}' in text
    assert '"/" INBOX' in text
    imap.logout()


def test_append_fetch_search_store_expunge(any_gateway):
    imap = login_tls(any_gateway)
    typ, data = imap.append("INBOX", "(\\Flagged)", None, message("First"))
    assert typ == "OK" and b"APPENDUID" in data[0]
    imap.append("INBOX", None, None, message("Second", body="Grüße aus Köln\r\n"))
    typ, data = imap.select("INBOX")
    assert data == [b"2"]
    typ, data = imap.uid("SEARCH", None, "FLAGGED")
    assert data == [b"1"]
    typ, data = imap.search("UTF-8", "BODY", '"Köln"'.encode())
    assert data == [b"2"]
    typ, data = imap.fetch("1:2", "(UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK"
    raw = b"".join(part if isinstance(part, bytes) else b"".join(part) for part in data)
    assert b"Subject: First" in raw and b"Subject: Second" in raw and b"\\Flagged" in raw
    imap.store("1", "+FLAGS", "(\\Deleted)")
    typ, data = imap.expunge()
    assert data == [b"1"]
    typ, data = imap.fetch("1", "(BODY[TEXT])")
    assert "Grüße aus Köln".encode() in data[0][1]
    typ, data = imap.fetch("1", "(FLAGS)")
    assert b"\\Seen" in data[0]
    imap.logout()


def test_malformed_commands_get_bad_and_the_connection_survives(any_gateway):
    context = any_gateway.tls_context()
    with socket.create_connection((any_gateway.host, any_gateway.tls_port)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as s:
            f = s.makefile("rwb")
            assert f.readline().startswith(b"* OK")
            for line, expected in [
                (b"a1 FROBNICATE\r\n", b"a1 BAD"),
                (b"a2 FETCH\r\n", b"a2 BAD"),
                (b"\r\n", b"* BAD"),
                (b"a3 LOGIN\r\n", b"a3 BAD"),
                (b"a4 SELECT INBOX\r\n", b"a4 BAD"),
                (b"a5 " + b"X" * 70000 + b"\r\n", b"a5 BAD"),
            ]:
                f.write(line)
                f.flush()
                reply = f.readline()
                assert reply.startswith(expected), (line[:40], reply)
            f.write(b"a6 NOOP\r\n")
            f.flush()
            assert f.readline().startswith(b"a6 OK")


def test_oversized_literal_is_refused_without_reading_it(tmp_path):
    from conftest import Gateway
    gw = Gateway(tmp_path, max_message_bytes=1000)
    gw.add_user("alice@example.com")
    gw.start()
    try:
        imap = login_tls(gw)
        typ, caps = imap.capability()
        assert b"APPENDLIMIT=1000" in caps[0].split()
        typ, data = imap.append("INBOX", None, None, message("Big", body="x" * 5000))
        assert typ == "NO" and b"[TOOBIG]" in data[0]
        typ, _ = imap.noop()
        assert typ == "OK"
        imap.logout()
    finally:
        gw.stop()


def test_repeated_failed_logins_from_one_address_are_throttled(tmp_path):
    from conftest import Gateway
    gw = Gateway(tmp_path, max_failed_logins=2, failed_login_delay_ms=0)
    gw.add_user("alice@example.com")
    gw.start()
    try:
        imap = imaplib.IMAP4_SSL(gw.host, gw.tls_port, ssl_context=gw.tls_context())
        for _ in range(2):
            with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
                imap.login("alice@example.com", "bad")
        # Even the right password is refused until the window passes.
        with pytest.raises(imaplib.IMAP4.error, match="UNAVAILABLE"):
            imap.login("alice@example.com", PASSWORD)
        assert "too many recent failures" in gw.log_text()
    finally:
        gw.stop()


def test_connection_without_login_times_out_with_bye(tmp_path):
    from conftest import Gateway
    gw = Gateway(tmp_path, unauthenticated_timeout=1)
    gw.start()
    try:
        with socket.create_connection((gw.host, gw.port), timeout=20) as s:
            f = s.makefile("rb")
            assert f.readline().startswith(b"* OK")
            assert f.readline().startswith(b"* BYE")
            assert f.readline() == b""
    finally:
        gw.stop()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])


def test_endless_line_and_oversized_literal_do_not_grow_memory(any_gateway):
    context = any_gateway.tls_context()
    before = rss_kib(any_gateway.proc.pid)
    with socket.create_connection((any_gateway.host, any_gateway.tls_port)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as s:
            f = s.makefile("rwb")
            f.readline()
            f.write(b"a1 LOGIN alice@example.com {%d+}\r\n" % len(PASSWORD) + PASSWORD.encode() + b"\r\n")
            f.flush()
            assert f.readline().startswith(b"a1 OK")
            chunk = b"A" * (1 << 20)
            f.write(b"a2 NOOP ")
            for _ in range(64):
                f.write(chunk)
            f.write(b"\r\n")
            f.flush()
            assert f.readline().startswith(b"a2 BAD")
            f.write(b"a3 APPEND INBOX {%d+}\r\n" % (64 << 20))
            for _ in range(64):
                f.write(chunk)
            f.write(b"\r\n")
            f.flush()
            reply = f.readline()
            assert reply.startswith(b"a3 NO [TOOBIG]") or reply.startswith(b"a3 BAD"), reply
            f.write(b"a4 NOOP\r\n")
            f.flush()
            assert f.readline().startswith(b"a4 OK")
    grown = rss_kib(any_gateway.proc.pid) - before
    assert grown < 40 * 1024, f"server memory grew by {grown} KiB for 128 MiB of refused input"


def test_the_limit_on_open_files_is_raised_at_start_and_logged(gateway):
    """Issue 16: each connection takes a file descriptor; the soft limit goes up to the hard one."""
    import re
    import resource
    line = next(l for l in gateway.log_text().splitlines() if "open files limit" in l)
    limit, hard = (int(re.search(rf"{key}=(\d+)", line).group(1)) for key in ("limit", "hard_limit"))
    assert limit == hard == resource.getrlimit(resource.RLIMIT_NOFILE)[1], line
