"""A throwaway Dovecot on loopback: the upstream server of proxy mode's tests and the
reference server of the benchmarks. Its own CA and certificate, real passwords
(passwd-file), IMAPS plus a plain port for STARTTLS, nothing outside its temp dir."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import PASSWORD, free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USERS = ("alice@example.com", "bob@example.com", "carla@example.com")


def installed():
    return Path(DOVECOT).exists()


def make_ca(directory: Path):
    """A private CA and a certificate for localhost/127.0.0.1 signed by it; returns (ca, cert, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (directory / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt"))
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
        "-days", "2", "-subj", "/CN=crmgate test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    ext = directory / "san.cnf"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(cert), "-days", "2", "-extfile", str(ext))
    return ca, cert, key


class Dovecot:
    """`with Dovecot(root) as d:` runs Dovecot until the block ends; `stop()`/`start()` and
    `kill()` simulate outages. `separator` is the hierarchy delimiter it shows."""

    MASTER_USER, MASTER_PASSWORD = "crmgate", "master secret for background work"

    def __init__(self, root: Path, separator="/", fsync="always", cert=None, key=None, master=False, quota_messages=None,
                 capabilities=None, users=USERS, password_hash=None, auth_cache=False, extra_config=""):
        """`password_hash` is the stored form of PASSWORD (`doveadm pw` output) for every user, or a
        dict of it per user; else (and for users the dict leaves out) `{PLAIN}`. `auth_cache` turns
        on Dovecot's cache of verified logins (5 minutes); `extra_config` is added to dovecot.conf."""
        # Its own directory under /tmp: Dovecot's unprivileged processes must reach it, and
        # pytest's temporary directories are private to their owner. The log is copied to
        # `root` when it stops.
        self.root = root
        self.dir = Path(tempfile.mkdtemp(prefix="crmgate-dovecot-"))
        os.chmod(self.dir, 0o711)
        self.port = free_port()        # IMAPS
        self.plain_port = free_port()  # IMAP with STARTTLS
        for sub in ("run", "state", "home"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        if cert and key:
            self.ca, self.cert, self.key = cert, cert, key
        else:
            self.ca, self.cert, self.key = make_ca(self.dir / "tls")
        # Dovecot never gives mail access as root: run as root, mail belongs to its own
        # system user; run as anyone else, everything is that user's.
        if os.getuid() == 0:
            owner = pwd.getpwnam("dovecot")
            uid, gid, accounts = owner.pw_uid, owner.pw_gid, ""
            os.chown(self.dir / "home", uid, gid)
        else:
            uid, gid = os.getuid(), os.getgid()
            name = pwd.getpwuid(uid).pw_name
            accounts = f"default_internal_user = {name}\ndefault_login_user = {name}\n"
        passwd = self.dir / "passwd"
        self.users = users
        def stored(user):
            plain = f"{{PLAIN}}{PASSWORD}"
            return (password_hash.get(user, plain) if isinstance(password_hash, dict) else password_hash) or plain
        passwd.write_text("".join(f"{u}:{stored(u)}\n" for u in users))
        master_passdb = ""
        if master:
            # Dovecot's master users: "alice@example.com*crmgate" logs in to alice's mailbox.
            (self.dir / "masters").write_text(f"{self.MASTER_USER}:{{PLAIN}}{self.MASTER_PASSWORD}\n")
            master_passdb = f"""auth_master_user_separator = *
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/masters
  master = yes
  pass = yes
}}
"""
        # A quota of so many messages per user: APPENDs past it get NO [OVERQUOTA].
        extra = "" if quota_messages is None else f"""mail_plugins = $mail_plugins quota
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
plugin {{
  quota = count:User quota
  quota_rule = *:messages={quota_messages}
  quota_vsizes = yes
}}
"""
        if auth_cache:
            extra += "auth_cache_size = 10M\nauth_cache_ttl = 5 mins\nauth_cache_negative_ttl = 0\n"
        # What it announces after login, to stand in for servers with fewer extensions.
        if capabilities:
            extra += f"imap_capability = {capabilities}\n"
        extra += extra_config
        layout = "sdbox:~/mail" if separator == "/" else "maildir:~/Maildir"
        special_folders = "".join(f"  mailbox {name} {{\n    special_use = \\{name}\n    auto = create\n  }}\n"
                                  for name in self.SPECIAL)
        self.config = self.dir / "dovecot.conf"
        self.config.write_text(f"""{accounts}
protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = {uid}
{master_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.dir}/home/%u
}}
mail_location = {layout}
mail_fsync = {fsync}
{extra}namespace inbox {{
  inbox = yes
  separator = {separator}
{special_folders}}}
imap_idle_notify_interval = 1 secs
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.port}
  }}
}}
""")
        self.proc = None

    SPECIAL = ("Sent", "Drafts", "Trash", "Junk", "Archive")

    def start(self):
        first = self.proc is None
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"dovecot did not start: {self.proc.stderr.read().decode(errors='replace')[-800:]}")
                time.sleep(0.1)
        if first:
            # Subscribed like a new crmgate account's, but unsubscribable (auto = subscribe is not).
            for user in self.users[:2]:
                c = self.client(user)
                for name in self.SPECIAL:
                    c.subscribe_folder(name)
                c.logout()
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self):
        """SIGKILL to the master and every process of this instance (its imap processes too)."""
        if self.proc and self.proc.poll() is None:
            children = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
            subprocess.run(["pkill", "-KILL", "-P", str(self.proc.pid)], check=False)
            self.proc.kill()
            self.proc.wait()
            # Gone for good before a restart, and their sockets with them: a new master refuses
            # to start over sockets that still exist.
            deadline = time.time() + 10
            while any(Path(f"/proc/{pid}").exists() for pid in children) and time.time() < deadline:
                time.sleep(0.05)
            for socket_file in (self.dir / "run").glob("**/*"):
                if socket_file.is_socket():
                    socket_file.unlink(missing_ok=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()
        self.root.mkdir(parents=True, exist_ok=True)
        if (self.dir / "dovecot.log").exists():
            shutil.copy(self.dir / "dovecot.log", self.root / "dovecot.log")
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, user="alice@example.com"):
        """An imapclient session straight to Dovecot (IMAPS, trusting its CA)."""
        import ssl
        from imapclient import IMAPClient
        context = ssl.create_default_context(cafile=str(self.ca))
        c = IMAPClient("127.0.0.1", port=self.port, ssl=True, ssl_context=context, timeout=30)
        c.login(user, PASSWORD)
        return c

    def master_config(self, root: Path):
        """[upstream] keys for background work as the master user (password in a file under root)."""
        secret = root / "master-password"
        secret.write_text(self.MASTER_PASSWORD + "\n")
        return {"master_user": f'"{self.MASTER_USER}"', "master_password_file": f'"{secret}"'}

    def upstream_config(self, tls="imaps", ca=True, **extra):
        """The [upstream] section of a gateway that proxies to this Dovecot."""
        port = self.port if tls == "imaps" else self.plain_port
        # An address, not "localhost": no name look-up, and no attempt at ::1 (Dovecot listens on
        # 127.0.0.1 only) before every connection; the certificate names the address too.
        lines = ["[upstream]", 'host = "127.0.0.1"', f"port = {port}",
                 f'tls = "{tls}"', "connect_timeout = 5"]
        if ca:
            lines.append(f'ca_file = "{self.ca}"')
        lines += [f"{k} = {v}" for k, v in extra.items()]
        return "\n".join(lines) + "\n"
