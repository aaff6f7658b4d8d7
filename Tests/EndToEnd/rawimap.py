"""A minimal IMAP client over TLS that sends exact bytes and returns raw response lines,
for protocol details that high-level clients hide."""
import re
import socket


class RawIMAP:
    def __init__(self, gw, user=None, password=None):
        raw = socket.create_connection((gw.host, gw.tls_port), timeout=15)
        self.sock = gw.tls_context().wrap_socket(raw, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        self.counter = 0
        self.greeting = self.file.readline()
        if user:
            self.ok(f'LOGIN "{user}" "{password}"')

    def read_response(self):
        """One response line with its literals inlined."""
        line = self.file.readline()
        if not line:
            raise EOFError("connection closed")
        while True:
            m = re.search(rb"~?\{(\d+)\+?\}\r\n$", line)
            if not m:
                return line
            line += self.file.read(int(m.group(1)))
            line += self.file.readline()

    def command(self, text, *literals, tag=None):
        """Sends `tag text` (bytes or str), with a fresh tag unless one is given; returns
        (untagged lines, tagged line)."""
        self.counter += 1
        tag = tag or f"t{self.counter}".encode()
        self.last_tag = tag
        data = text.encode() if isinstance(text, str) else text
        self.sock.sendall(tag + b" " + data + b"\r\n")
        untagged = []
        while True:
            line = self.read_response()
            if line.startswith(tag + b" "):
                return untagged, line
            untagged.append(line)

    def ok(self, text):
        untagged, tagged = self.command(text)
        assert b" OK" in tagged[:20], (text, tagged, untagged)
        return untagged, tagged

    def close(self):
        try:
            self.command("LOGOUT")
        finally:
            self.sock.close()
