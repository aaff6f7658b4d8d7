"""Benchmark: drops into "Embedded CRM/- Create New Opportunity" by concurrent IMAP clients.

Issue 5, "Performance": 1,000 drops by 10 concurrent clients; p50 and p99 from the MOVE's
tagged OK to the record being visible in the CRM; goal p99 <= 1 s with the embedded CRM.

What it does: starts the real binary with the demo data (`crmgate demo seed`) and a policy
for everyone; each of `--clients` threads logs in over IMAPS with its own IMAPClient (the
`--users` in turn: alice@ and bob@example.com), APPENDs its share of the mails to INBOX
beforehand (distinct subjects and Message-IDs, a small text body, From an existing demo
contact so that matching finds it and creates nothing else), then, once all clients are
ready, UID MOVEs them one at a time into the drop folder, as fast as it can (a burst: the
clients issue MOVEs faster than drops are processed, so the figure includes the queue), or
one every `--interval` seconds per client (a steady load below capacity), or with `--wait`
each once its previous drop's record is visible (ten users dropping mail concurrently,
at most ten drops in flight). Afterwards it
checks that exactly `--drops` opportunities were created (none twice, none missing, nothing
else created; through the SQLite file and the JSON API), that every mail was archived
once, and that every mail is back in INBOX with $CRMDone and its drop job done.

How visibility is detected: one watcher thread reads the embedded CRM's SQLite file
(`data/crm.sqlite`) through a read-only connection (`file:...?mode=ro`) every `--poll`
seconds (5 ms) with `SELECT id, module, name FROM record WHERE id > ?`, a range scan on the
primary key that costs tens of microseconds, and timestamps each newly seen record name
(likewise each newly archived email, `email.id > ?`, and, in `data/mail.sqlite`, each mail
put back into an INBOX with $CRMDone, which is a new message row). That is the moment the
record is visible to every reader of the CRM: the gateway, the web UI and the JSON API
read the same WAL file and see a write exactly when it commits, so the API could not see
it earlier. In WAL mode this reader never blocks the gateway's writer (its read
transactions last microseconds). Polling the JSON API instead would cost, per poll, an HTTP
request, a bearer-token check, a LIKE search over all opportunities and JSON rendering in
the gateway: 200 requests a second on a 2-core machine, competing with the very process
being measured, each taking milliseconds, so it would both load the system and blur the
figure. The watcher's own cost (mean time per poll of both files) is printed, to show it
stays negligible. The JSON API is used once at the end, to confirm the count as a CRM
client sees it.

Latency = time the watcher first saw the record - time the client thread got the MOVE's
tagged OK (both `time.perf_counter()`, the system's monotonic clock). When the record
commits before the client thread has read its OK (processing faster than the client's
GIL turn), the latency counts as 0 and is reported as such. The watcher's poll interval
adds up to 5 ms.

"Where the time goes" splits each drop into record visible -> archived -> back in INBOX,
gives the processor's pace (median gap between successive records, with up to four drops
in flight), the backlog each drop found when it got its OK, and the CPU time the
gateway used (Linux /proc). The gateway log's timestamps have whole seconds only, so only
its counts are used.

Reference: right after the gateway run (so the two never compete for the cores), the same
clients APPEND and MOVE the same number of mails against a throwaway Dovecot on loopback
(IMAPS with the same certificate, sdbox, `mail_fsync = always` like crmgate's synchronous
commits) and the MOVE rate and latency are printed beside crmgate's: what plain IMAP costs
on this machine at that moment, whose speed drifts by up to half within minutes. Needs
`apt-get install -y dovecot-imapd` (skipped with a message otherwise, or with
`--no-reference`; not with `--wait`, whose loop waits on CRM records).

    python3 Benchmarks/drops.py [--drops 1000] [--clients 10] [--interval 0] [--keep]
    (CRMGATE_BIN defaults to the release build; --keep leaves the temp dir with the
    gateway log and databases and prints its path; exit status 1 when the check fails)
"""
import argparse
import json
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "EndToEnd"))
os.environ.setdefault("CRMGATE_BIN", str(Path(__file__).resolve().parent.parent / ".build" / "release" / "crmgate"))
import conftest  # noqa: E402
from conftest import PASSWORD, demo_gateway  # noqa: E402
from dovecot import DOVECOT, Dovecot  # noqa: E402
from imapclient import IMAPClient  # noqa: E402

POLICY = '[[policy]]\nname = "everyone"\nusers = ["*"]\n'
DROP = "Embedded CRM/- Create New Opportunity"
GOAL_P99 = 1.0


def client(gw, user):
    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=120)
    c.login(user, PASSWORD)
    return c


def read_only(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10, check_same_thread=False)


def api(gw, path):
    request = urllib.request.Request(gw.web_url + path, headers={"Authorization": f"Bearer {gw.token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


class Watcher(threading.Thread):
    """Polls crm.sqlite and mail.sqlite read-only; timestamps, by subject, each new opportunity,
    each newly archived email and each mail put back into an INBOX with $CRMDone."""

    def __init__(self, crm_path, mail_path, prefix, poll):
        super().__init__(daemon=True)
        self.crm, self.mail = read_only(crm_path), read_only(mail_path)
        self.prefix, self.poll = prefix, poll
        self.subject = re.compile(rb'"(' + re.escape(prefix.encode()) + rb'[^"]*)"')
        self.inboxes = [i for (i,) in self.mail.execute("SELECT id FROM mailbox WHERE name = 'INBOX'")]
        self.last_record = self.crm.execute("SELECT COALESCE(MAX(id), 0) FROM record").fetchone()[0]
        self.last_email = self.crm.execute("SELECT COALESCE(MAX(id), 0) FROM email").fetchone()[0]
        self.last_message = self.mail.execute("SELECT COALESCE(MAX(id), 0) FROM message").fetchone()[0]
        self.records, self.emails, self.returned = {}, {}, {}   # subject -> first seen (perf_counter)
        self.other_records = []               # records created besides ours (there should be none)
        self.polls, self.busy = 0, 0.0
        self.stop = threading.Event()

    def run(self):
        inboxes = ",".join(str(i) for i in self.inboxes)
        while not self.stop.is_set():
            started = time.perf_counter()
            rows = self.crm.execute("SELECT id, module, name FROM record WHERE id > ?", (self.last_record,)).fetchall()
            emails = self.crm.execute("SELECT id, subject FROM email WHERE id > ?", (self.last_email,)).fetchall()
            # A processed drop comes back as a new message row in INBOX, already flagged $CRMDone.
            back = self.mail.execute(f"""SELECT m.id, b.envelope FROM message m JOIN body b ON b.id = m.bodyId
                                         WHERE m.id > ? AND m.mailboxId IN ({inboxes}) AND m.flags LIKE '%$CRMDone%'""",
                                     (self.last_message,)).fetchall()
            now = time.perf_counter()
            for rid, module, name in rows:
                self.last_record = max(self.last_record, rid)
                if module == "opportunities" and name.startswith(self.prefix):
                    self.records.setdefault(name, now)
                else:
                    self.other_records.append((module, name))
            for eid, subject in emails:
                self.last_email = max(self.last_email, eid)
                self.emails.setdefault(subject, now)
            for mid, envelope in back:
                self.last_message = max(self.last_message, mid)
                found = self.subject.search(envelope)
                if found:
                    self.returned.setdefault(found.group(1).decode(), now)
            self.polls += 1
            self.busy += now - started
            time.sleep(self.poll)


def mail(subject, message_id, sender, to):
    name, address = sender
    return (f"From: {name} <{address}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
            f"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Hello,\r\n\r\nplease send us a quote for {subject.split()[-1]}.\r\n\r\nRegards,\r\n{name}\r\n").encode()


class Client(threading.Thread):
    """One IMAP session: APPENDs its mails to INBOX, waits for the others, then MOVEs them one by one
    (into the drop folder; into `target` of `connect`'s server for the reference run)."""

    def __init__(self, gw, index, user, mails, start, interval, watcher=None, connect=None, target=DROP):
        super().__init__(daemon=True)
        self.gw, self.index, self.user, self.mails = gw, index, user, mails   # [(subject, message-id, raw)]
        self.start_barrier, self.interval = start, interval
        self.watcher = watcher   # with --wait: the next MOVE waits until this drop's record is visible
        self.connect = connect or (lambda user: client(gw, user))
        self.target = target
        self.ok = {}          # subject -> MOVE's OK (perf_counter)
        self.move_latency = []
        self.error = None

    def run(self):
        try:
            c = self.connect(self.user)
            uids = []
            for subject, _, raw in self.mails:
                response = c.append("INBOX", raw)
                found = re.search(rb"APPENDUID \d+ (\d+)", response)
                if not found:
                    raise RuntimeError(f"no APPENDUID in {response!r}")
                uids.append(int(found.group(1)))
            c.select_folder("INBOX")
            self.start_barrier.wait()
            for uid, (subject, _, _) in zip(uids, self.mails):
                started = time.perf_counter()
                c.move([uid], self.target)
                done = time.perf_counter()
                self.ok[subject] = done
                self.move_latency.append(done - started)
                while self.watcher and subject not in self.watcher.records and time.perf_counter() - done < 60:
                    time.sleep(0.001)
                if self.interval and subject != self.mails[-1][0]:
                    time.sleep(self.interval)
            c.logout()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            self.error = error
            try:
                self.start_barrier.abort()
            except Exception:  # noqa: BLE001
                pass




def reference(gw, root, args, users):
    """The same ten sessions APPENDing and MOVEing the same number of mails against Dovecot, right after
    the gateway run on the same machine: what plain IMAP costs here, to read crmgate's figures against."""
    if not Path(DOVECOT).exists():
        return "reference: skipped, Dovecot is not installed (apt-get install -y dovecot-imapd)"
    with Dovecot(root, cert=gw.cert, key=gw.key) as dovecot:
        context = gw.tls_context()

        def connect(user):
            c = IMAPClient("127.0.0.1", port=dovecot.port, ssl=True, ssl_context=context, timeout=30)
            c.login(user, PASSWORD)
            return c
        for user in users:
            c = connect(user)
            if not c.folder_exists("Archive"):
                c.create_folder("Archive")
            c.logout()
        start = threading.Barrier(args.clients + 1)
        clients, n = [], 0
        for i in range(args.clients):
            share = args.drops // args.clients + (1 if i < args.drops % args.clients else 0)
            mails = []
            for j in range(share):
                subject = f"Reference c{i:02d} d{j:04d} item-{n:04d}"
                mails.append((subject, None, mail(subject, f"reference-{i}-{j}@drops.example",
                                                  ("Jane Doe", "jane@acme.example"), users[i % len(users)])))
                n += 1
            clients.append(Client(None, i, users[i % len(users)], mails, start, args.interval,
                                  connect=connect, target="Archive"))
        for c in clients:
            c.start()
        start.wait(timeout=args.timeout)
        began = time.perf_counter()
        for c in clients:
            c.join(timeout=args.timeout)
        took = time.perf_counter() - began
        errors = [f"client {c.index}: {c.error!r}" for c in clients if c.error]
        if errors:
            return f"reference: Dovecot run failed: {errors[0]}"
        latency = [x for c in clients for x in c.move_latency]
        version = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True).stdout.split()[0]
        return (f"reference: Dovecot {version} (IMAPS, sdbox, mail_fsync = always), same clients, right after: "
                f"{len(latency)} MOVEs at {len(latency) / max(1e-9, took):.0f}/s, MOVE command latency "
                f"p50 {ms(percentile(latency, 50))}, p99 {ms(percentile(latency, 99))}")


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def drop_states(mail_db):
    return dict(mail_db.execute("SELECT state, COUNT(*) FROM dropJob GROUP BY state").fetchall())


def log_observations(log_text):
    """What the gateway log says (its timestamps have whole seconds only: counts, not timings)."""
    problems = len(re.findall(r"^\S+ (?:warning|error|critical) ", log_text, re.MULTILINE))
    return [f"gateway log: {len(log_text.splitlines())} lines; {log_text.count('drop done')} 'drop done', "
            f"{log_text.count('drop will be retried')} retried, {log_text.count('drop failed')} failed, "
            f"{problems} warnings or errors; "
            f"{log_text.count('CRM folders updated')} CRM folder syncs ran meanwhile "
            f"(each new opportunity adds an Assign To folder and a summary for its owner)"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drops", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--users", default="alice@example.com,bob@example.com",
                        help="demo users the clients log in as, in turn (comma-separated)")
    parser.add_argument("--interval", type=float, default=0.0, help="pause of each client between its MOVEs (s)")
    parser.add_argument("--wait", action="store_true",
                        help="closed loop: each client moves its next mail once its last drop's record is visible "
                        "(10 users dropping concurrently), instead of a burst")
    parser.add_argument("--poll", type=float, default=0.005, help="watcher's polling interval (s)")
    parser.add_argument("--timeout", type=float, default=600, help="give up waiting for the drops after (s)")
    parser.add_argument("--stall", type=float, default=60, help="give up when nothing new appears for (s)")
    parser.add_argument("--log-level", default="info", help="gateway log level (info, as in production)")
    parser.add_argument("--policy-extra", default="",
                        help='TOML lines added to the policy, e.g. \'display_modules = ["cases"]\' '
                        "(no opportunity summaries or Assign To folders, to see what their synchronisation costs)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (log, databases) and print its path")
    parser.add_argument("--no-reference", dest="reference", action="store_false",
                        help="skip the reference run of the same MOVEs against Dovecot (not with --wait, which needs a CRM)")
    args = parser.parse_args()
    conftest.BIN = os.environ["CRMGATE_BIN"]
    users = [u.strip() for u in args.users.split(",") if u.strip()]
    root = Path(tempfile.mkdtemp(prefix="crmgate-drops-"))
    try:
        failed = run(root, args, users)
    finally:
        if args.keep:
            print(f"kept: {root} (gateway log: {root / 'crmgate.log'})")
        else:
            shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failed else 0)


def run(root, args, users):
    # The API check reads every client's opportunities with the first user's token: as an
    # administrator, since an account's API otherwise reaches only its policy's scope.
    gw = demo_gateway(root, POLICY + (args.policy_extra.strip() + "\n" if args.policy_extra.strip() else ""),
                      web_admins=(users[0],))
    gw.config.write_text(gw.config.read_text().replace('level = "debug"', f'level = "{args.log_level}"'))
    gw.token = gw.cli("token", "create", users[0]).stdout.strip()
    gw.start()
    try:
        failed = measure(gw, root, args, users)
    finally:
        gw.stop()
    if args.reference and not args.wait:
        print(reference(gw, root, args, users))
    return failed


def measure(gw, root, args, users):
    crm_path, mail_path = root / "data" / "crm.sqlite", root / "data" / "mail.sqlite"
    # The drop folder exists once the CRM folders are synchronised for each user.
    for user in users:
        c = client(gw, user)
        deadline = time.time() + 60
        while DROP not in [n for _, _, n in c.list_folders()]:
            if time.time() > deadline:
                raise SystemExit(f"{DROP} did not appear for {user}")
            time.sleep(0.3)
        c.logout()
    crm = read_only(crm_path)
    mail_db = read_only(mail_path)
    if not mail_db.execute("SELECT 1 FROM sqlite_master WHERE name = 'dropJob'").fetchone():
        raise SystemExit(f"{conftest.BIN} has no drop queue (mail.sqlite lacks dropJob): "
                         "a build older than drop folders")
    contacts = crm.execute("""SELECT r.name, e.email FROM record r JOIN recordEmail e ON e.recordId = r.id
                              WHERE r.module = 'contacts' AND NOT r.deleted ORDER BY r.id""").fetchall()
    opportunities_before = crm.execute("SELECT COUNT(*) FROM record WHERE module = 'opportunities'").fetchone()[0]
    run_tag = secrets.token_hex(3)
    prefix = f"Bench {run_tag} "

    # Each client's share of the mails; From cycles through the demo contacts.
    start = threading.Barrier(args.clients + 1)
    clients, shares = [], []
    n = 0
    for i in range(args.clients):
        share = args.drops // args.clients + (1 if i < args.drops % args.clients else 0)
        user = users[i % len(users)]
        mails = []
        for j in range(share):
            subject = f"{prefix}c{i:02d} d{j:04d} item-{n:04d}"
            message_id = f"bench-{run_tag}-{i}-{j}@drops.example"
            mails.append((subject, message_id, mail(subject, message_id, contacts[n % len(contacts)], user)))
            n += 1
        shares.append(mails)
    watcher = Watcher(crm_path, mail_path, prefix, args.poll)
    for i, mails in enumerate(shares):
        clients.append(Client(gw, i, users[i % len(users)], mails, start, args.interval, watcher if args.wait else None))
    expected = {subject: c.user for c in clients for subject, _, _ in c.mails}
    message_ids = {mid: c.user for c in clients for _, mid, _ in c.mails}

    watcher.start()
    appending = time.perf_counter()
    for c in clients:
        c.start()
    try:
        start.wait(timeout=args.timeout)
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    cpu_began = cpu_seconds(gw.proc.pid), time.process_time()
    errors = [c.error for c in clients if c.error]
    if errors:
        raise SystemExit(f"a client failed before the drops: {errors[0]!r}")
    append_time = began - appending

    # Wait for the moves, then for every record, archived email and finished drop job.
    for c in clients:
        c.join(timeout=args.timeout)
    moved = time.perf_counter()
    errors = [f"client {c.index}: {c.error!r}" for c in clients if c.error]
    deadline = began + args.timeout
    all_visible = all_done = None
    progress = (0, 0, time.perf_counter())
    while time.perf_counter() < deadline:
        if (len(watcher.records), len(watcher.returned)) != progress[:2]:
            progress = (len(watcher.records), len(watcher.returned), time.perf_counter())
        elif time.perf_counter() - progress[2] > args.stall:
            print(f"no progress for {args.stall:.0f} s: giving up waiting")
            break
        if all_visible is None and len(watcher.records) >= len(expected):
            all_visible = max(watcher.records.values())
        if all_done is None and len(watcher.returned) >= len(expected):
            states = drop_states(mail_db)
            if states.get("done", 0) + states.get("failed", 0) >= len(expected) and not states.get("pending"):
                all_done = max(watcher.returned.values())
        if all_visible is not None and all_done is not None:
            break
        time.sleep(0.02)
    cpu_used = cpu_seconds(gw.proc.pid), time.process_time()
    wall_used = time.perf_counter() - began
    time.sleep(0.5)   # anything extra (a duplicate) would show up now
    watcher.stop.set()
    watcher.join()

    ok = {s: t for c in clients for s, t in c.ok.items()}
    move_latency = [x for c in clients for x in c.move_latency]
    latencies, early = [], 0
    for subject, seen in watcher.records.items():
        if subject in ok:
            if seen < ok[subject]:
                early += 1
            latencies.append(max(0.0, seen - ok[subject]))

    def between(later, earlier):
        return [later[s] - earlier[s] for s in earlier if s in later]
    archive_after_record = between(watcher.emails, watcher.records)
    return_after_archive = between(watcher.returned, watcher.emails)
    done_latency = [max(0.0, x) for x in between(watcher.returned, ok)]
    # Backlog: how many drops were moved (OK) but not yet visible when each drop got its OK.
    ahead = {s: sum(1 for o, t in ok.items() if ok[o] < ok[s] < watcher.records.get(o, float("inf")))
             for s in ok} if len(ok) <= 5000 else {}
    alone = [max(0.0, watcher.records[s] - ok[s]) for s, k in ahead.items() if k == 0 and s in watcher.records]
    # Gaps while work was waiting: the next record's MOVE had its OK before the previous record appeared.
    order = sorted(watcher.records.items(), key=lambda item: item[1])
    busy_gaps = [(i, b[1] - a[1]) for i, (a, b) in enumerate(zip(order, order[1:]))
                 if ok.get(b[0], float("inf")) < a[1]]
    end = all_visible if all_visible is not None else time.perf_counter()

    def spread(values, *ps):
        return ", ".join(f"p{p} {ms(percentile(values, p))}" for p in ps) + f", max {ms(max(values))}"

    print(f"binary: {conftest.BIN}")
    print(f"drops: {len(ok)} moved of {args.drops} into \"{DROP}\"; clients: {args.clients} "
          f"({', '.join(f'{u} x{sum(1 for c in clients if c.user == u)}' for u in users)}), "
          f"interval {args.interval} s{', closed loop (--wait)' if args.wait else ''}, gateway log level {args.log_level}"
          + (f", policy extra: {args.policy_extra.strip()}" if args.policy_extra.strip() else ""))
    print(f"setup: {len(expected)} mails APPENDed to INBOX in {append_time:.1f} s (not counted)")
    print(f"wall time (first MOVE -> last record visible): {end - began:.2f} s; "
          f"the MOVEs alone took {moved - began:.2f} s; last mail back in INBOX with $CRMDone after "
          + (f"{all_done - began:.2f} s" if all_done else "TIMEOUT"))
    print(f"throughput: {len(watcher.records) / (end - began):.1f} drops/s (records visible / wall time); "
          f"MOVEs were issued at {len(ok) / max(1e-9, moved - began):.0f}/s")
    if latencies:
        print(f"MOVE OK -> record visible: {spread(latencies, 50, 90, 99)} over {len(latencies)} drops"
              + (f" ({early} visible before the client thread had read its OK, counted as 0)" if early else ""))
    if move_latency:
        print(f"MOVE command latency: {spread(move_latency, 50, 99)}")
    p99 = percentile(latencies, 99) if latencies else float("inf")
    print(f"goal p99 <= {GOAL_P99:.0f} s: {'met' if p99 <= GOAL_P99 and len(latencies) == args.drops else 'NOT met'} "
          f"(p99 {p99:.2f} s)")
    print("where the time goes:")
    if done_latency:
        print(f"  MOVE OK -> back in INBOX with $CRMDone: {spread(done_latency, 50, 99)}")
    if archive_after_record and return_after_archive:
        print(f"  record visible -> mail archived: {spread(archive_after_record, 50, 99)}; "
              f"archived -> back in INBOX: {spread(return_after_archive, 50, 99)}")
    if busy_gaps:
        pace = statistics.median(g for _, g in busy_gaps)
        print(f"  drop processor pace: a record every {ms(pace)} (median gap between successive records while "
              f"drops were waiting), i.e. {1 / max(1e-9, pace):.0f} drops/s")
        stalls = [(i, g) for i, g in busy_gaps if g > 0.1]
        if stalls:
            total = sum(g for _, g in stalls)
            print(f"  stalls: {len(stalls)} gaps over 100 ms between successive records while drops were waiting, "
                  f"{total:.1f} s in all ({total / max(1e-9, end - began) * 100:.0f}% of the wall time; longest "
                  f"{ms(max(g for _, g in stalls))}), after records #{', #'.join(str(i + 1) for i, _ in stalls)}")
    if ahead:
        print(f"  backlog: up to {max(ahead.values())} drops moved but not yet visible when a drop got its OK "
              f"(median {statistics.median(ahead.values()):.0f}); latency of the {len(alone)} drops that found "
              f"none ahead: " + (spread(alone, 50) if alone else "-"))
    if cpu_began[0] is not None and cpu_used[0] is not None:
        gateway, harness = cpu_used[0] - cpu_began[0], cpu_used[1] - cpu_began[1]
        print(f"  CPU from the first MOVE to the last drop done ({wall_used:.1f} s on {os.cpu_count()} cores): "
              f"gateway {gateway:.1f} s ({gateway / max(1, len(ok)) * 1000:.0f} ms per drop, "
              f"{gateway / wall_used * 100:.0f}% of one core), this script {harness:.1f} s; "
              f"load average {os.getloadavg()[0]:.1f}")
    print(f"  watcher: {watcher.polls} polls of both SQLite files, mean {watcher.busy / max(1, watcher.polls) * 1e6:.0f} µs "
          f"per poll")

    failures = check(gw, crm, mail_db, users, expected, message_ids, prefix, run_tag, opportunities_before, watcher, errors)
    for line in log_observations(gw.log_text()):
        print(line)
    return failures


def check(gw, crm, mail_db, users, expected, message_ids, prefix, run_tag, opportunities_before, watcher, errors):
    """Exactly one opportunity and one archived email per mail; every mail back in INBOX with $CRMDone."""
    problems = list(errors)
    rows = crm.execute("SELECT name, COUNT(*) FROM record WHERE module = 'opportunities' AND name LIKE ? GROUP BY name",
                       (prefix + "%",)).fetchall()
    counts = dict(rows)
    duplicates = [n for n, k in counts.items() if k > 1]
    missing = [s for s in expected if s not in counts]
    stray = [n for n in counts if n not in expected]
    total = crm.execute("SELECT COUNT(*) FROM record WHERE module = 'opportunities'").fetchone()[0]
    if duplicates or missing or stray or total - opportunities_before != len(expected):
        problems.append(f"opportunities: {len(duplicates)} duplicated, {len(missing)} missing, {len(stray)} unexpected, "
                        f"{total - opportunities_before} new in all")
    if watcher.other_records:
        problems.append(f"records created besides the opportunities: {Counter(m for m, _ in watcher.other_records)}")
    # The same as a CRM client sees it, through the JSON API.
    names, offset = [], 0
    while True:
        page = api(gw, f"/api/v1/opportunities?limit=500&offset={offset}&q={urllib.parse.quote(prefix.strip())}")
        names += [r["fields"]["name"] for r in page["data"]]
        offset += 500
        if offset >= page["total"]:
            break
    if sorted(names) != sorted(expected):
        problems.append(f"JSON API lists {len(names)} opportunities ({len(set(names))} distinct), expected {len(expected)}")
    archived = dict(crm.execute("SELECT messageId, COUNT(*) FROM email WHERE subject LIKE ? GROUP BY messageId",
                                (prefix + "%",)).fetchall())
    if set(archived) != {f"<{m}>" for m in message_ids} or any(k != 1 for k in archived.values()):
        problems.append(f"archive: {len(archived)} distinct mails archived, {sum(archived.values())} copies, "
                        f"expected {len(message_ids)} once each")
    states = drop_states(mail_db)
    if states.get("done", 0) != len(expected) or len(states) != 1:
        problems.append(f"drop jobs: {states}")
    # Every mail back in INBOX with $CRMDone (and nothing left in the drop folder).
    back = Counter()
    for user in users:
        c = client(gw, user)
        if c.folder_status(DROP, [b"MESSAGES"])[b"MESSAGES"]:
            problems.append(f"{user}: drop folder not empty")
        c.select_folder("INBOX", readonly=True)
        uids = c.search(["SUBJECT", run_tag])
        for i in range(0, len(uids), 500):
            fetched = c.fetch(uids[i:i + 500], ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for data in fetched.values():
                flags = {f.decode() if isinstance(f, bytes) else f for f in data[b"FLAGS"]}
                header = data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode()
                mid = re.search(r"<([^>]+)>", header).group(1)
                if "$CRMDone" in flags and not flags & {"$CRMPending", "$CRMError"} and message_ids.get(mid) == user:
                    back[mid] += 1
                else:
                    problems.append(f"{user}: INBOX mail {mid} has flags {sorted(flags)}")
        c.logout()
    if set(back) != set(message_ids) or any(k != 1 for k in back.values()):
        problems.append(f"INBOX: {len(back)} of {len(message_ids)} mails back with $CRMDone, "
                        f"{sum(1 for k in back.values() if k > 1)} twice")
    if problems:
        print("check: FAILED")
        for p in problems[:20]:
            print(f"  - {p}")
    else:
        print(f"check: OK - exactly {len(expected)} opportunities (none twice, none missing, none else created; "
              f"JSON API agrees), each mail archived once, all {len(expected)} back in INBOX with $CRMDone, "
              f"drop folders empty, drop jobs all done")
    return bool(problems)


if __name__ == "__main__":
    main()
