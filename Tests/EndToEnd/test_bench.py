"""crmgate-bench (issue 16), run briefly: against crmgate and against a real Dovecot, with
and without re-login, every answer checked; and a server that answers wrongly is caught."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import dovecot
from conftest import PASSWORD, message
from drophelpers import first_contact, wait_for_drop_folder

BENCH = os.environ.get("CRMGATE_BENCH") or (str(Path(os.environ["CRMGATE_BIN"]).with_name("crmgate-bench"))
                                            if os.environ.get("CRMGATE_BIN") else None)
COMMANDS = {"CONNECT", "LOGIN", "NOOP", "SELECT", "FETCH-FLAGS", "FETCH-ENVELOPE", "APPEND", "SEARCH", "FETCH-BODY",
            "STORE", "EXPUNGE", "MOVE", "LIST", "IDLE", "DONE"}


def bench(port, ca, users, *extra, seconds=3, clients=4):
    return run_scenario([], port, ca, users, "--clients", str(clients), "--seconds", str(seconds), *extra, timeout=seconds + 60)


def run_scenario(subcommand, port, ca, users, *extra, timeout=120):
    if not BENCH or not Path(BENCH).exists():
        pytest.fail("crmgate-bench is not built next to CRMGATE_BIN: run the suite with scripts/test")
    result = subprocess.run([BENCH, *subcommand, "--port", str(port), "--ca-file", str(ca), "--users", ",".join(users),
                             "--password", PASSWORD, "--json", *extra], capture_output=True, text=True, timeout=timeout)
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else None, result.stderr


def seed(client, n=12):
    for i in range(n):
        client.append("INBOX", message(f"seeded {i}"))


def test_the_mixed_workload_runs_against_crmgate_without_a_protocol_error(gateway):
    from conftest import imap_client
    for user in ("alice@example.com", "bob@example.com"):
        c = imap_client(gateway, user)
        seed(c)
        c.logout()
    for extra in ((), ("--relogin",)):
        code, summary, stderr = bench(gateway.tls_port, gateway.cert, ["alice@example.com", "bob@example.com"], *extra)
        assert code == 0 and summary["errors"] == 0, (summary, stderr)
        assert COMMANDS <= set(summary["perCommand"]), summary["perCommand"].keys()
        assert summary["commandsPerSecond"] > 0 and summary["perCommand"]["FETCH-BODY"]["p50"] > 0
        if extra:
            assert summary["perCommand"]["LOGIN"]["count"] > 4, "every round logs in again"


def test_a_fixed_rate_holds_the_load_at_that_rate(gateway):
    from conftest import imap_client
    c = imap_client(gateway, "alice@example.com")
    seed(c)
    c.logout()
    # Unpaced, four clients send hundreds of commands a second to crmgate on loopback.
    code, summary, stderr = bench(gateway.tls_port, gateway.cert, ["alice@example.com"], "--rate", "60", seconds=4)
    assert code == 0 and summary["errors"] == 0, (summary, stderr)
    assert summary["figures"]["offered commands/s"] == 60
    # The logins come before the slots; the rest run at the rate, a slot's worth either way per client.
    assert 40 <= summary["commandsPerSecond"] <= 75, summary["commandsPerSecond"]


def test_the_same_workload_runs_against_dovecot(tmp_path):
    if not dovecot.installed():
        pytest.skip("needs dovecot-imapd (scripts/test installs it)")
    with dovecot.Dovecot(tmp_path / "up") as upstream:
        c = upstream.client()
        seed(c)
        c.logout()
        code, summary, stderr = bench(upstream.port, upstream.ca, ["alice@example.com"], seconds=2, clients=2)
        assert code == 0 and summary["errors"] == 0, (summary, stderr)


def test_a_wrong_answer_counts_as_a_protocol_error(gateway):
    """Without the Archive mailbox every MOVE fails: the tool reports it and exits 2."""
    from conftest import imap_client
    c = imap_client(gateway)
    seed(c)
    c.delete_folder("Archive")
    c.logout()
    code, summary, _ = bench(gateway.tls_port, gateway.cert, ["alice@example.com"], seconds=2, clients=1)
    assert code == 2 and summary["errors"] > 0
    assert any("MOVE" in sample for sample in summary["errorSamples"]), summary["errorSamples"]


def test_the_big_mailbox_scenario_seeds_once_and_checks_every_step(gateway, tmp_path):
    steps = {"SELECT", "UID FETCH 1:* (FLAGS)", "UID SEARCH SUBJECT", "UID SEARCH BODY", "UID STORE 1:* +FLAGS.SILENT",
             "UID STORE 1:* -FLAGS.SILENT"}
    code, summary, stderr = run_scenario(["big-mailbox"], gateway.tls_port, gateway.cert, ["alice@example.com"],
                                         "--messages", "600", "--rounds", "2")
    assert code == 0 and summary["errors"] == 0, (summary, stderr)
    assert set(summary["perCommand"]) == steps and all(c["count"] == 2 for c in summary["perCommand"].values())
    assert summary["figures"]["seeded messages"] == 600
    code, summary, stderr = run_scenario(["big-mailbox"], gateway.tls_port, gateway.cert, ["alice@example.com"],
                                         "--messages", "600", "--rounds", "1")
    assert code == 0 and "seeded messages" not in summary["figures"], "a full mailbox is not seeded again"
    if dovecot.installed():
        with dovecot.Dovecot(tmp_path / "up") as upstream:
            code, summary, stderr = run_scenario(["big-mailbox"], upstream.port, upstream.ca, ["alice@example.com"],
                                                 "--messages", "600", "--rounds", "1")
            assert code == 0 and summary["errors"] == 0, (summary, stderr)


def test_the_idle_scenario_tells_every_idling_connection_of_one_append(gateway):
    """A hundred sessions woken at once, each reading what changed (a small read in place)."""
    code, summary, stderr = run_scenario(["idle"], gateway.tls_port, gateway.cert, ["alice@example.com"],
                                         "--connections", "100", "--hold", "0", "--timeout", "5")
    assert code == 0 and summary["errors"] == 0, (summary, stderr)
    assert "idle: 100 connections" in stderr
    assert summary["perCommand"]["NOTIFY"]["count"] == 100 and summary["figures"]["told within 1 s"] == 100


def test_idling_connections_read_what_dovecot_tells_them_before_the_append(tmp_path):
    """Dovecot speaks to idling connections (hibernating ones the more); unread, that piled up
    in the tool, gigabytes with 10,000 connections."""
    if not dovecot.installed():
        pytest.skip("needs dovecot-imapd (scripts/test installs it)")
    with dovecot.Dovecot(tmp_path / "up") as upstream:
        code, summary, stderr = run_scenario(["idle"], upstream.port, upstream.ca, ["alice@example.com"],
                                             "--connections", "8", "--concurrency", "1", "--hold", "1", "--timeout", "10")
        assert code == 0 and summary["errors"] == 0, (summary, stderr)
        assert summary["perCommand"]["NOTIFY"]["count"] == 8
        # Read and passed over, not taken for the APPEND's news.
        assert summary["figures"]["responses while idle"] >= 1


def test_the_drops_scenario_times_each_drop_until_it_is_back_done(tmp_path):
    from conftest import demo_gateway
    gw = demo_gateway(tmp_path, '[[policy]]\nname = "everyone"\nusers = ["*"]\n')
    gw.start()
    try:
        wait_for_drop_folder(gw, ["alice@example.com", "bob@example.com"])
        ok_times = tmp_path / "ok-times.tsv"
        code, summary, stderr = run_scenario(["drops"], gw.tls_port, gw.cert, ["alice@example.com", "bob@example.com"],
                                             "--drops", "8", "--clients", "2", "--from", first_contact(gw),
                                             "--ok-times", str(ok_times))
        assert code == 0 and summary["errors"] == 0, (summary, stderr)
        assert summary["perCommand"]["MOVE OK → $CRMDone"]["count"] == 8
        # Each drop's Message-ID and when its MOVE was answered, for joining with the CRM's records.
        lines = [line.split("\t") for line in ok_times.read_text().splitlines()]
        assert len(lines) == 8 and len({message_id for message_id, _ in lines}) == 8
        assert all(abs(float(at) - time.time()) < 120 for _, at in lines)
        # Moved into an ordinary mailbox, nothing comes back: the tool says so and exits 2.
        code, summary, _ = run_scenario(["drops"], gw.tls_port, gw.cert, ["alice@example.com"],
                                        "--drops", "2", "--clients", "1", "--folder", "Archive", "--timeout", "3")
        assert code == 2 and any("did not come back" in e for e in summary["errorSamples"]), summary
    finally:
        gw.stop()
