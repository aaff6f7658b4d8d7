"""crmgate-bench (issue 16), run briefly: against crmgate and against a real Dovecot, with
and without re-login, every answer checked; and a server that answers wrongly is caught."""
import json
import os
import subprocess
from pathlib import Path

import pytest

import dovecot
from conftest import PASSWORD, message

BENCH = os.environ.get("CRMGATE_BENCH") or (str(Path(os.environ["CRMGATE_BIN"]).with_name("crmgate-bench"))
                                            if os.environ.get("CRMGATE_BIN") else None)
COMMANDS = {"CONNECT", "LOGIN", "NOOP", "SELECT", "FETCH-FLAGS", "FETCH-ENVELOPE", "APPEND", "SEARCH", "FETCH-BODY",
            "STORE", "EXPUNGE", "MOVE", "LIST", "IDLE", "DONE"}


def bench(port, ca, users, *extra, seconds=3, clients=4):
    if not BENCH or not Path(BENCH).exists():
        pytest.fail("crmgate-bench is not built next to CRMGATE_BIN: run the suite with scripts/test")
    result = subprocess.run([BENCH, "--port", str(port), "--ca-file", str(ca), "--users", ",".join(users), "--password", PASSWORD,
                             "--clients", str(clients), "--seconds", str(seconds), "--json", *extra],
                            capture_output=True, text=True, timeout=seconds + 60)
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
