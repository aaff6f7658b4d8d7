"""crmgate as a service: --version, check-config listing every mistake, structured logs,
and the systemd unit that scripts/install puts in place."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import imaplib
import pytest

from conftest import BIN, PASSWORD, Gateway

REPO = Path(__file__).resolve().parents[2]


def test_version_names_the_release():
    result = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"crmgate \d+\.\d+\.\d+\n", result.stdout), result.stdout


def test_check_config_lists_every_mistake_with_its_line_and_key(tmp_path):
    gw = Gateway(tmp_path, extra_config='[crm]\nkind = "sugar"\n\n[[policy]]\nname = "p"\nscope = "all"\nfolders = 1\n')
    gw.config.write_text(gw.config.read_text().replace("[imap]\n", "[imap]\nbanner = \"hi\"\n", 1))
    lines = gw.config.read_text().splitlines()

    def line_of(text):
        return lines.index(text) + 1

    result = gw.cli("check-config")
    assert result.returncode == 1, result.stdout + result.stderr
    err = result.stderr
    assert "4 mistakes; the configuration is not valid" in err, err
    banner, kind, scope, folders = (line_of(text) for text in
                                    ['banner = "hi"', 'kind = "sugar"', 'scope = "all"', "folders = 1"])
    expected = [
        f"line {banner}: imap.banner: unknown key imap.banner",
        f'line {kind}: crm.kind: unknown CRM connector "sugar"',
        f'line {scope}: policy[1].scope: unknown scope "all"',
        f"line {folders}: policy[1].folders: unknown key policy[1].folders",
    ]
    reported = [line for line in err.splitlines() if ": line " in line]
    assert len(reported) == 4, err
    for want, got in zip(expected, reported):
        assert want in got, err
    # serve refuses the same file with the same list, before listening anywhere.
    serve = subprocess.run([BIN, "serve", "--config", str(gw.config)], capture_output=True, text=True, timeout=60)
    assert serve.returncode != 0 and all(want in serve.stderr for want in expected), serve.stderr


@pytest.mark.parametrize("log_format", ["json", "logfmt"])
def test_logs_are_one_structured_line_per_message(tmp_path, log_format):
    gw = Gateway(tmp_path, log_format=log_format)
    gw.add_user("alice@example.com")
    gw.start()
    try:
        client = imaplib.IMAP4(gw.host, gw.port)
        client.starttls(gw.tls_context())
        client.login("alice@example.com", PASSWORD)
        client.select("INBOX")
        client.logout()
    finally:
        assert gw.stop() == 0
    lines = gw.log_text().splitlines()
    assert len(lines) > 5, lines
    if log_format == "json":
        records = [json.loads(line) for line in lines]
    else:
        pair = r'([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|[^ "=]+)'
        records = []
        for line in lines:
            assert re.fullmatch(rf"{pair}( {pair})*", line), line
            records.append({k: json.loads(v) if v.startswith('"') else v for k, v in re.findall(pair, line)})
    for record in records:
        assert {"time", "level", "logger", "msg"} <= record.keys(), record
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"]), record
    messages = [r["msg"] for r in records]
    assert "crmgate starting" in messages and "crmgate stopped" in messages, messages
    start = records[messages.index("crmgate starting")]
    assert start["level"] == "notice" and re.fullmatch(r"\d+\.\d+\.\d+", start["version"]), start
    assert PASSWORD not in gw.log_text()


def test_install_stages_a_hardened_systemd_service(tmp_path):
    root = tmp_path / "root"
    result = subprocess.run(["bash", str(REPO / "scripts" / "install"), "--root", str(root), "--bin", BIN],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the configuration is valid" in result.stdout, result.stdout
    binary = root / "usr/local/bin/crmgate"
    config = root / "etc/crmgate/crmgate.toml"
    unit = root / "etc/systemd/system/crmgate.service"
    assert binary.stat().st_mode & 0o777 == 0o755
    assert config.stat().st_mode & 0o777 == 0o640, "the configuration may hold secrets"
    assert 'path = "/var/lib/crmgate/data"' in config.read_text()
    text = unit.read_text()
    for directive in ["User=crmgate", "ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=crmgate",
                      "ConfigurationDirectory=crmgate", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID",
                      "ExecStart=/usr/local/bin/crmgate serve --config /etc/crmgate/crmgate.toml"]:
        assert directive in text.splitlines(), directive

    # A second install keeps the administrator's configuration.
    config.write_text(config.read_text() + "\n# edited\n")
    again = subprocess.run(["bash", str(REPO / "scripts" / "install"), "--root", str(root), "--bin", BIN],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert config.read_text().endswith("# edited\n")
    assert (root / "etc/crmgate/crmgate.toml.dist").exists()

    # systemd itself accepts the unit (with ExecStart pointing at the staged binary).
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: scripts/test installs the systemd package"
    staged = tmp_path / "crmgate.service"
    staged.write_text(text.replace("/usr/local/bin/crmgate", str(binary)))
    verify = subprocess.run([analyze, "verify", str(staged)], capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0 and verify.stderr.strip() == "", verify.stderr
    security = subprocess.run([analyze, "security", "--offline=yes", str(staged)],
                              capture_output=True, text=True, timeout=60)
    exposure = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", security.stdout)
    assert exposure and float(exposure.group(1)) <= 4.0, security.stdout[-2000:]
