"""What the DAV bridge's benchmarks (contacts.py, calendar_bridge.py) share: the release
binary, a Radicale with the benchmark's users, a demo gateway whose demo records belong to
carla (so the benchmark's users own only what it makes), `crmgate sync --once` timed, its
per-scope figures, and the server's own sequential PUT rate as the reference."""
import base64
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "EndToEnd"))

import conftest  # noqa: E402
from conftest import Gateway  # noqa: E402

PASSWORD = "bench-dav"


def use_release_binary():
    """CRMGATE_BIN, else the release build (`swift build -c release`)."""
    conftest.BIN = os.environ.get("CRMGATE_BIN") or str(Path(__file__).resolve().parent.parent / ".build" / "release" / "crmgate")
    if not Path(conftest.BIN).exists():
        raise SystemExit(f"{conftest.BIN} not found: build it with swift build -c release")


def bridge_gateway(root, dav, policy):
    """A seeded demo gateway under `policy` (its web API runs without [dav]) and the path of
    a copy of its configuration with [dav], for `crmgate sync`."""
    password_file = root / "dav-password"
    password_file.write_text(PASSWORD + "\n")
    (root / "gw").mkdir()
    gw = Gateway(root / "gw", extra_config=policy)
    bridge = root / "gw" / "crmgate-dav.toml"
    bridge.write_text(gw.config.read_text() + f'[dav]\nurl = "{dav.url}"\nusername = "{{user}}"\npassword_file = "{password_file}"\n')
    seeded = gw.cli("demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    with sqlite3.connect(root / "gw" / "data" / "crm.sqlite") as db:
        db.execute("UPDATE record SET ownerId = (SELECT id FROM user WHERE email = 'carla@example.com')")
    return gw, bridge


def sync(config, *args):
    """`crmgate sync --once`: wall seconds (process start included) and its output."""
    start = time.perf_counter()
    result = subprocess.run([conftest.BIN, "sync", "--once", *args, "--config", str(config)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"crmgate sync failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def figures(output):
    """Per scope line of a `crmgate sync` output: (user, module, counts text, queued, requests)."""
    return [(m.group(1), m.group(2), m.group(3), int(m.group(4)), int(m.group(5))) for m in re.finditer(
        r"^(\S+) (\w+) \(policy [^)]*\): (.*?) \((\d+) queued CRM changes, (\d+) DAV requests\)$", output, re.M)]


def sequential_put_rate(dav, user, make, bodies, suffix, content_type):
    """The server's own rate: a new collection made with `make` (method, body), then the
    `bodies` PUT one after the other (If-None-Match) on one keep-alive connection."""
    collection = f"/{user}/reference-{uuid.uuid4().hex[:8]}/"
    auth = {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}
    conn = http.client.HTTPConnection("127.0.0.1", dav.port)
    method, body = make
    conn.request(method, collection, body=body, headers={**auth, "Content-Type": "application/xml"})
    assert conn.getresponse().read() is not None
    start = time.perf_counter()
    for n, item in enumerate(bodies):
        conn.request("PUT", f"{collection}item-{n}.{suffix}", body=item,
                     headers={**auth, "Content-Type": content_type, "If-None-Match": "*"})
        response = conn.getresponse()
        response.read()
        assert response.status in (201, 204), response.status
    return len(bodies) / (time.perf_counter() - start)


def post_all(api, path, bodies):
    """POSTs each body to the JSON API at `path`, eight at a time (as CRM users would)."""
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda body: api.post(path, body), bodies))
