"""The calendar bridge end to end: the crmgate binary, its demo CRM's events and tasks, and a
real Radicale 3.9.0, driven by `crmgate sync`."""
import re
import sqlite3

from conftest import demo_gateway
from drophelpers import policy
from test_contacts_sync import counts

ALICE = "alice@example.com"


def calendar_gateway(root, dav, **switches):
    """A demo gateway with [dav] syncing only events and tasks."""
    root.mkdir(parents=True, exist_ok=True)
    switches = {"contacts_sync": "off", "leads_sync": "off", **switches}
    return demo_gateway(root, policy(**switches) + dav.dav_config())


def alices(gw, module, open_only=False):
    """Ids of alice's records of a module (read from the embedded CRM's database)."""
    with sqlite3.connect(gw.root / "data" / "crm.sqlite") as db:
        rows = db.execute(f"""SELECT r.module || '/' || r.id FROM record r JOIN user u ON u.id = r.ownerId
                              WHERE u.email = ? AND r.module = ? AND NOT r.deleted {"AND NOT r.closed" if open_only else ""}""",
                          (ALICE, module)).fetchall()
    return sorted(row[0] for row in rows)


def synced(dav, component):
    """The CRM ids the calendar's events or tasks carry."""
    return sorted(m.group(1).strip() for kind, body in dav.items() if kind == component
                  for m in [re.search(r"^X-CRMGATE-ID:(.*)$", body, re.M)] if m)


def test_events_and_open_tasks_reach_the_calendar_once(tmp_path, dav):
    gw = calendar_gateway(tmp_path / "gw", dav)
    events, tasks = alices(gw, "events"), alices(gw, "tasks", open_only=True)
    assert events and tasks, "the demo gives alice events and open tasks"
    first = gw.cli("sync", "--user", ALICE, "--once")
    assert first.returncode == 0, first.stdout + first.stderr
    assert counts(first.stdout).get("created-remote") == len(events) + len(tasks), first.stdout
    assert synced(dav, "VEVENT") == events and synced(dav, "VTODO") == tasks
    items = dav.items()
    assert all("CATEGORIES:Embedded CRM" in body and "COLOR:darkorange" in body for _, body in items)
    # The demo's weekly CRM event stays one series in its owner's calendar.
    with sqlite3.connect(gw.root / "data" / "crm.sqlite") as db:
        ref, owner = db.execute("""SELECT r.module || '/' || r.id, u.email FROM record r JOIN user u ON u.id = r.ownerId
                                   WHERE r.module = 'events' AND r.fields LIKE '%FREQ=WEEKLY%'""").fetchone()
    if owner != ALICE:
        assert gw.cli("sync", "--user", owner, "--once").returncode == 0
    series = [body for _, body in dav.items(user=owner) if f"X-CRMGATE-ID:{ref}" in body]
    assert len(series) == 1 and "RRULE:FREQ=WEEKLY;COUNT=8" in series[0], series
    assert "BEGIN:VTIMEZONE" in dav.request("GET", dav.calendars()["Embedded CRM"])

    again = gw.cli("sync", "--user", ALICE, "--once")
    assert again.returncode == 0 and "created" not in again.stdout, again.stdout
    assert re.search(rf"{ALICE} events \(policy everyone\): in step", again.stdout), again.stdout
    status = gw.cli("status")
    assert re.search(rf"{ALICE} events: last sync .*, \d+ linked, backlog 0", status.stdout), status.stdout
    assert re.search(rf"{ALICE} tasks: last sync .*, \d+ linked, backlog 0", status.stdout), status.stdout


def test_a_calendar_run_killed_mid_sync_converges_without_duplicates(tmp_path, dav):
    gw = calendar_gateway(tmp_path / "gw", dav, tasks_sync="off")
    events = alices(gw, "events")
    killed = gw.cli_env({"CRMGATE_CRASH_AT": "sync-mid-run"}, "sync", "--user", ALICE, "--once")
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert 0 < len(synced(dav, "VEVENT")) < len(events), "the run was cut short after some of its writes"

    rerun = gw.cli("sync", "--user", ALICE, "--once")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert synced(dav, "VEVENT") == events, "every event once, none twice"
    final = gw.cli("sync", "--user", ALICE, "--once")
    assert "in step" in final.stdout and "created" not in final.stdout, final.stdout
