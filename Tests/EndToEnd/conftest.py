"""Fixtures that run the real crmgate binary on loopback for end-to-end tests."""
import os
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

BIN = os.environ.get("CRMGATE_BIN", "")
PASSWORD = "correct horse battery staple"


_handed_out = set()


def free_port():
    """A free loopback port not handed out before in this run: the OS may offer a just-closed
    port again, and two listeners of one gateway must not get the same one."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


class Gateway:
    """One crmgate process with its own config, store and certificate in a temp dir."""

    def __init__(self, root: Path, extra_config="", log_format="text", web_admins=(), **imap_overrides):
        self.root = root
        self.host = "127.0.0.1"
        self.port = free_port()
        self.tls_port = free_port()
        # Every gateway gets its own web port, so that tests never meet on the default 8080.
        self.web_port = free_port()
        self.web_url = f"http://{self.host}:{self.web_port}"
        self.cert = root / "certs" / "dev.crt"
        self.key = root / "certs" / "dev.key"
        imap = {"host": f'"{self.host}"', "port": self.port, "tls_port": self.tls_port}
        imap.update(imap_overrides)
        lines = ["[imap]"] + [f"{k} = {v}" for k, v in imap.items()]
        lines += ["[web]", f'host = "{self.host}"', f"port = {self.web_port}", f'public_url = "{self.web_url}"',
                  "admins = [" + ", ".join(f'"{a}"' for a in web_admins) + "]"]
        lines += ["[tls]", f'cert = "{self.cert}"', f'key = "{self.key}"',
                  "[storage]", f'path = "{root / "data"}"', "[log]", 'level = "debug"', f'format = "{log_format}"']
        self.config = root / "crmgate.toml"
        self.config.write_text("\n".join(lines) + "\n" + extra_config)
        self.log = root / "crmgate.log"
        self.proc = None

    def cli(self, *args, input=None):
        return subprocess.run([BIN, *args, "--config", str(self.config)], input=input,
                              capture_output=True, text=True, timeout=120)

    def cli_env(self, env, *args):
        """`cli` with extra environment variables (e.g. CRMGATE_CRASH_AT)."""
        return subprocess.run([BIN, *args, "--config", str(self.config)], capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env})

    def add_user(self, email, password=PASSWORD):
        result = self.cli("user", "add", email, input=password + "\n")
        assert result.returncode == 0, result.stderr
        return email

    def start(self, env=None):
        """Starts `crmgate serve`; `env` adds environment variables (e.g. CRMGATE_CRASH_AT)."""
        self.proc = subprocess.Popen([BIN, "serve", "--config", str(self.config)],
                                     stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"crmgate exited: {self.log.read_text()}")
            try:
                for port in (self.port, self.tls_port, self.web_port):
                    socket.create_connection((self.host, port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("crmgate did not start listening")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def tls_context(self):
        context = ssl.create_default_context(cafile=str(self.cert))
        return context

    def log_text(self):
        return self.log.read_text(errors="replace")


def demo_gateway(root, extra_config="", web_admins=()):
    """A gateway filled by `crmgate demo seed`, with the demo users alice@ and bob@example.com
    given PASSWORD as their mail password (not started); `web_admins` reach every record in
    the web UI and the API."""
    gw = Gateway(root, extra_config=extra_config, web_admins=web_admins)
    seeded = gw.cli("demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    for user in ("alice@example.com", "bob@example.com"):
        assert gw.cli("user", "passwd", user, input=PASSWORD + "\n").returncode == 0
    return gw


@pytest.fixture
def gateway(tmp_path):
    if not BIN:
        pytest.fail("CRMGATE_BIN is not set: run the suite with scripts/test")
    gw = Gateway(tmp_path)
    gw.add_user("alice@example.com")
    gw.add_user("bob@example.com")
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def dav(tmp_path):
    """A throwaway Radicale 3.9.0 for the DAV bridge's tests (alice@, bob@, carla@)."""
    import radicale
    if not radicale.installed():
        pytest.fail("radicale is not installed (scripts/test installs it)")
    with radicale.Radicale(tmp_path / "radicale") as server:
        yield server


@pytest.fixture(params=["local", "proxy"])
def any_gateway(request, tmp_path):
    """The gateway of the real-client suite, twice: serving its own store, and as a proxy
    in front of a real Dovecot (alice@ and bob@ exist on both)."""
    if request.param == "local":
        yield request.getfixturevalue("gateway")
        return
    import dovecot
    if not dovecot.installed():
        pytest.skip("needs dovecot-imapd (scripts/test installs it)")
    with dovecot.Dovecot(tmp_path / "upstream") as upstream:
        root = tmp_path / "proxy"
        root.mkdir()
        gw = Gateway(root, extra_config=upstream.upstream_config())
        gw.upstream = upstream
        gw.start()
        yield gw
        gw.stop()


def message(subject, body="Hello\r\n", sender="carol@example.org", to="alice@example.com", extra=""):
    return (f"From: Carol <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{abs(hash(subject))}@example.org>\r\n"
            f"{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


def imap_client(gw, user="alice@example.com"):
    """An IMAPClient session over IMAPS that trusts the generated certificate."""
    from imapclient import IMAPClient
    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=30)
    c.login(user, PASSWORD)
    return c


def logged_commands(gw, since=0):
    """Command names the server logged (debug level) after `since` = len(gw.log_text())
    taken earlier, in order: ["LOGIN", "SELECT", "UID STORE", "EXPUNGE", ...]."""
    import re
    text = gw.log_text()[since:]
    return re.findall(r"\bcommand=((?:UID )?[A-Z]+)\b.*\] command$", text, re.MULTILINE)


def skip_unless_offered(gw, capability):
    """In proxy mode crmgate offers an extension only when the upstream does too: skip a test
    of one that this upstream (Dovecot 2.3 has no IMAP4rev2 or UTF8=ACCEPT) lacks."""
    if getattr(gw, "upstream", None) is None:
        return
    c = imap_client(gw)
    offered = c.has_capability(capability)
    c.logout()
    if not offered:
        pytest.skip(f"the upstream does not offer {capability}, so neither does crmgate in front of it")
