"""mbsync (isync) synchronizing crmgate folders with a local Maildir: a full pull over
IMAPS and over STARTTLS, an idle second run, local deletions expunged on the server,
and local messages and folders pushed with APPEND and CREATE."""
import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import PASSWORD, imap_client, logged_commands, message

# Server folder -> the subjects of its messages. Names that trip up naive clients:
# spaces, a leading "- ", a hierarchy, and non-ASCII (modified UTF-7 on the wire).
FOLDERS = {
    "INBOX": ["Welcome", "Quarterly numbers"],
    "Project X": ["Kickoff", "Budget", "Timeline"],
    "- Create New Opportunity": ["Lead: Initech"],
    "Customers/Acme Corp": ["Acme order 1", "Acme order 2"],
    "Müller GmbH": ["Angebot für Müller", "Rechnung"],
}
EMPTY_FOLDERS = ["Archive", "Drafts", "Junk", "Sent", "Trash", "Customers"]


def subject_of(raw: bytes):
    """The Subject of a raw message; headers here may be raw UTF-8 (RFC 6532)."""
    return re.search(rb"^Subject: (.*?)\r?$", raw, re.MULTILINE | re.IGNORECASE).group(1).decode()


def mbsync_version():
    out = subprocess.run(["mbsync", "-v"], capture_output=True, text=True, timeout=10).stdout
    return tuple(int(n) for n in re.findall(r"\d+", out)[:2])


# isync 1.4 does not decode modified UTF-7: the Maildir folder keeps the wire name.
# isync 1.5 added non-ASCII mailbox name support and names the folder in UTF-8.
MUELLER_LOCAL = "Müller GmbH" if mbsync_version() >= (1, 5) else "M&APw-ller GmbH"


def local_name(server_name, flatten=None):
    name = MUELLER_LOCAL if server_name == "Müller GmbH" else server_name
    return name.replace("/", flatten) if flatten else name


class Mbsync:
    """One mbsync configuration: a channel of every folder (Patterns *), Create and
    Expunge on both sides, sync state kept inside each Maildir folder."""

    def __init__(self, gw, root: Path, starttls=False, flatten=None):
        self.gw = gw
        self.root = root
        self.maildir = root / "Mail"
        self.maildir.mkdir(parents=True)
        self.flatten = flatten
        self.rc = root / "mbsyncrc"
        layout = f"Flatten {flatten}" if flatten else "SubFolders Verbatim"
        # Host is "localhost", not 127.0.0.1: isync 1.4 matches the server name only against
        # the certificate's DNS names, never its IP addresses ("certificate owner does not match
        # hostname"). The generated certificate names both; localhost resolves to 127.0.0.1.
        self.rc.write_text(f"""
IMAPAccount crm
Host localhost
Port {gw.port if starttls else gw.tls_port}
User alice@example.com
Pass "{PASSWORD}"
SSLType {"STARTTLS" if starttls else "IMAPS"}
CertificateFile {gw.cert}
Timeout 15

IMAPStore crm-remote
Account crm

MaildirStore crm-local
Path {self.maildir}/
Inbox {self.maildir}/INBOX
{layout}

Channel crm
Far :crm-remote:
Near :crm-local:
Patterns *
Create Both
Expunge Both
SyncState *
""")

    def run(self):
        env = dict(os.environ, HOME=str(self.root))
        result = subprocess.run(["mbsync", "-c", str(self.rc), "-a", "-D"], capture_output=True,
                                text=True, errors="replace", timeout=20, env=env)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        return result

    def folder(self, server_name):
        return self.maildir / local_name(server_name, self.flatten)

    def messages(self, server_name):
        folder = self.folder(server_name)
        return sorted(p for sub in ("cur", "new") for p in (folder / sub).iterdir())

    def subjects(self, server_name):
        return sorted(subject_of(p.read_bytes()) for p in self.messages(server_name))

    def local_folders(self):
        return sorted(str(p.parent.relative_to(self.maildir)) for p in self.maildir.rglob("cur"))

    def snapshot(self):
        """Every file under the Maildir (names, sync state included) with a content hash."""
        return {str(p.relative_to(self.maildir)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in self.maildir.rglob("*") if p.is_file()}


@pytest.fixture
def seeded(any_gateway):
    c = imap_client(any_gateway)
    existing = {name for _, _, name in c.list_folders()}
    for folder, subjects in FOLDERS.items():
        # Parents first: an upstream such as Dovecot leaves a missing parent \Noselect.
        parts = folder.split("/")
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            if name not in existing:
                c.create_folder(name)  # IMAPClient sends modified UTF-7
                existing.add(name)
        for subject in subjects:
            c.append(folder, message(subject, body=f"{subject} in {folder}\r\n"))
    c.logout()
    return any_gateway


def server_state(gw):
    c = imap_client(gw)
    state = {name: c.folder_status(name, ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "HIGHESTMODSEQ"])
             for _, _, name in c.list_folders()}
    c.logout()
    return state


def server_subjects(gw, folder):
    c = imap_client(gw)
    c.select_folder(folder, readonly=True)
    data = c.fetch("1:*", ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    c.logout()
    return sorted(subject_of(m[b"BODY[HEADER.FIELDS (SUBJECT)]"]) for m in data.values())


def assert_pulled_everything(sync):
    expected = sorted([local_name(n, sync.flatten) for n in FOLDERS] +
                      [local_name(n, sync.flatten) for n in EMPTY_FOLDERS])
    assert sync.local_folders() == expected
    for folder, subjects in FOLDERS.items():
        assert sync.subjects(folder) == sorted(subjects), folder
    for folder in EMPTY_FOLDERS:
        assert sync.messages(folder) == [], folder
    body = sync.messages("Müller GmbH")
    assert any(b"Rechnung in M\xc3\xbcller GmbH" in p.read_bytes() for p in body)


def test_mbsync_pulls_every_folder_over_imaps_into_nested_maildir_folders(seeded, tmp_path):
    sync = Mbsync(seeded, tmp_path)
    sync.run()
    assert_pulled_everything(sync)
    # SubFolders Verbatim: the hierarchy becomes nested directories, names kept as they are.
    assert (sync.maildir / "Customers" / "Acme Corp" / "cur").is_dir()
    assert (sync.maildir / "- Create New Opportunity" / "cur").is_dir()
    assert (sync.maildir / "Project X" / "cur").is_dir()
    assert (sync.maildir / MUELLER_LOCAL / "cur").is_dir()


def test_mbsync_over_starttls_with_flatten_maps_the_hierarchy_to_dots(seeded, tmp_path):
    sync = Mbsync(seeded, tmp_path, starttls=True, flatten=".")
    result = sync.run()
    assert "STARTTLS" in result.stdout
    assert_pulled_everything(sync)
    assert (sync.maildir / "Customers.Acme Corp" / "cur").is_dir()
    assert not (sync.maildir / "Customers" / "Acme Corp").exists()
    assert "tls=false" in seeded.log_text() and "STARTTLS completed" in seeded.log_text()


def test_second_mbsync_run_is_a_no_op(seeded, tmp_path):
    sync = Mbsync(seeded, tmp_path)
    sync.run()
    local_before, server_before = sync.snapshot(), server_state(seeded)
    since = len(seeded.log_text())
    sync.run()
    assert sync.snapshot() == local_before
    assert server_state(seeded) == server_before
    commands = logged_commands(seeded, since)
    assert "SELECT" in commands  # it did look at the folders...
    changing = {"APPEND", "STORE", "UID STORE", "EXPUNGE", "UID EXPUNGE", "COPY", "UID COPY",
                "MOVE", "UID MOVE", "CREATE", "DELETE", "RENAME"}
    assert not changing & set(commands), commands  # ...and changed nothing


def test_message_deleted_locally_is_expunged_on_the_server(seeded, tmp_path):
    sync = Mbsync(seeded, tmp_path)
    sync.run()
    doomed = [p for p in sync.messages("Customers/Acme Corp")
              if subject_of(p.read_bytes()) == "Acme order 1"]
    assert len(doomed) == 1
    doomed[0].unlink()
    since = len(seeded.log_text())
    sync.run()
    assert server_subjects(seeded, "Customers/Acme Corp") == ["Acme order 2"]
    c = imap_client(seeded)
    assert c.folder_status("Customers/Acme Corp", ["MESSAGES"])[b"MESSAGES"] == 1  # gone, not flagged
    c.logout()
    assert "UID STORE" in logged_commands(seeded, since)
    # Other folders are untouched, and a further run changes nothing locally.
    assert server_subjects(seeded, "Project X") == sorted(FOLDERS["Project X"])
    sync.run()
    assert sync.subjects("Customers/Acme Corp") == ["Acme order 2"]


def test_flag_changes_propagate_both_ways(seeded, tmp_path):
    sync = Mbsync(seeded, tmp_path)
    sync.run()
    # Read locally: a Maildir reader moves the file to cur/ and adds the S info flag.
    [kickoff] = [p for p in sync.messages("Project X") if subject_of(p.read_bytes()) == "Kickoff"]
    base = kickoff.name.split(":2,")[0]
    kickoff.rename(kickoff.parent.parent / "cur" / f"{base}:2,S")
    # Flagged on the server.
    c = imap_client(seeded)
    c.select_folder("Project X")
    [budget_uid] = c.search(["SUBJECT", "Budget"])
    c.add_flags([budget_uid], [b"\\Flagged"])
    c.logout()

    sync.run()
    c = imap_client(seeded)
    c.select_folder("Project X", readonly=True)
    flags = {subject_of(m[b"BODY[HEADER.FIELDS (SUBJECT)]"]): set(m[b"FLAGS"])
             for m in c.fetch("1:*", ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]).values()}
    c.logout()
    assert flags == {"Kickoff": {b"\\Seen"}, "Budget": {b"\\Flagged"}, "Timeline": set()}
    local = {subject_of(p.read_bytes()): p.name.rsplit(",", 1)[1] for p in sync.messages("Project X")}
    assert local == {"Kickoff": "S", "Budget": "F", "Timeline": ""}


def write_maildir_message(folder: Path, subject, body):
    raw = (f"From: Alice <alice@example.com>\nTo: Bob <bob@example.com>\nSubject: {subject}\n"
           f"Date: Tue, 24 Nov 2026 09:30:00 +0000\nMessage-ID: <{subject.replace(' ', '.')}@example.com>\n"
           f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n")
    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    path = folder / "new" / f"1795000000.{hashlib.sha1(subject.encode()).hexdigest()[:12]}.localhost"
    path.write_text(raw, encoding="utf-8")
    return raw


def test_messages_written_into_the_local_maildir_are_appended_to_the_server(seeded, tmp_path):
    sync = Mbsync(seeded, tmp_path)
    sync.run()
    write_maildir_message(sync.folder("Project X"), "Written offline", "Notes from the train")
    write_maildir_message(sync.folder("Müller GmbH"), "Auftrag", "Grüße aus Köln")
    # A folder that exists only locally is created on the server (Create Both).
    write_maildir_message(sync.maildir / "Local Only", "Fresh folder", "First message")
    since = len(seeded.log_text())
    sync.run()

    assert server_subjects(seeded, "Project X") == sorted(FOLDERS["Project X"] + ["Written offline"])
    assert server_subjects(seeded, "Müller GmbH") == sorted(FOLDERS["Müller GmbH"] + ["Auftrag"])
    assert server_subjects(seeded, "Local Only") == ["Fresh folder"]
    commands = logged_commands(seeded, since)
    assert commands.count("APPEND") == 3 and commands.count("CREATE") == 1, commands

    c = imap_client(seeded)
    c.select_folder("Müller GmbH", readonly=True)
    uid = c.search(["SUBJECT", "Auftrag"])
    assert len(uid) == 1
    body = c.fetch(uid, ["BODY.PEEK[TEXT]"])[uid[0]][b"BODY[TEXT]"]
    assert "Grüße aus Köln".encode() in body
    c.logout()

    # mbsync recorded the new UIDs, so the next run neither re-uploads nor duplicates.
    since = len(seeded.log_text())
    sync.run()
    assert "APPEND" not in logged_commands(seeded, since)
    assert sync.subjects("Project X") == sorted(FOLDERS["Project X"] + ["Written offline"])
