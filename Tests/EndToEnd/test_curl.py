"""curl's IMAP client against crmgate: LIST over IMAPS and STARTTLS, FETCH by UID,
a custom UID MOVE, and no login on the plain port without TLS."""
import subprocess

from conftest import PASSWORD, imap_client, message

USER = "alice@example.com"


def curl(gw, url, *args, ssl_reqd=False, timeout=20):
    argv = ["curl", "--silent", "--show-error", "--verbose", "--max-time", "15",
            "--cacert", str(gw.cert), "-u", f"{USER}:{PASSWORD}"]
    if ssl_reqd:
        argv.append("--ssl-reqd")
    result = subprocess.run([*argv, *args, url], capture_output=True, timeout=timeout)
    # --verbose traces the IMAP exchange on stderr; keep it readable in failure messages.
    result.trace = result.stderr.decode(errors="replace")
    return result


def seed(gw):
    c = imap_client(gw)
    for name in ("Project X", "Müller GmbH"):
        c.create_folder(name)
    c.append("INBOX", message("Curl me"))
    c.append("INBOX", message("Stay here"))
    c.logout()


EXPECTED_LIST_LINES = [
    b'* LIST (\\HasNoChildren) "/" INBOX',
    b'* LIST (\\HasNoChildren \\Archive) "/" Archive',
    b'* LIST (\\HasNoChildren) "/" "Project X"',
    # curl shows the wire form: modified UTF-7 for a non-ASCII name.
    b'* LIST (\\HasNoChildren) "/" "M&APw-ller GmbH"',
]


def test_curl_lists_folders_over_imaps(any_gateway):
    seed(any_gateway)
    result = curl(any_gateway, f"imaps://{any_gateway.host}:{any_gateway.tls_port}/")
    assert result.returncode == 0, result.trace
    lines = result.stdout.splitlines()
    for line in EXPECTED_LIST_LINES:
        assert line in lines, result.stdout
    assert len(lines) == 8  # INBOX, five special-use folders, Project X, Müller GmbH


def test_curl_lists_folders_over_starttls_with_ssl_reqd(any_gateway):
    seed(any_gateway)
    result = curl(any_gateway, f"imap://{any_gateway.host}:{any_gateway.port}/", ssl_reqd=True)
    assert result.returncode == 0, result.trace
    # The STARTTLS exchange really happened, and login only after it.
    assert "< A002 OK" in result.trace
    assert result.trace.index("> A002 STARTTLS") < result.trace.index("AUTHENTICATE PLAIN")
    lines = result.stdout.splitlines()
    for line in EXPECTED_LIST_LINES:
        assert line in lines, result.stdout


def test_curl_fetches_a_message_by_uid_exactly_and_marks_it_seen(any_gateway):
    seed(any_gateway)
    result = curl(any_gateway, f"imaps://{any_gateway.host}:{any_gateway.tls_port}/INBOX;UID=1")
    assert result.returncode == 0, result.trace
    assert result.stdout == message("Curl me")
    c = imap_client(any_gateway)
    c.select_folder("INBOX", readonly=True)
    flags = c.fetch([1, 2], ["FLAGS"])  # by UID
    assert b"\\Seen" in flags[1][b"FLAGS"]
    assert b"\\Seen" not in flags[2][b"FLAGS"]
    c.logout()


def test_curl_fetches_and_searches_in_folders_with_a_space_and_non_ascii_names(any_gateway):
    seed(any_gateway)
    c = imap_client(any_gateway)
    c.append("Project X", message("Kickoff"))
    c.append("Project X", message("Budget"))
    c.append("Müller GmbH", message("Angebot"))
    c.logout()
    base = f"imaps://{any_gateway.host}:{any_gateway.tls_port}"
    result = curl(any_gateway, f"{base}/Project%20X;UID=2")
    assert result.returncode == 0, result.trace
    assert result.stdout == message("Budget")
    result = curl(any_gateway, f"{base}/Project%20X?SUBJECT%20Budget")
    assert result.returncode == 0, result.trace
    assert result.stdout.splitlines() == [b"* SEARCH 2"]
    # The URL carries the wire (modified UTF-7) name; & is %26.
    result = curl(any_gateway, f"{base}/M%26APw-ller%20GmbH;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)")
    assert result.returncode == 0, result.trace
    assert result.stdout.strip() == b"Subject: Angebot"


def test_curl_custom_uid_move_moves_the_message_to_archive(any_gateway):
    seed(any_gateway)
    result = curl(any_gateway, f"imaps://{any_gateway.host}:{any_gateway.tls_port}/INBOX", "-X", "UID MOVE 1 Archive")
    assert result.returncode == 0, result.trace
    assert "UID MOVE 1 Archive" in result.trace
    assert "[COPYUID " in result.trace and "ok move completed" in result.trace.lower()
    c = imap_client(any_gateway)
    c.select_folder("Archive", readonly=True)
    archived = c.fetch("1:*", ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    assert [m[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() for m in archived.values()] == [b"Subject: Curl me"]
    c.select_folder("INBOX", readonly=True)
    left = c.fetch("1:*", ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])  # IMAPClient keys by UID
    assert [(uid, m[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip()) for uid, m in left.items()] == [
        (2, b"Subject: Stay here")]
    c.logout()


def test_curl_without_ssl_reqd_cannot_log_in_on_the_plain_port(any_gateway):
    seed(any_gateway)
    result = curl(any_gateway, f"imap://{any_gateway.host}:{any_gateway.port}/INBOX;UID=1")
    assert result.returncode != 0, result.trace
    assert "LOGINDISABLED" in result.trace
    assert result.stdout == b""
    log = any_gateway.log_text()
    assert "tls=false" in log
    assert log.count("login succeeded") == 1  # only the seeding imapclient session
    assert PASSWORD not in log
