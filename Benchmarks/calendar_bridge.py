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
import datetime
import re
import tempfile
import urllib.parse
from pathlib import Path

from davbench import PASSWORD, bridge_gateway, figures, post_all, sequential_put_rate, sync, use_release_binary
from drophelpers import API
import radicale

ALICE = "alice@example.com"
NOW = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)


def start_of(n):
    """Event n's start: spread over the 400 days ahead, working hours."""
    return NOW + datetime.timedelta(days=1 + n % 380, hours=n % 8)


def post_events(api, numbers):
    def event(n):
        start = start_of(n)
        return {"owner": ALICE, "fields": {
            "subject": f"Meeting {n}, EMEA", "start": start.isoformat().replace("+00:00", "Z"),
            "end": (start + datetime.timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
            "timeZone": "Europe/Berlin", "location": f"Room {n % 12}"}}
    post_all(api, "/events", map(event, numbers))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--first", type=int, default=1000)
    args = parser.parse_args()
    use_release_binary()

    root = Path(tempfile.mkdtemp(prefix="crmgate-calendar-bench-"))
    with radicale.Radicale(root / "radicale", users={u: PASSWORD for u in [ALICE, "carla@example.com", "reference@example.com"]}) as dav:
        gw, bridge = bridge_gateway(root, dav, '[[policy]]\nname = "everyone"\nusers = ["*"]\ndisplay_modules = []\n'
                                               'drop_modules = []\ncontacts_sync = "off"\nleads_sync = "off"\ntasks_sync = "off"\n')
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
            # The same object under another UID each time.
            copies = [re.sub(r"^UID:.*$", f"UID:ref-{n}", template, flags=re.M).encode() for n in range(args.first)]
            reference = sequential_put_rate(dav, "reference@example.com", ("MKCALENDAR", None), copies, "ics", "text/calendar; charset=utf-8")
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
                      f"DAV requests {sum(f[4] for f in lines)} (discovery included); "
                      + "; ".join(f"{m}: {c}" for _, m, c, _, _ in lines))
            location = api.get(f"/events/{record['id']}")["fields"].get("location")
            assert location == "Room 100", location
        finally:
            gw.stop()


if __name__ == "__main__":
    main()
