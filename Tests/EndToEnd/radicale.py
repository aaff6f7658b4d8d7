"""A throwaway Radicale 3.9.0 (PyPI, installed by scripts/test) on loopback with htpasswd
users, for the DAV bridge's end-to-end tests, and a small CardDAV and CalDAV reader to look
at what the bridge wrote the way a user's client would."""
import base64
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import free_port

EXECUTABLE = os.environ.get("CRMGATE_RADICALE") or str(Path(__file__).resolve().parents[2] / ".venv/bin/radicale")
USERS = {"alice@example.com": "alice-dav", "bob@example.com": "bob-dav", "carla@example.com": "carla-dav"}


def installed():
    return Path(EXECUTABLE).exists()


class Radicale:
    """`with Radicale(root) as r:` runs Radicale until the block ends."""

    def __init__(self, root: Path, users=None):
        self.root = root
        self.users = users or USERS
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = None

    def __enter__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        users = self.root / "users"
        users.write_text("".join(f"{user}:{password}\n" for user, password in self.users.items()))
        config = self.root / "config"
        config.write_text(f"""[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
[storage]
filesystem_folder = {self.root / "collections"}
[rights]
type = owner_only
[logging]
level = warning
""")
        self.proc = subprocess.Popen([EXECUTABLE, "--config", str(config)], stdout=subprocess.DEVNULL,
                                     stderr=open(self.root / "radicale.log", "ab"))
        import socket
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("radicale did not start")

    def __exit__(self, *_):
        self.proc.kill()
        self.proc.wait()

    def dav_config(self):
        """The gateway's [dav] section: the server by template, each account's password in its own file."""
        lines = ["[dav]", f'url = "{self.url}"', 'username = "{user}"']
        for user, password in self.users.items():
            password_file = self.root / f"{user}.password"
            password_file.write_text(password + "\n")
            lines += ["[[dav.account]]", f'user = "{user}"', f'password_file = "{password_file}"']
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ reading as a client

    def request(self, method, path, user="alice@example.com", body=None, headers=None):
        token = base64.b64encode(f"{user}:{self.users[user]}".encode()).decode()
        request = urllib.request.Request(self.url.rstrip("/") + path, data=body, method=method,
                                         headers={"Authorization": "Basic " + token, **(headers or {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().decode()

    def collections(self, kind, user="alice@example.com"):
        """{display name: path} of the user's collections whose resource type is `kind`."""
        xml = self.request("PROPFIND", f"/{user}/", user, headers={"Depth": "1"})
        found = {}
        for response in re.findall(r"<(?:\w+:)?response>(.*?)</(?:\w+:)?response>", xml, re.S):
            name = re.search(r"<(?:\w+:)?displayname>(.*?)</", response, re.S)
            href = re.search(r"<(?:\w+:)?href>(.*?)</", response, re.S)
            kinds = re.search(r"<(?:\w+:)?resourcetype>(.*?)</(?:\w+:)?resourcetype>", response, re.S)
            if name and kinds and re.search(rf"<(?:\w+:)?{kind}\s*/>", kinds.group(1)):
                found[name.group(1)] = urllib.request.unquote(href.group(1))
        return found

    def books(self, user="alice@example.com"):
        """{display name: path} of the user's address books."""
        return self.collections("addressbook", user)

    def calendars(self, user="alice@example.com"):
        """{display name: path} of the user's calendars."""
        return self.collections("calendar", user)

    def items(self, calendar="Embedded CRM", user="alice@example.com"):
        """The raw VEVENTs and VTODOs of a calendar (Radicale answers GET on one with all of them)."""
        path = self.calendars(user).get(calendar)
        if path is None:
            return []
        text = self.request("GET", path, user)
        return re.findall(r"BEGIN:(VEVENT|VTODO)\r?\n(.*?)END:\1", text, re.S)

    def cards(self, book="Embedded CRM", user="alice@example.com"):
        """The raw vCards of an address book (Radicale answers GET on a book with all of them)."""
        path = self.books(user).get(book)
        if path is None:
            return []
        text = self.request("GET", path, user)
        return re.findall(r"BEGIN:VCARD.*?END:VCARD", text, re.S)


def crm_ids(cards):
    return [m.group(1).strip() for card in cards for m in [re.search(r"^X-CRMGATE-ID:(.*)$", card, re.M)] if m]
