"""Shared pieces of the drop-folder end-to-end tests (test_drop_*.py): a demo gateway with a
drop policy, the CRM's JSON API (records and archived emails), building test mails, and
finding a dropped mail again over IMAP once crmgate has processed it."""
import base64
import contextlib
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email import message_from_bytes, policy as email_policy

from conftest import demo_gateway, imap_client

CRM_FOLDER = "Embedded CRM"
DROP_OPPORTUNITY = f"{CRM_FOLDER}/- Create New Opportunity"
DROP_EMAIL = f"{CRM_FOLDER}/- Create New Email"
PENDING, DONE, ERROR = b"$CRMPending", b"$CRMDone", b"$CRMError"
REPORT_HEADER = b"X-CRMGate-Report"


# ---------------------------------------------------------------- configuration and gateway

def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def policy(**switches):
    """A `[[policy]]` for every account with the given drop switches, e.g.
    policy(must_match=True, blocked=[r"spam\\.example"])."""
    lines = ["[[policy]]", 'name = "everyone"', 'users = ["*"]']
    lines += [f"{key} = {toml_value(value)}" for key, value in switches.items()]
    return "\n".join(lines) + "\n"


def wait_for(predicate, seconds=10, interval=0.2):
    """Polls predicate until it returns something truthy (returned) or the deadline passes
    (then the last value is returned, falsy)."""
    deadline = time.time() + seconds
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(interval)


@contextlib.contextmanager
def drop_gateway(root, policy_text=None):
    """A started demo gateway (alice, bob and carla with the demo CRM data) whose drop
    folders exist; `gw.api` talks to the JSON API as alice, an administrator there so that
    it sees the whole CRM (her folders keep her policy's scope). Stopped on exit."""
    root.mkdir(parents=True, exist_ok=True)
    gw = demo_gateway(root, policy() if policy_text is None else policy_text, web_admins=["alice@example.com"])
    token = gw.cli("token", "create", "alice@example.com")
    assert token.returncode == 0, token.stderr
    gw.api = API(gw, token.stdout.strip())
    gw.start()
    try:
        c = imap_client(gw)
        try:
            names = lambda: {n for _, _, n in c.list_folders()}
            assert wait_for(lambda: {DROP_OPPORTUNITY, DROP_EMAIL} <= names(), 20), names()
        finally:
            c.logout()
        yield gw
    finally:
        gw.stop()


def wait_for_drop_folder(gw, users, folder=DROP_OPPORTUNITY, seconds=60):
    """Until every user's CRM tree shows `folder` (each user's tree is built after start)."""
    for user in users:
        c = imap_client(gw, user)
        try:
            assert wait_for(lambda: folder in {n for _, _, n in c.list_folders()}, seconds), f"{folder} did not appear for {user}"
        finally:
            c.logout()


def first_contact(gw):
    """`Name <address>` of the embedded CRM's first contact, read from its file (read-only)."""
    import sqlite3
    crm = sqlite3.connect(f"file:{gw.root / 'data' / 'crm.sqlite'}?mode=ro", uri=True)
    try:
        name, address = crm.execute("""SELECT r.name, e.email FROM record r JOIN recordEmail e ON e.recordId = r.id
                                       WHERE r.module = 'contacts' AND NOT r.deleted ORDER BY r.id LIMIT 1""").fetchone()
        return f"{name} <{address}>"
    finally:
        crm.close()


# ---------------------------------------------------------------- JSON API

class APIError(AssertionError):
    pass


class API:
    """The embedded CRM's JSON API (docs/API.md) with a bearer token."""

    def __init__(self, gw, token):
        self.base = gw.web_url + "/api/v1"
        self.token = token

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            raise APIError(f"{method} {path} answered {error.code}: {error.read()[:500]!r}") from None

    def get(self, path):
        return json.loads(self.request("GET", path)[2])

    def post(self, path, body):
        return json.loads(self.request("POST", path, body)[2])

    def records(self, module):
        """Every record of a module (pages of 500)."""
        out, offset = [], 0
        while True:
            page = self.get(f"/{module}?limit=500&offset={offset}")
            out += page["data"]
            offset += len(page["data"])
            if not page["data"] or offset >= page["total"]:
                return out

    def named(self, module, name):
        """Records of `module` whose name field is exactly `name`."""
        key = "subject" if module in ("cases", "tasks", "events") else "name"
        page = self.get(f"/{module}?limit=500&q=" + urllib.parse.quote(name))
        return [r for r in page["data"] if r["fields"].get(key) == name]

    # Archived emails (the contract of the emails API).
    def emails_of(self, module, record_id):
        return self.get(f"/{module}/{record_id}/emails")["data"]

    def emails_with_message_id(self, message_id):
        return self.get("/emails?messageId=" + urllib.parse.quote(message_id, safe=""))["data"]

    def email(self, email_id):
        return self.get(f"/emails/{email_id}")["data"]

    def raw(self, email_id):
        return self.request("GET", f"/emails/{email_id}/raw")[2]

    def attachment(self, email_id, attachment_id):
        return self.request("GET", f"/emails/{email_id}/attachments/{attachment_id}")[2]


def by_email(records):
    """Address (lower-cased) -> record, for contacts and leads."""
    return {address.lower(): r for r in records for address in (r["fields"].get("emails") or [])}


def by_domain(accounts):
    return {domain.lower(): a for a in accounts for domain in (a["fields"].get("domains") or [])}


def refs(items, skip_users=True):
    """{(module, id)} of an archived email's people or records; users left out (a drop
    relates mail to contacts, leads, accounts and records; whether users are listed too is
    not part of what these tests check)."""
    return {(r["module"], str(r["id"])) for r in items if not (skip_users and r["module"] == "users")}


# ---------------------------------------------------------------- building mails

def new_message_id(domain="test.example"):
    return f"<{uuid.uuid4().hex}@{domain}>"


def build_mail(subject="Test", sender="Ines Fischer <ines.fischer@globex.example>", to="alice@example.com",
               cc=None, bcc=None, body="Hello,\r\nplease send a quote.\r\n", attachments=(), message_id=None,
               extra_headers=(), date="Tue, 24 Nov 2026 10:00:00 +0000"):
    """A CRLF mail as bytes. attachments: (filename, content type, bytes), sent base64.
    Header values may be str (encoded UTF-8, raw) or None to leave the header out."""
    headers = [("From", sender), ("To", to), ("Cc", cc), ("Bcc", bcc), ("Subject", subject), ("Date", date),
               ("Message-ID", message_id), ("MIME-Version", "1.0"), *extra_headers]
    head = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers if v is not None)
    if not attachments:
        return head + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode()
    boundary = "=_b" + uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}".encode()]
    for filename, content_type, data in attachments:
        encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
        parts.append(f"--{boundary}\r\nContent-Type: {content_type}; name=\"{filename}\"\r\n"
                     f"Content-Disposition: attachment; filename=\"{filename}\"\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n".encode() + encoded)
    return (head + f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n".encode()
            + b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode())


def binary_attachment(size=12_345, seed=7):
    """Bytes of every value, reproducible, so that a byte-for-byte comparison means something."""
    return random.Random(seed).randbytes(size)


# ---------------------------------------------------------------- finding mail over IMAP

def messages(c, folder):
    """[(uid, flags, header bytes)] of a folder, read-only."""
    c.select_folder(folder, readonly=True)
    data = c.fetch("1:*", ["FLAGS", "BODY.PEEK[HEADER]"])
    # An unsolicited FETCH (FLAGS) about a message that arrived during the command is merged
    # into the answer by IMAPClient without a header, and one expunged meanwhile comes with a
    # NIL header (RFC 2180 §4.1.3); the next look sees the folder as it is.
    return [(uid, set(m[b"FLAGS"]), m[b"BODY[HEADER]"]) for uid, m in sorted(data.items()) if m.get(b"BODY[HEADER]")]


def is_report(header):
    return REPORT_HEADER.lower() + b":" in header.lower()


def copies(c, needle, folders):
    """[(folder, uid, flags)] of the messages (reports excluded) whose header contains needle."""
    needle = needle.encode() if isinstance(needle, str) else needle
    return [(folder, uid, flags) for folder in folders for uid, flags, header in messages(c, folder)
            if needle in header and not is_report(header)]


def reports(c, folder):
    """[(uid, header)] of the error reports crmgate put into a folder."""
    return [(uid, header) for uid, _, header in messages(c, folder) if is_report(header)]


def settled(c, needle, drop, source="INBOX", done_in=None, seconds=15):
    """Waits until the mail with `needle` in its header has reached its final place: done
    (`$CRMDone`) in `done_in` (default: `source`, where it is returned to), or failed
    (`$CRMError`) in the drop folder. Returns (state, folder, flags) with state "done" or
    "error"; on timeout what was last seen: ("pending" | "done" | "error", folder, flags)
    for a single copy, ("lost", None, None) or ("copies", [(folder, uid, flags)…], None)."""
    done_in = source if done_in is None else done_in
    folders = [source] if source == drop else [source, drop]
    if done_in not in folders:
        folders.append(done_in)

    def look():
        found = copies(c, needle, folders)
        if len(found) != 1:
            return ("lost", None, None) if not found else ("copies", found, None)
        folder, _, flags = found[0]
        if PENDING in flags:
            return "pending", folder, flags
        if DONE in flags:
            return "done", folder, flags
        if ERROR in flags:
            return "error", folder, flags
        return "pending", folder, flags

    final = lambda seen: seen if seen[:2] in (("done", done_in), ("error", drop)) else None
    return wait_for(lambda: final(look()), seconds) or look()


def drop_by_move(c, raw, folder, source="INBOX"):
    """APPENDs the mail to `source`, then UID MOVEs it into `folder` (Thunderbird's way)."""
    answer = c.append(source, raw)
    c.select_folder(source)
    appended = re.search(rb"\[APPENDUID \d+ (\d+)\]", answer or b"")
    c.move([int(appended.group(1)) if appended else max(c.search(["ALL"]))], folder)


def header_field(header, name):
    """The unfolded value of the first `name:` header field, decoded (RFC 2047) to str."""
    value = message_from_bytes(header + b"\r\n", policy=email_policy.default).get(name)
    return None if value is None else str(value)


def body_text(c, folder, uid):
    c.select_folder(folder, readonly=True)
    raw = c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    message = message_from_bytes(raw, policy=email_policy.default)
    part = message.get_body(preferencelist=("plain", "html")) or message
    return part.get_content() if not part.is_multipart() else raw.decode(errors="replace")


def status_line(gw, account="alice@example.com"):
    """[pending, done, failed] of an account in `crmgate status`, or None."""
    for line in gw.cli("status").stdout.splitlines():
        if line.startswith(account + " "):
            return [int(n) for n in line.split()[1:4]]
    return None


def log_excerpt(gw, *needles, lines=40):
    """The last log lines that mention any of needles (for assertion messages)."""
    text = gw.log_text().splitlines()
    picked = [line[:400] for line in text if any(n in line for n in needles)]
    return "\n".join(picked[-lines:])


# ---------------------------------------------------------------- shared assertions

def one_record_named(gw, module, name, seconds=10):
    """Waits for exactly one record of `module` named `name` and returns it; fails when
    none appears in time or more than one exists (a duplicate is never tolerated)."""
    found = wait_for(lambda: gw.api.named(module, name), seconds)
    assert len(found) == 1, (f"{module} named {name!r}: {len(found)} record(s)",
                             log_excerpt(gw, "drop", "error"))
    return found[0]


def assert_archived_once(gw, module, record_id, message_id, attachments=()):
    """The record has exactly one archived email, the given mail, related to the record,
    with every attachment retrievable byte for byte. Returns the email."""
    emails = gw.api.emails_of(module, record_id)
    assert len(emails) == 1, emails
    email = emails[0]
    assert email["messageId"] == message_id, email
    assert gw.api.email(email["id"])["id"] == email["id"]
    assert (module, str(record_id)) in refs(email["records"]), email["records"]
    for filename, content_type, data in attachments:
        named = [a for a in email["attachments"] if a["filename"] == filename]
        assert len(named) == 1, email["attachments"]
        assert named[0]["size"] == len(data), named[0]
        assert named[0]["contentType"].split(";")[0].strip().lower() == content_type, named[0]
        assert gw.api.attachment(email["id"], named[0]["id"]) == data
    return email
