#!/usr/bin/env python3
"""The contacts bridge against a real Radicale 3.9.0, with figures and request counts.

1. The server alone: sequential PUTs of --first vCards (one keep-alive connection), the
   reference rate; then crmgate's first sync of --first contacts (`crmgate sync --once`,
   wall time, process start and discovery included).
2. The user grows to --contacts contacts and syncs; then a run with no change, a run after
   one CRM change and a run after one card change: their time and DAV requests.
3. --users policy users with a few contacts each; one CRM change; the next round shows how
   many scopes had queued changes (the users the change concerns) out of all.

Usage: .venv/bin/python Benchmarks/contacts.py [--contacts 5000] [--first 1000] [--users 200]
(CRMGATE_BIN defaults to the release build, `swift build -c release`; CRMGATE_RADICALE to
.venv/bin/radicale, installed by scripts/test.)
"""
import argparse
import sqlite3
import tempfile
from pathlib import Path

from davbench import PASSWORD, bridge_gateway, figures, post_all, sequential_put_rate, sync, use_release_binary
from drophelpers import API
import radicale

ALICE = "alice@example.com"


def card(n, uid):
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//bench//EN\r\nUID:{uid}\r\nN:Person{n};Bench;;;\r\n"
            f"FN:Bench Person{n}\r\nTITLE:Buyer\\, EMEA\r\nEMAIL;TYPE=work:bench{n}@example.com\r\n"
            f"TEL;TYPE=work,voice:+1 555 {n:04d}\r\nCATEGORIES:Embedded CRM\r\nX-CRMGATE-ID:contacts/{n}\r\n"
            f"END:VCARD\r\n").encode()


def post_contacts(api, owners_and_numbers):
    post_all(api, "/contacts", ({"owner": owner, "fields": {
        "firstName": "Bench", "lastName": f"Person{n}", "title": "Buyer, EMEA",
        "emails": [f"bench{n}@example.com"], "phone": f"+1 555 {n % 10000:04d}"}} for owner, n in owners_and_numbers))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--first", type=int, default=1000)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    use_release_binary()

    users = [ALICE] + [f"user{n}@example.com" for n in range(2, args.users + 1)]
    root = Path(tempfile.mkdtemp(prefix="crmgate-contacts-bench-"))
    with radicale.Radicale(root / "radicale", users={u: PASSWORD for u in users + ["bob@example.com", "carla@example.com", "reference@example.com"]}) as dav:
        gw, bridge = bridge_gateway(root, dav, '[[policy]]\nname = "everyone"\nusers = ["*"]\ndisplay_modules = []\n'
                                               'drop_modules = []\nevents_sync = "off"\ntasks_sync = "off"\n')
        with sqlite3.connect(root / "gw" / "data" / "crm.sqlite") as db:
            for email in users[1:]:
                db.execute("INSERT INTO user (name, email, active) VALUES (?, ?, 1)", (email, email))
        gw.start()
        try:
            token = gw.cli("token", "create", ALICE)
            api = API(gw, token.stdout.strip())

            print(f"== 1. first sync of {args.first} contacts")
            make = ("MKCOL", '<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>'
                             '<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>')
            reference = sequential_put_rate(dav, "reference@example.com", make, [card(n, f"ref-{n}") for n in range(args.first)],
                                            "vcf", "text/vcard; charset=utf-8")
            post_contacts(api, [(ALICE, n) for n in range(args.first)])
            elapsed, out = sync(bridge, "--user", ALICE)
            rate = args.first / elapsed
            print(f"Radicale alone, sequential PUTs: {reference:.0f}/s")
            print(f"crmgate first sync:              {rate:.0f}/s ({elapsed:.1f} s, process start and discovery included)"
                  f" = {rate / reference:.2f}x the server's own rate")

            print(f"== 2. {args.contacts} contacts in sync")
            post_contacts(api, [(ALICE, n) for n in range(args.first, args.contacts)])
            elapsed, out = sync(bridge, "--user", ALICE)
            print(f"sync of the other {args.contacts - args.first}: {elapsed:.1f} s")
            for label, change in [("no change", None), ("one CRM change", "crm"), ("one card change", "card")]:
                if change == "crm":
                    record = api.get("/contacts?limit=1&q=Person7")["data"][0]
                    api.request("PATCH", f"/contacts/{record['id']}", {"fields": {"title": "Head of buying"}})
                elif change == "card":
                    book = dav.books()["Embedded CRM"]
                    path = next(p for p in [f"{book}crmgate-contacts-{record['id']}.vcf"])
                    text = dav.request("GET", path).replace("TITLE:Head of buying", "TITLE:Chief buyer")
                    dav.request("PUT", path, body=text.encode(), headers={"Content-Type": "text/vcard"})
                elapsed, out = sync(bridge, "--user", ALICE)
                lines = figures(out)
                print(f"{label:16}: {elapsed * 1000:.0f} ms wall (process start included), "
                      f"DAV requests {sum(f[4] for f in lines)} (discovery included), "
                      + "; ".join(f"{m}: {c}" for _, m, c, _, _ in lines))

            print(f"== 3. {args.users} policy users")
            post_contacts(api, [(u, 100_000 + i * 10 + k) for i, u in enumerate(users[1:]) for k in range(2)])
            for email in users[1:]:
                gw.add_user(email, "benchmark password")
            elapsed, out = sync(bridge)
            print(f"first sync of {args.users} users: {elapsed:.1f} s, {len(figures(out))} scopes")
            owner = users[len(users) // 2]
            record = api.get(f"/contacts?limit=1&owner={owner}")["data"][0]
            api.request("PATCH", f"/contacts/{record['id']}", {"fields": {"title": "Changed"}})
            elapsed, out = sync(bridge)
            lines = figures(out)
            concerned = [f for f in lines if f[3] > 0]
            print(f"one CRM change: {len(concerned)} of {len(lines)} scopes had it queued "
                  f"({', '.join(f'{u} {m}: {c}' for u, m, c, _, _ in concerned)}); "
                  f"the round ran every scope (a fresh process: all due) in {elapsed:.1f} s")
        finally:
            gw.stop()


if __name__ == "__main__":
    main()
