"""neomutt reads a message and saves it into another folder: on the wire that is
UID COPY, UID STORE +FLAGS (\\Deleted) and EXPUNGE. neomutt needs a terminal, so it
runs under a pseudo-terminal, driven by keys pushed with -e."""
import fcntl
import os
import select
import struct
import subprocess
import termios
import time

from conftest import PASSWORD, imap_client, logged_commands, message, skip_unless_offered


def run_in_pty(argv, env, timeout=15):
    """Runs argv on a pseudo-terminal; returns (exit code, everything it drew)."""
    return run_in_pty_steps(argv, env, [], timeout)


def folder_keys(name):
    """Keys that type =name at neomutt's folder prompt. A space there triggers
    completion ("=Project " completes to "=Project X", then the X is typed again,
    giving "Project XX"), so each space is quoted with <quote-char>."""
    return "=" + name.replace(" ", "<quote-char> ")


def neomutt_home(tmp_path, gw, settings):
    """A neomutt home for alice on `gw` over IMAPS, with `settings` after the connection's;
    returns (home, environment)."""
    home = tmp_path / "neomutt-home"
    home.mkdir()
    (home / "muttrc").write_text("\n".join([
        f'set folder="imaps://alice%40example.com@{gw.host}:{gw.tls_port}/"',
        'set spoolfile="+INBOX"', f'set imap_pass="{PASSWORD}"',
        f'set certificate_file="{home / "certificates"}"', f'set ssl_ca_certificates_file="{gw.cert}"',
        "set imap_check_subscribed=no", 'set header_cache=""', 'set message_cachedir=""', "set sleep_time=0",
        "unset wait_key",
    ] + settings) + "\n")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    return home, env


def neomutt_save(gw, tmp_path, folder):
    """Opens INBOX, displays the current message, saves it to `folder`, syncs and quits."""
    home, env = neomutt_home(tmp_path, gw, ["set mail_check=0", "set delete=yes", "set confirmappend=no",
                                            "set confirmcreate=no", "set quit=yes", "set move=no", 'set record=""'])
    keys = f"<display-message><exit><save-message>{folder_keys(folder)}<enter><sync-mailbox><quit>"
    log = home / "neomutt.log"
    rc, screen = run_in_pty(["neomutt", "-n", "-F", str(home / "muttrc"), "-d", "5", "-l", str(log),
                             "-e", f'push "{keys}"'], env)
    logs = sorted(home.glob("neomutt.log*"))
    trace = "\n".join(p.read_text(errors="replace") for p in logs)
    wire = "\n".join(line for line in trace.splitlines() if "mutt_socket_" in line)
    return rc, screen, wire


def seed(gw):
    c = imap_client(gw)
    c.create_folder("Project X")
    c.create_folder("Müller GmbH")
    c.append("INBOX", message("Keep me"), flags=[b"\\Seen"])
    # neomutt opens on the first unread message, so this is the one it displays and saves.
    c.append("INBOX", message("Save me"))
    c.logout()


def subjects(c, folder):
    c.select_folder(folder, readonly=True)
    data = c.fetch("1:*", ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    return [(m[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip().decode(), m[b"FLAGS"]) for m in data.values()]


def assert_saved(gw, tmp_path, folder):
    seed(gw)
    since = len(gw.log_text())
    rc, screen, wire = neomutt_save(gw, tmp_path, folder)
    assert rc == 0, (screen[-2000:], wire[-4000:])

    c = imap_client(gw)
    saved = subjects(c, folder)
    assert [s for s, _ in saved] == ["Subject: Save me"], wire[-4000:]
    assert b"\\Seen" in saved[0][1] and b"\\Deleted" not in saved[0][1]  # it was read before the copy
    assert [s for s, _ in subjects(c, "INBOX")] == ["Subject: Keep me"]
    assert c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 1  # expunged, not just flagged
    names = {name for _, _, name in c.list_folders()}
    assert names == {"INBOX", "Archive", "Drafts", "Sent", "Trash", "Junk", "Project X",
                     "Müller GmbH"}  # no stray CREATE
    c.logout()

    commands = logged_commands(gw, since)
    copy = commands.index("UID COPY")
    assert "UID STORE" in commands[copy:], commands
    store = copy + commands[copy:].index("UID STORE")
    assert "EXPUNGE" in commands[store:], commands
    assert "CREATE" not in commands and "APPEND" not in commands
    # The wire shows what the STORE was: the saved message flagged \Deleted, then expunged.
    assert "+FLAGS.SILENT (\\Deleted)" in wire
    assert "< * 2 EXPUNGE" in wire
    return wire


def test_neomutt_saves_a_read_message_to_archive_with_copy_store_expunge(any_gateway, tmp_path):
    assert_saved(any_gateway, tmp_path, "Archive")


def test_neomutt_saves_into_a_folder_whose_name_has_a_space(any_gateway, tmp_path):
    assert_saved(any_gateway, tmp_path, "Project X")


def test_neomutt_saves_into_a_non_ascii_folder_with_utf8_accept(any_gateway, tmp_path):
    skip_unless_offered(any_gateway, "UTF8=ACCEPT")
    wire = assert_saved(any_gateway, tmp_path, "Müller GmbH")
    # neomutt in a UTF-8 locale turns on UTF8=ACCEPT and then names mailboxes in UTF-8.
    assert "ENABLED UTF8=ACCEPT" in wire
    assert 'UID COPY 2 "Müller GmbH"' in wire


def test_neomutt_shows_a_conversation_as_a_thread(any_gateway, tmp_path):
    """neomutt's threaded view (sort=threads) builds the tree from the References and
    In-Reply-To it fetches: a reply and a reply to it sit under their original."""
    c = imap_client(any_gateway)
    headers = {
        "Plan for Q3": "Message-ID: <plan@example.org>\r\n",
        "Re: Plan for Q3": "Message-ID: <reply@example.org>\r\nIn-Reply-To: <plan@example.org>\r\n",
        "Re: Re: Plan for Q3": ("Message-ID: <again@example.org>\r\nIn-Reply-To: <reply@example.org>\r\n"
                                "References: <plan@example.org> <reply@example.org>\r\n"),
        "Lunch": "Message-ID: <lunch@example.org>\r\n",
    }
    for subject, extra in headers.items():
        raw = (f"From: a@example.org\r\nTo: alice@example.com\r\nSubject: {subject}\r\n{extra}"
               f"Date: Mon, 02 Mar 2026 1{len(subject) % 10}:00:00 +0000\r\n\r\nbody\r\n").encode()
        c.append("INBOX", raw, flags=[b"\\Seen"])
    c.logout()
    home, env = neomutt_home(tmp_path, any_gateway, ["set mail_check=0", "set sort=threads", "set ascii_chars=yes",
                                                     'set index_format="%4C %s"', "set quit=yes"])
    rc, screen = run_in_pty(["neomutt", "-n", "-F", str(home / "muttrc"), "-e", 'push "<redraw-screen><quit>"'], env)
    text = screen.decode(errors="replace")
    assert rc == 0, text[-2000:]
    # The reply (2) hangs under the original, the reply to it (3) one level deeper, and the
    # unrelated mail (4) stands alone (ascii_chars draws the tree as "`->").
    assert "2 `->" in text and "3   `->" in text, text[-3000:]
    assert "4 Lunch" in text, text[-3000:]


def run_in_pty_steps(argv, env, steps, timeout=30):
    """Runs argv on a pseudo-terminal and types each step's keys after waiting its seconds;
    a step may instead be a function to call at that point. Returns (exit code, screen)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    screen = b""

    def drain(seconds):
        nonlocal screen
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                screen += chunk
        return True

    try:
        for wait, step in steps:
            if not drain(wait):
                break
            if callable(step):
                step()
            else:
                os.write(master, step.encode())
        drain(timeout) if proc.poll() is None else None
        if proc.poll() is None:
            proc.kill()
        return proc.wait(timeout=5), screen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        os.close(master)


def test_neomutt_shows_mail_that_arrives_while_it_expunges(any_gateway, tmp_path):
    """A drop returned to INBOX lands while neomutt expunges what it moved away. neomutt
    takes an EXISTS followed by an EXPUNGE in one exchange as an expunge only, then fetches
    beyond the end and shows the new mail only when the folder is reopened. Made
    deterministic here: the new mail arrives between neomutt's delete and its sync (which
    sends UID STORE and EXPUNGE in one exchange). crmgate's own folders announce the new
    mail in an exchange of its own; in proxy mode INBOX is Dovecot's, whose order (EXPUNGE,
    then EXISTS) neomutt handles and crmgate relays unchanged."""
    gw = any_gateway
    c = imap_client(gw)
    c.append("INBOX", message("Keep me"), flags=[b"\\Seen"])
    c.append("INBOX", message("Delete me"), flags=[b"\\Seen"])
    c.logout()
    home, env = neomutt_home(tmp_path, gw, [
        # Check the open folder every 5 s (looked at each key-press timeout of 1 s), as a user
        # waiting at the index; the sync below comes before the first check.
        "set mail_check=5", "set timeout=1", "set imap_idle=no",
        "set delete=yes", "set quit=yes", "set sort=date-sent", 'set index_format="%4C %s"', "unset mark_old"])

    def arrive():
        other = imap_client(gw)
        other.append("INBOX", message("Returned drop"))
        other.logout()

    rc, screen = run_in_pty_steps(
        ["neomutt", "-n", "-F", str(home / "muttrc"), "-d", "5", "-l", str(home / "neomutt.log"), "-e", 'push "<last-entry>"'],
        env, [(2, "d"), (0.2, arrive), (0, "$"), (9, "q")], timeout=10)
    trace = "\n".join(p.read_text(errors="replace") for p in sorted(home.glob("neomutt.log*")))
    wire = [line for line in trace.splitlines() if "mutt_socket_" in line]
    wire_text = "\n".join(wire)
    assert rc == 0, screen.decode(errors="replace")[-2000:]
    # neomutt learns of the new mail (UID 3) and fetches it, in the same session, without an
    # out-of-range FETCH and without reopening the folder.
    assert "FETCH (UID 3 " in wire_text, wire_text[-5000:]
    assert " BAD " not in wire_text, wire_text[-5000:]
    # crmgate's own folders: no answer carries both an EXPUNGE and an EXISTS. Proxy mode: no
    # EXPUNGE follows an EXISTS within one answer (Dovecot's order, relayed as it came).
    exchange = []
    for line in wire + ["> a-end"]:
        if "> a" in line:
            kinds = [kind for l in exchange for kind in ("EXISTS", "EXPUNGE") if l.endswith(" " + kind)]
            if getattr(gw, "upstream", None):
                assert "EXPUNGE" not in kinds[kinds.index("EXISTS"):] if "EXISTS" in kinds else True, exchange
            else:
                assert not ("EXISTS" in kinds and "EXPUNGE" in kinds), exchange
            exchange = []
        elif "< * " in line:
            exchange.append(line.rstrip())
    assert sum("> a" in line and " SELECT " in line for line in wire) == 1, "neomutt reopened the folder"
    assert b"Returned drop" in screen
