"""The contacts bridge end to end: the crmgate binary, its demo CRM and a real Radicale 3.9.0,
driven by `crmgate sync` and by the running service."""
import re
import sqlite3
import urllib.request


import radicale
from conftest import demo_gateway
from drophelpers import API, policy, wait_for

ALICE = "alice@example.com"


def bridge_gateway(root, dav, **switches):
    """A demo gateway with [dav]; only contacts and leads sync unless `switches` say otherwise
    (test_calendar_sync.py has the calendar's tests)."""
    root.mkdir(parents=True, exist_ok=True)
    switches = {"events_sync": "off", "tasks_sync": "off", **switches}
    return demo_gateway(root, policy(**switches) + dav.dav_config())


def alices_records(gw):
    """Ids of the contacts and open leads alice owns, as the bridge should sync them (read
    from the embedded CRM's database: the gateway need not run)."""
    with sqlite3.connect(gw.root / "data" / "crm.sqlite") as db:
        rows = db.execute("""SELECT r.module || '/' || r.id FROM record r JOIN user u ON u.id = r.ownerId
                             WHERE u.email = ? AND r.module IN ('contacts', 'leads') AND NOT r.closed AND NOT r.deleted""",
                          (ALICE,)).fetchall()
    return sorted(row[0] for row in rows)


def api(gw):
    token = gw.cli("token", "create", ALICE)
    assert token.returncode == 0, token.stderr
    return API(gw, token.stdout.strip())


def counts(output):
    """{"created-remote": 27, …} summed over the scopes of a `crmgate sync` output."""
    total = {}
    for key, value in re.findall(r"([a-z-]+) (\d+)", output):
        total[key] = total.get(key, 0) + int(value)
    return total


def test_sync_dry_run_then_once_then_nothing_left(tmp_path, dav):
    gw = bridge_gateway(tmp_path / "gw", dav)
    expected = alices_records(gw)
    dry = gw.cli("sync", "--user", ALICE, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would do" in dry.stdout or "create the address book" in dry.stdout, dry.stdout
    assert dav.books() == {}, "a dry run writes nothing"

    first = gw.cli("sync", "--user", ALICE, "--once")
    assert first.returncode == 0, first.stdout + first.stderr
    assert counts(first.stdout).get("created-remote") == len(expected), first.stdout
    cards = dav.cards()
    assert sorted(radicale.crm_ids(cards)) == expected
    assert all("CATEGORIES:Embedded CRM" in card for card in cards)

    again = gw.cli("sync", "--user", ALICE, "--once")
    assert again.returncode == 0 and "in step" in again.stdout and "created" not in again.stdout, again.stdout
    status = gw.cli("status")
    assert re.search(rf"{ALICE} contacts: last sync .*, \d+ linked, backlog 0", status.stdout), status.stdout


def test_a_run_killed_mid_sync_converges_without_duplicates(tmp_path, dav):
    gw = bridge_gateway(tmp_path / "gw", dav)
    expected = alices_records(gw)
    killed = gw.cli_env({"CRMGATE_CRASH_AT": "sync-mid-run"}, "sync", "--user", ALICE, "--once")
    assert killed.returncode == -9, killed.stdout + killed.stderr
    written = radicale.crm_ids(dav.cards())
    assert 0 < len(written) < len(expected), "the run was cut short after some of its writes"

    rerun = gw.cli("sync", "--user", ALICE, "--once")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    ids = radicale.crm_ids(dav.cards())
    assert sorted(ids) == expected, "every record once, none twice"
    final = gw.cli("sync", "--user", ALICE, "--once")
    assert "in step" in final.stdout, final.stdout


def test_the_service_syncs_a_crm_change_at_once_and_a_card_edit_at_its_interval(tmp_path, dav):
    gw = bridge_gateway(tmp_path / "gw", dav, sync_interval=2)
    expected = alices_records(gw)
    client = api(gw)
    gw.start()
    try:
        assert wait_for(lambda: len(dav.cards()) == len(expected), 60), gw.log_text()[-3000:]
        created = client.post("/contacts", {"owner": ALICE, "fields": {
            "firstName": "Zoë", "lastName": "Ångström", "title": "Sales, EMEA; Nordics", "emails": ["zoe@example.se"]}})
        ref = f"contacts/{created['id']}"
        card = wait_for(lambda: next((c for c in dav.cards() if f"X-CRMGATE-ID:{ref}" in c), None), 30)
        assert card and "TITLE:Sales\\, EMEA\\; Nordics" in card, card
        assert "N:Ångström;Zoë;;;" in card, card

        # The user edits the card on their phone: the next look at the address book takes it to the CRM.
        book = dav.books()["Embedded CRM"]
        edited = card.replace("TITLE:Sales\\, EMEA\\; Nordics", "TITLE:Head of sales\\, Nordics")
        edited = edited.replace("\r\n", "\n").replace("\n", "\r\n")
        dav.request("PUT", f"{book}crmgate-contacts-{created['id']}.vcf", body=edited.encode() + b"\r\n",
                    headers={"Content-Type": "text/vcard"})
        title = lambda: client.get(f"/contacts/{created['id']}")["fields"].get("title")  # noqa: E731
        assert wait_for(lambda: title() == "Head of sales, Nordics", 30), title()

        # /metrics has the sync's figures per account and module.
        with urllib.request.urlopen(gw.web_url + "/metrics", timeout=10) as response:
            metrics = response.read().decode()
        assert re.search(r'^crmgate_sync_items_total\{user="alice@example.com",module="contacts",action="created-remote"\} [1-9]',
                         metrics, re.M), [line for line in metrics.splitlines() if "crmgate_sync_items" in line]
        assert re.search(r'^crmgate_sync_last_success_timestamp_seconds\{user="alice@example.com",module="contacts"\} \d', metrics, re.M)
        assert re.search(r'^crmgate_sync_backlog\{user="alice@example.com",module="contacts"\} 0', metrics, re.M)
    finally:
        gw.stop()
