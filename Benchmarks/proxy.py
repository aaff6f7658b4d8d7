"""Benchmark: crmgate as a proxy in front of Dovecot against the same Dovecot directly.

Issue 12, "Performance": the same workload against Dovecot directly and through crmgate
(proxy mode), alternating in one run; goal >= 0.9x Dovecot-direct throughput and <= 1 ms
added median latency per command.

What it does: starts a throwaway Dovecot on loopback (IMAPS, sdbox, its own CA) with
`--messages` small mails in the INBOX of each user, and the release build of crmgate with
the demo CRM, a CRM policy for everyone and `[upstream]` pointing at that Dovecot. Then
`--rounds` times, first straight to Dovecot, then through crmgate: `--clients` threads each
repeat for `--seconds` the session of a mail client checking mail: log in, SELECT INBOX,
FETCH 1:* (UID FLAGS ENVELOPE), FETCH three whole bodies, STORE +FLAGS/-FLAGS \\Seen on one,
UID SEARCH SUBJECT, NOOP, LOGOUT. Every command's time from sending it to reading its tagged
completion is recorded (Python's imaplib over TLS, the same client code for both targets).

crmgate reaches this Dovecot as a deployment on the same machine would, over plain IMAP on
loopback, and then over IMAPS (`--upstream-tls`): the second puts two more TLS ends of every
session on the same two cores.

It prints, per round and target, sessions/s and commands/s; then the ratio of crmgate's
throughput to Dovecot's (per round, and their median) and each command's median latency
both ways with the difference (what the proxy adds). Both servers share the 2 cores with
the client threads; the client's own cost is the same for both targets.

    .venv/bin/python Benchmarks/proxy.py [--clients 10] [--seconds 10] [--rounds 3] [--messages 50] [--upstream-tls both]
    (CRMGATE_BIN defaults to the release build, `swift build -c release`; needs dovecot-imapd)
"""
import argparse
import imaplib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "EndToEnd"))

import conftest  # noqa: E402
from conftest import PASSWORD, demo_gateway  # noqa: E402
import dovecot  # noqa: E402

USERS = ["alice@example.com", "bob@example.com"]


def seed(upstream, messages):
    for user in USERS:
        c = upstream.client(user)
        for i in range(messages):
            body = f"Line {i} of a message about order {i}.\r\n" * 60
            c.append("INBOX", (f"From: Ines Fischer <ines@globex.example>\r\nTo: {user}\r\nSubject: Order {i:04d}\r\n"
                               f"Date: Mon, 30 Nov 2026 10:{i % 60:02d}:00 +0000\r\nMessage-ID: <order-{i}@globex.example>\r\n"
                               f"Content-Type: text/plain\r\n\r\n{body}").encode())
        c.logout()


class Worker(threading.Thread):
    """One mail client doing check-mail sessions until the deadline."""

    def __init__(self, index, host, port, context, deadline, messages):
        super().__init__(daemon=True)
        self.user = USERS[index % len(USERS)]
        self.host, self.port, self.context = host, port, context
        self.deadline = deadline
        self.messages = messages
        self.latency = defaultdict(list)
        self.sessions = 0
        self.error = None
        self.index = index

    def timed(self, name, call):
        began = time.perf_counter()
        typ, data = call()
        self.latency[name].append(time.perf_counter() - began)
        if typ != "OK":
            raise RuntimeError(f"{name}: {typ} {data}")
        return data

    def run(self):
        try:
            n = 0
            while time.perf_counter() < self.deadline:
                m = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.context)
                self.timed("LOGIN", lambda: m.login(self.user, PASSWORD))
                self.timed("SELECT", lambda: m.select("INBOX"))
                self.timed("FETCH headers", lambda: m.uid("FETCH", "1:*", "(UID FLAGS ENVELOPE)"))
                for k in range(3):
                    seq = str(1 + (n * 3 + k + self.index) % self.messages)
                    self.timed("FETCH body", lambda: m.fetch(seq, "(BODY.PEEK[])"))
                seq = str(1 + (n + self.index) % self.messages)
                self.timed("STORE", lambda: m.store(seq, "+FLAGS.SILENT", "(\\Seen)"))
                self.timed("STORE", lambda: m.store(seq, "-FLAGS.SILENT", "(\\Seen)"))
                self.timed("SEARCH", lambda: m.uid("SEARCH", "SUBJECT", f'"Order {n % self.messages:04d}"'))
                self.timed("NOOP", lambda: m.noop())
                began = time.perf_counter()
                m.logout()
                self.latency["LOGOUT"].append(time.perf_counter() - began)
                self.sessions += 1
                n += 1
        except Exception as error:  # noqa: BLE001
            self.error = error


def round_(name, host, port, context, args):
    deadline = time.perf_counter() + args.seconds
    workers = [Worker(i, host, port, context, deadline, args.messages) for i in range(args.clients)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=args.seconds + 120)
    took = time.perf_counter() - began
    errors = [f"client {w.index}: {w.error!r}" for w in workers if w.error]
    if errors:
        raise SystemExit(f"{name}: {errors[0]}")
    latency = defaultdict(list)
    for w in workers:
        for command, values in w.latency.items():
            latency[command] += values
    commands = sum(len(v) for v in latency.values())
    sessions = sum(w.sessions for w in workers)
    print(f"  {name:8s} {sessions / took:7.1f} sessions/s  {commands / took:8.1f} commands/s")
    return commands / took, latency


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--upstream-tls", choices=["both", "none", "imaps"], default="both",
                        help="crmgate to Dovecot: plain IMAP on loopback (a co-located server), IMAPS, or both in turn")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) and print its path")
    args = parser.parse_args()
    conftest.BIN = os.environ.get("CRMGATE_BIN") or str(Path(__file__).resolve().parent.parent / ".build" / "release" / "crmgate")
    if not Path(conftest.BIN).exists():
        raise SystemExit(f"{conftest.BIN} not found: build it with swift build -c release")
    if not dovecot.installed():
        raise SystemExit("needs Dovecot: apt-get install -y dovecot-imapd")
    root = Path(tempfile.mkdtemp(prefix="crmgate-proxy-bench-"))
    try:
        with dovecot.Dovecot(root / "upstream", fsync="always") as upstream:
            seed(upstream, args.messages)
            version = os.popen(f"{dovecot.DOVECOT} --version").read().split()[0]
            print(f"{args.clients} clients, {args.seconds:.0f} s per round, Dovecot {version} (IMAPS, sdbox, "
                  f"mail_fsync = always) directly and through crmgate, {os.cpu_count()} cores shared with the clients")
            modes = ["none", "imaps"] if args.upstream_tls == "both" else [args.upstream_tls]
            for mode in modes:
                compare(root / f"gw-{mode}", upstream, mode, args)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def compare(directory, upstream, mode, args):
    """Rounds against Dovecot directly and through a crmgate that reaches it with `mode`."""
    import ssl
    directory.mkdir()
    gw = demo_gateway(directory, "[[policy]]\nname = \"everyone\"\nusers = [\"*\"]\n" + upstream.upstream_config(tls=mode))
    gw.start()
    try:
        direct_context = ssl.create_default_context(cafile=str(upstream.ca))
        proxy_context = gw.tls_context()
        print(f"crmgate to Dovecot: {'plain IMAP on loopback' if mode == 'none' else 'IMAPS'}")
        ratios = []
        merged = {"dovecot": defaultdict(list), "crmgate": defaultdict(list)}
        for r in range(args.rounds):
            print(f"round {r + 1}")
            direct, direct_latency = round_("dovecot", "127.0.0.1", upstream.port, direct_context, args)
            proxied, proxy_latency = round_("crmgate", gw.host, gw.tls_port, proxy_context, args)
            ratios.append(proxied / direct)
            for command, values in direct_latency.items():
                merged["dovecot"][command] += values
            for command, values in proxy_latency.items():
                merged["crmgate"][command] += values
        print(f"throughput crmgate / Dovecot direct: {', '.join(f'{x:.2f}' for x in ratios)} "
              f"(median {statistics.median(ratios):.2f}; goal >= 0.9)")
        print(f"{'command':14s} {'Dovecot p50':>12s} {'crmgate p50':>12s} {'added':>9s}")
        added = []
        for command in ["LOGIN", "SELECT", "FETCH headers", "FETCH body", "STORE", "SEARCH", "NOOP", "LOGOUT"]:
            d = statistics.median(merged["dovecot"][command]) * 1000
            p = statistics.median(merged["crmgate"][command]) * 1000
            if command not in ("LOGIN", "LOGOUT"):
                added.append(p - d)
            print(f"{command:14s} {d:10.2f} ms {p:10.2f} ms {p - d:+7.2f} ms")
        print(f"median added per command after login: {statistics.median(added):+.2f} ms (goal <= 1 ms)")
    finally:
        gw.stop()


if __name__ == "__main__":
    main()
