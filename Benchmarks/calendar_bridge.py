#!/usr/bin/env python3
"""The calendar bridge against a real Radicale 3.9.0, with figures and request counts.

1. crmgate's first sync of --first CRM events (`crmgate sync --once`, wall time, process
   start and discovery included); then the server alone: sequential PUTs of as many copies
   of one object crmgate wrote into a new calendar (one keep-alive connection), the
   reference rate.
2. The user grows to --events events in the window and syncs; then a run with no change, a
   run after one CRM change and a run after one calendar change: their time and DAV requests.

Usage: .venv/bin/python Benchmarks/calendar_bridge.py [--events 2000] [--first 1000]
(CRMGATE_BIN defaults to the release build, `swift build -c release`; CRMGATE_RADICALE to
.venv/bin/radicale, installed by scripts/test.)
"""
import argparse
import base64
import datetime
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "EndToEnd"))

import conftest  # noqa: E402
from conftest import Gateway  # noqa: E402
from drophelpers import API  # noqa: E402
import radicale  # noqa: E402

PASSWORD = "bench-dav"
ALICE = "alice@example.com"
NOW = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)


def start_of(n):
    """Event n's start: spread over the 400 days ahead, working hours."""
    return NOW + datetime.timedelta(days=1 + n % 380, hours=n % 8)


def server_put_rate(dav, user, count, template):
    """Sequential PUTs (If-None-Match) of `count` events into a new calendar, one connection:
    copies of `template` (an object crmgate wrote) with their own UID."""
    calendar = f"/{user}/reference-{uuid.uuid4().hex[:8]}/"
    auth = {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}
    conn = http.client.HTTPConnection("127.0.0.1", dav.port)
    conn.request("MKCALENDAR", calendar, headers=auth)
    assert conn.getresponse().read() is not None
    start = time.perf_counter()
    for n in range(count):
        body = re.sub(r"^UID:.*$", f"UID:ref-{n}", template, flags=re.M).replace("X-CRMGATE-ID:", f"X-CRMGATE-ID:{n}").encode()
        conn.request("PUT", f"{calendar}event-{n}.ics", body=body,
                     headers={**auth, "Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
        response = conn.getresponse()
        response.read()
        assert response.status in (201, 204), response.status
    return count / (time.perf_counter() - start)


def sync(config, *args):
    start = time.perf_counter()
    result = subprocess.run([conftest.BIN, "sync", "--once", *args, "--config", str(config)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"crmgate sync failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def figures(output):
    """Per scope line: (module, counts text, requests)."""
    return [(m.group(1), m.group(2), int(m.group(3))) for m in re.finditer(
        r"^\S+ (\w+) \(policy [^)]*\): (.*?) \(\d+ queued CRM changes, (\d+) DAV requests\)$", output, re.M)]


def post_events(api, numbers):
    def post(n):
        start = start_of(n)
        api.post("/events", {"owner": ALICE, "fields": {
            "subject": f"Meeting {n}, EMEA", "start": start.isoformat().replace("+00:00", "Z"),
            "end": (start + datetime.timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
            "timeZone": "Europe/Berlin", "location": f"Room {n % 12}"}})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, numbers))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--first", type=int, default=1000)
    args = parser.parse_args()
    conftest.BIN = os.environ.get("CRMGATE_BIN") or str(Path(__file__).resolve().parent.parent / ".build" / "release" / "crmgate")
    if not Path(conftest.BIN).exists():
        raise SystemExit(f"{conftest.BIN} not found: build it with swift build -c release")

    root = Path(tempfile.mkdtemp(prefix="crmgate-calendar-bench-"))
    with radicale.Radicale(root / "radicale", users={u: PASSWORD for u in [ALICE, "reference@example.com"]}) as dav:
        password_file = root / "dav-password"
        password_file.write_text(PASSWORD + "\n")
        policy = ('[[policy]]\nname = "everyone"\nusers = ["*"]\ndisplay_modules = []\ndrop_modules = []\n'
                  'contacts_sync = "off"\nleads_sync = "off"\ntasks_sync = "off"\n')
        (root / "gw").mkdir()
        gw = Gateway(root / "gw", extra_config=policy)
        # The server (web API) runs without [dav]; `crmgate sync` reads a copy of the file with it.
        bridge = root / "gw" / "crmgate-dav.toml"
        bridge.write_text(gw.config.read_text() + f'[dav]\nurl = "{dav.url}"\nusername = "{{user}}"\npassword_file = "{password_file}"\n')
        seeded = gw.cli("demo", "seed")
        assert seeded.returncode == 0, seeded.stderr
        with sqlite3.connect(root / "gw" / "data" / "crm.sqlite") as db:
            # The demo's records go to carla, so alice owns only what the benchmark makes.
            db.execute("UPDATE record SET ownerId = (SELECT id FROM user WHERE email = 'carla@example.com')")
        gw.start()
        try:
            token = gw.cli("token", "create", ALICE)
            assert token.returncode == 0, token.stderr
            api = API(gw, token.stdout.strip())

            print(f"== 1. first sync of {args.first} events")
            post_events(api, range(args.first))
            elapsed, out = sync(bridge, "--user", ALICE)
            created = sum(int(m) for m in re.findall(r"created-remote (\d+)", out))
            assert created == args.first, out
            calendar = dav.calendars()["Embedded CRM"]
            template = dav.request("GET", f"{calendar}crmgate-events-{api.get('/events?limit=1')['data'][0]['id']}.ics")
            reference = server_put_rate(dav, "reference@example.com", args.first, template)
            rate = args.first / elapsed
            print(f"Radicale alone, sequential PUTs: {reference:.0f}/s")
            print(f"crmgate first sync:              {rate:.0f}/s ({elapsed:.1f} s, process start and discovery included)"
                  f" = {rate / reference:.2f}x the server's own rate")

            print(f"== 2. {args.events} events in the window, in sync")
            post_events(api, range(args.first, args.events))
            elapsed, out = sync(bridge, "--user", ALICE)
            print(f"sync of the other {args.events - args.first}: {elapsed:.1f} s")
            record = api.get("/events?limit=1&q=" + urllib.parse.quote("Meeting 7,"))["data"][0]
            for label, change in [("no change", None), ("one CRM change", "crm"), ("one calendar change", "dav")]:
                if change == "crm":
                    api.request("PATCH", f"/events/{record['id']}", {"fields": {"location": "Room 99"}})
                elif change == "dav":
                    calendar = dav.calendars()["Embedded CRM"]
                    path = f"{calendar}crmgate-events-{record['id']}.ics"
                    text = dav.request("GET", path).replace("LOCATION:Room 99", "LOCATION:Room 100")
                    dav.request("PUT", path, body=text.encode(), headers={"Content-Type": "text/calendar"})
                elapsed, out = sync(bridge, "--user", ALICE)
                lines = figures(out)
                print(f"{label:20}: {elapsed * 1000:.0f} ms wall (process start included), "
                      f"DAV requests {sum(f[2] for f in lines)} (discovery included); "
                      + "; ".join(f"{m}: {c}" for m, c, _ in lines))
            location = api.get(f"/events/{record['id']}")["fields"].get("location")
            assert location == "Room 100", location
        finally:
            gw.stop()


if __name__ == "__main__":
    main()
