"""Benchmark: crmgate with a live BottleCRM as its CRM (issue 17).

Starts a development BottleCRM (scripts/bottlecrm) with `--records` extra leads, puts a
counting proxy between it and a release crmgate (kind = "bottlecrm"), and measures:

- drops: `--drops` messages moved by `--clients` clients into "BottleCRM/- Create New
  Opportunity" (crmgate-bench drops): p50/p99 from each MOVE's OK to the mail's return with
  $CRMDone, which comes after the opportunity and its email interaction are in BottleCRM;
  and the HTTP requests crmgate sent per drop, the listings of whole modules apart.
- a poll cycle: the time crmgate takes to list a module of `--records` unchanged records
  and find nothing changed (from its log), and how many requests that costs.
- IMAP latency while polls run: crmgate-bench mixed for `--seconds`, once with crmgate
  listing the leads every 3 s and once with a poll interval of an hour; p50/p99 per command.

    swift build -c release
    .venv/bin/python Benchmarks/bottlecrm.py [--records 10000] [--drops 200] [--clients 4] [--seconds 15]
"""
import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "EndToEnd"))

import bottlecrm  # noqa: E402
import conftest  # noqa: E402
from conftest import PASSWORD, Gateway, imap_client, message  # noqa: E402
from drophelpers import policy, wait_for_drop_folder  # noqa: E402

DROP_FOLDER = "BottleCRM/- Create New Opportunity"
USERS = ["alice@example.com", "bob@example.com"]
LISTING = re.compile(r"listed a BottleCRM module.*?changes=(\d+).*?module=(\w+).*?ms=(\d+).*?records=(\d+)")


def seed_leads(description, count):
    """`count` leads (bulk, no signals) in the BottleCRM's organisation."""
    started = time.time()
    for first in range(0, count, 2000):
        size = min(2000, count - first)
        bottlecrm.django(description, (
            "from common.models import Org\n"
            "from leads.models import Lead\n"
            f"org = Org.objects.get(id={description['org_id']!r})\n"
            f"Lead.objects.bulk_create([Lead(org=org, first_name='Bench', last_name='Lead %d' % i, "
            f"email='bench-lead-%d@bench.example' % i, status='assigned') for i in range({first}, {first + size})])\n"))
    print(f"  seeded {count:,} leads in {time.time() - started:.0f} s")


def gateway(root, url, description, poll_interval, display):
    config = "\n".join([
        "[crm]", 'kind = "bottlecrm"', f'url = "{url}"', f'token_file = "{description["admin_token_file"]}"',
        f"poll_interval = {poll_interval}", "timeout = 60"]) + "\n" + policy(drop_modules=["opportunities"], display_modules=display)
    root.mkdir(parents=True)
    gw = Gateway(root, extra_config=config)
    for user in USERS:
        gw.add_user(user)
    return gw


def bench(tool, gw, subcommand, *arguments, users=USERS):
    import json
    command = [tool, subcommand, "--port", str(gw.tls_port), "--ca-file", str(gw.cert), "--users", ",".join(users),
               "--password", PASSWORD, "--json", *map(str, arguments)]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    summary = json.loads(ran.stdout) if ran.stdout.strip() else None
    if not summary or summary["errors"]:
        raise SystemExit(f"crmgate-bench {subcommand} failed: {ran.stderr[-2000:]}\n" + "\n".join((summary or {}).get("errorSamples", [])))
    return summary


def listings(gw, module):
    """[(ms, records, changes)] of the module's listings in the gateway's log."""
    found = []
    for line in gw.log_text().splitlines():
        if "listed a BottleCRM module" in line and f"module={module}" in line:
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            found.append((int(fields["ms"]), int(fields["records"]), int(fields["changes"])))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="leads seeded into BottleCRM")
    parser.add_argument("--drops", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=15, help="length of each mixed run")
    args = parser.parse_args()
    release = ROOT / ".build" / "release"
    tool = str(release / "crmgate-bench")
    if not (release / "crmgate").exists():
        raise SystemExit("build first: swift build -c release")
    conftest.BIN = str(release / "crmgate")
    root = Path(tempfile.mkdtemp(prefix="crmgate-bottlecrm-bench-"))
    root.chmod(0o755)
    crm_dir = root / "bottlecrm"
    print(f"== BottleCRM ({crm_dir})")
    started = subprocess.run(["bash", str(bottlecrm.SCRIPT), "start", "--dir", str(crm_dir), "--users", ",".join(USERS)],
                             capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        raise SystemExit(started.stderr[-3000:])
    import json
    description = json.loads((crm_dir / "bottlecrm.json").read_text())
    proxy = bottlecrm.FaultProxy(description["url"])
    try:
        seed_leads(description, args.records)
        drops_and_polls(tool, root, description, proxy, args)
        latency_while_polling(tool, root, description, proxy, args)
    finally:
        proxy.close()
        subprocess.run(["bash", str(bottlecrm.SCRIPT), "stop", "--dir", str(crm_dir)], capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def drops_and_polls(tool, root, description, proxy, args):
    print(f"\n== drops: {args.drops} messages moved into \"{DROP_FOLDER}\" by {args.clients} clients")
    gw = gateway(root / "drops", proxy.url, description, poll_interval=30, display=["opportunities"])
    gw.start()
    try:
        wait_for_drop_folder(gw, USERS, DROP_FOLDER)
        # One drop first: the sender's contact and account are created once, not per drop.
        bench(tool, gw, "drops", "--drops", 1, "--clients", 1, "--folder", DROP_FOLDER, "--from", "Ines Fischer <ines@globex-bench.example>")
        before = len(proxy.requests)
        summary = bench(tool, gw, "drops", "--drops", args.drops, "--clients", args.clients, "--folder", DROP_FOLDER,
                        "--from", "Ines Fischer <ines@globex-bench.example>")
        sent = proxy.requests[before:]
        listing = [r for r in sent if r[0] == "GET" and "offset=" in r[1]]
        other = [r for r in sent if r not in listing]
        done = summary["perCommand"]["MOVE OK → $CRMDone"]
        print(f"  MOVE OK → back in INBOX with $CRMDone (record and email in BottleCRM): p50 {done['p50']:.0f} ms, "
              f"p90 {done['p90']:.0f} ms, p99 {done['p99']:.0f} ms, max {done['max']:.0f} ms (goal median ≤ 1,000 ms); "
              f"{summary['figures']['drops/s']:.1f} drops/s")
        kinds = {}
        for method, path, _ in other:
            kind = f"{method} {re.sub(r'[0-9a-f-]{36}', '<id>', path.split('?')[0])}"
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"  HTTP requests per drop: {len(other) / args.drops:.2f} (goal ≤ 4) — "
              + ", ".join(f"{k}: {v / args.drops:.2f}" for k, v in sorted(kinds.items())))
        print(f"  listings of whole modules meanwhile: {len(listing)} requests")
        created = [o for o in bottlecrm.BottleAPI(description).ok("GET", "/api/opportunities/", query={"limit": 100000})["opportunities"]
                   if o["name"].startswith("Quote request")]
        print(f"  opportunities created: {len(created)} (expected {args.drops + 1})")
        # A poll cycle over the unchanged leads: the first listing filled the copy; wait for one more.
        seen = len(listings(gw, "leads"))
        start = time.time()
        while len(listings(gw, "leads")) <= seen and time.time() - start < 120:
            c = imap_client(gw)
            c.select_folder("INBOX")
            c.append("INBOX", message("poke"))  # keeps the folder service and drops busy; nothing more
            c.logout()
            time.sleep(5)
    finally:
        gw.stop()
    cycles = [entry for entry in listings(gw, "leads") if entry[1] >= args.records]
    unchanged = [ms for ms, _, changes in cycles if changes == 0]
    if cycles:
        print(f"  listing {cycles[-1][1]:,} leads: first {cycles[0][0]} ms ({cycles[0][2]:,} new to crmgate), "
              f"unchanged: {', '.join(f'{ms} ms' for ms in unchanged) or 'none seen'} (goal ≤ 2,000 ms), "
              f"{-(-cycles[-1][1] // 500)} requests each")


def latency_while_polling(tool, root, description, proxy, args):
    print(f"\n== IMAP latency while crmgate lists {args.records:,} leads every 3 s (mixed, {args.seconds} s, 4 clients)")
    results = {}
    for label, interval in (("polling every 3 s", 3), ("not polling", 3600)):
        gw = gateway(root / f"latency-{interval}", proxy.url, description, poll_interval=interval, display=["opportunities", "leads"])
        users = [f"bench{i:02d}@example.com" for i in range(1, 5)]
        for user in users:
            gw.add_user(user)
        gw.config.write_text(gw.config.read_text().replace('level = "debug"', 'level = "info"'))
        gw.start()
        try:
            wait_for_drop_folder(gw, ["alice@example.com"], DROP_FOLDER)
            for user in users:
                c = imap_client(gw, user)
                for i in range(100):
                    c.append("INBOX", message(f"bench {i}"))
                c.logout()
            results[label] = bench(tool, gw, "mixed", "--seconds", args.seconds, "--clients", 4, users=users)
        finally:
            gw.stop()
    for command in ("SELECT", "FETCH-FLAGS", "FETCH-BODY", "SEARCH", "STORE", "APPEND"):
        row = []
        for label, summary in results.items():
            figures = summary["perCommand"].get(command)
            if figures:
                row.append(f"{label}: p50 {figures['p50']:.2f} ms, p99 {figures['p99']:.2f} ms")
        print(f"  {command}: " + "; ".join(row))
    rates = {label: summary["commandsPerSecond"] for label, summary in results.items()}
    print("  commands/s: " + ", ".join(f"{label} {rate:,.0f}" for label, rate in rates.items()))


if __name__ == "__main__":
    main()
