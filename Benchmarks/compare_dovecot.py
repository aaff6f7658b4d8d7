"""Benchmark: crmgate against Dovecot 2.3, side by side, with crmgate-bench as the load (issue 16).

Both servers run on loopback in one run, serve the same accounts (bench01@ … with the same
password) and hold the same seeded mail: `--messages` small messages in each INBOX and an
empty Archive. Passwords are hashed with PBKDF2 and 210,000 rounds on both sides (crmgate:
HMAC-SHA256; Dovecot: its PBKDF2, HMAC-SHA1) and both keep verified logins for five minutes
(Dovecot's auth cache), so a re-login costs the same kind of work. Dovecot stores sdbox with
`mail_fsync = always`, as crmgate commits with `synchronous = FULL`.

Each scenario runs `--rounds` times, crmgate and Dovecot in turn (the order alternating per
round); crmgate-bench's mixed workload checks every answer, and a run with protocol errors
stops the benchmark. Printed per scenario: commands/s of each, the ratio crmgate/Dovecot
per round with its median and spread, and the median latency of each command both ways.

    swift build -c release
    .venv/bin/python Benchmarks/compare_dovecot.py [--seconds 20] [--rounds 3] [--clients 10,50] [--messages 200]
    (needs dovecot-imapd: installed with apt-get when missing and run as root)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "EndToEnd"))

import conftest  # noqa: E402
from conftest import PASSWORD, Gateway, message  # noqa: E402
import dovecot  # noqa: E402

ROUNDS_OF_PBKDF2 = 210_000


def ensure_dovecot():
    if dovecot.installed():
        return
    if os.geteuid() != 0:
        raise SystemExit("needs Dovecot: apt-get install -y dovecot-imapd (or run this as root to have it installed)")
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "dovecot-imapd"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    # The package starts a system-wide Dovecot; the benchmark runs its own.
    subprocess.run(["systemctl", "disable", "--now", "dovecot"], capture_output=True)


def seed(client, user, messages):
    """The same messages on both servers, 50 to a MULTIAPPEND (RFC 3502): seeding is not measured."""
    mail = [message(f"Order {i:04d}", body=f"Line {i} of a message about order {i}.\r\n" * 30, to=user) for i in range(messages)]
    for start in range(0, len(mail), 50):
        client.multiappend("INBOX", mail[start:start + 50])


def bench(binary, port, ca, users, clients, seconds, relogin):
    command = [binary, "--port", str(port), "--ca-file", str(ca), "--users", ",".join(users), "--password", PASSWORD,
               "--clients", str(clients), "--seconds", str(seconds), "--json"] + (["--relogin"] if relogin else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    summary = json.loads(result.stdout) if result.stdout.strip() else None
    if result.returncode != 0 or not summary or summary["errors"]:
        raise SystemExit(f"crmgate-bench failed against port {port}: {result.stderr.strip()}\n"
                         + "\n".join((summary or {}).get("errorSamples", [])))
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default="10,50", help="client counts, comma-separated")
    parser.add_argument("--messages", type=int, default=200, help="seeded messages per INBOX")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) and print its path")
    args = parser.parse_args()
    release = ROOT / ".build" / "release"
    conftest.BIN = os.environ.get("CRMGATE_BIN") or str(release / "crmgate")
    tool = os.environ.get("CRMGATE_BENCH") or str(release / "crmgate-bench")
    for binary in (conftest.BIN, tool):
        if not Path(binary).exists():
            raise SystemExit(f"{binary} not found: build it with swift build -c release")
    ensure_dovecot()
    counts = [int(n) for n in args.clients.split(",")]
    users = [f"bench{n:02d}@example.com" for n in range(1, max(counts) + 1)]
    stored = subprocess.run(["doveadm", "pw", "-s", "PBKDF2", "-r", str(ROUNDS_OF_PBKDF2), "-p", PASSWORD],
                            capture_output=True, text=True, check=True).stdout.strip()
    root = Path(tempfile.mkdtemp(prefix="crmgate-compare-"))
    try:
        with dovecot.Dovecot(root / "dovecot", users=users, password_hash=stored, auth_cache=True) as reference:
            (root / "crmgate").mkdir()
            gw = Gateway(root / "crmgate")
            for user in users:
                gw.add_user(user)
            gw.start()
            try:
                print(f"seeding {args.messages} messages into {len(users)} INBOXes on each server …", flush=True)
                for user in users:
                    for client in (reference.client(user), conftest.imap_client(gw, user)):
                        seed(client, user, args.messages)
                        client.logout()
                version = subprocess.run([dovecot.DOVECOT, "--version"], capture_output=True, text=True).stdout.split()[0]
                print(f"crmgate (release) and Dovecot {version} (sdbox, mail_fsync = always), IMAPS on loopback, "
                      f"{os.cpu_count()} cores shared with the load; {args.seconds:.0f} s per run, {args.rounds} rounds")
                targets = {"crmgate": (gw.tls_port, gw.cert), "Dovecot": (reference.port, reference.ca)}
                for clients in counts:
                    for relogin in (False, True):
                        scenario(tool, targets, users[:clients], clients, relogin, args)
            finally:
                gw.stop()
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def scenario(tool, targets, users, clients, relogin, args):
    name = f"mixed, {clients} clients, {'a login per round' if relogin else 'one login each'}"
    print(f"\n== {name}")
    runs = {"crmgate": [], "Dovecot": []}
    for r in range(args.rounds):
        order = ["crmgate", "Dovecot"] if r % 2 == 0 else ["Dovecot", "crmgate"]
        for target in order:
            port, ca = targets[target]
            summary = bench(tool, port, ca, users, clients, args.seconds, relogin)
            runs[target].append(summary)
            print(f"  round {r + 1} {target:8s} {summary['commandsPerSecond']:8.0f} commands/s "
                  f"{summary['loginsPerSecond']:7.1f} logins/s", flush=True)
    ratios = [a["commandsPerSecond"] / b["commandsPerSecond"] for a, b in zip(runs["crmgate"], runs["Dovecot"])]
    print(f"  crmgate / Dovecot: {', '.join(f'{x:.2f}' for x in ratios)} (median {statistics.median(ratios):.2f}, "
          f"spread {min(ratios):.2f}–{max(ratios):.2f})")
    print(f"  {'command':14s} {'crmgate p50':>12s} {'Dovecot p50':>12s}")
    def median_p50(target, command):
        values = [run["perCommand"][command]["p50"] for run in runs[target] if command in run["perCommand"]]
        return f"{statistics.median(values):9.2f} ms" if values else "     (none)"  # too slow to get there
    for command in sorted(set().union(*(run["perCommand"] for run in runs["crmgate"] + runs["Dovecot"]))):
        print(f"  {command:14s} {median_p50('crmgate', command)} {median_p50('Dovecot', command)}")


if __name__ == "__main__":
    main()
