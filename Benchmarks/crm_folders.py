"""Benchmark: CRM folders for a user with many active records.

Prints how long the first synchronisation of the whole CRM tree takes for a user with
N active opportunities (goal: 2,000 in under 30 s) and how long one record change takes
to reach an IDLE client (goal: under 2 s). Uses the real binary and real clients.

    python3 Benchmarks/crm_folders.py [--records 2000] [--changes 5]
    (CRMGATE_BIN defaults to the release build)
"""
import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "EndToEnd"))
os.environ.setdefault("CRMGATE_BIN", str(Path(__file__).resolve().parent.parent / ".build" / "release" / "crmgate"))
import conftest  # noqa: E402
from conftest import PASSWORD, Gateway  # noqa: E402
from imapclient import IMAPClient  # noqa: E402

POLICY = '[[policy]]\nname = "everyone"\nusers = ["alice@example.com"]\n'
MASTER = "Embedded CRM"


def api(gw, method, path, body=None):
    request = urllib.request.Request(gw.web_url + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {gw.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def client(gw):
    c = IMAPClient(gw.host, port=gw.tls_port, ssl=True, ssl_context=gw.tls_context(), timeout=60)
    c.login("alice@example.com", PASSWORD)
    return c


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=5)
    args = parser.parse_args()
    conftest.BIN = os.environ["CRMGATE_BIN"]
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        # 1. Without a policy, fill the CRM: alice owns `records` open opportunities.
        gw = Gateway(root)
        assert gw.cli("demo", "seed").returncode == 0
        assert gw.cli("user", "passwd", "alice@example.com", input=PASSWORD + "\n").returncode == 0
        gw.token = gw.cli("token", "create", "alice@example.com").stdout.strip()
        gw.start()
        existing = [r for r in api(gw, "GET", "/api/v1/opportunities?state=open&owner=alice@example.com&limit=500")["data"]]
        started = time.time()
        for i in range(max(0, args.records - len(existing))):
            api(gw, "POST", "/api/v1/opportunities", {"fields": {"name": f"Benchmark deal {i:05d}", "stage": "Proposal",
                                                                  "amount": 1000 + i, "currency": "USD"}})
        fill = time.time() - started
        gw.stop()
        # 2. Add the policy and start: time until alice's whole tree is there.
        with open(gw.config, "a") as config:
            config.write(POLICY)
        started = time.time()
        gw.start()
        c = client(gw)
        expected = args.records
        while True:
            names = [n for _, _, n in c.list_folders(f"{MASTER}/Opportunities/Assign To/", "*")]
            count = c.folder_status(f"{MASTER}/Opportunities", [b"MESSAGES"])[b"MESSAGES"] if any(
                n == f"{MASTER}/Opportunities" for _, _, n in c.list_folders(MASTER, "*")) else 0
            if len(names) >= expected and count >= expected:
                break
            if time.time() - started > 600:
                raise SystemExit(f"tree incomplete after 600 s: {len(names)} folders, {count} summaries")
            time.sleep(0.2)
        first_sync = time.time() - started
        # 3. One change at a time: PATCH, then wait for EXPUNGE + EXISTS in IDLE.
        records = api(gw, "GET", "/api/v1/opportunities?state=open&owner=alice@example.com&limit=500")["data"]
        c.select_folder(f"{MASTER}/Opportunities")
        latencies = []
        for i in range(args.changes):
            c.idle()
            started = time.time()
            api(gw, "PATCH", f"/api/v1/opportunities/{records[i]['id']}", {"fields": {"amount": 5000 + i}})
            seen = []
            while not (any(x[1] == b"EXPUNGE" for x in seen) and any(x[1] == b"EXISTS" for x in seen)):
                seen += c.idle_check(timeout=0.2)
                if time.time() - started > 120:
                    raise SystemExit("change not seen within 120 s")
            latencies.append(time.time() - started)
            c.idle_done()
        c.logout()
        gw.stop()
    print(f"binary: {conftest.BIN}")
    print(f"records: {args.records} open opportunities owned by one user (filled in {fill:.1f} s through the JSON API)")
    print(f"first sync of the whole CRM tree: {first_sync:.1f} s (goal < 30 s)")
    print(f"one change to IDLE client: median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s "
          f"over {len(latencies)} changes (goal < 2 s)")


if __name__ == "__main__":
    main()
