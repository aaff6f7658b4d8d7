"""A live BottleCRM for the end-to-end tests (scripts/bottlecrm), and a small client of its
REST API that reads what crmgate wrote there and changes records as a BottleCRM user would.

scripts/test starts one BottleCRM for the whole run and names its description file in
CRMGATE_BOTTLECRM; without it, `live_bottlecrm()` starts one of its own."""
import contextlib
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bottlecrm"
USERS = ("alice@example.com", "bob@example.com")


@contextlib.contextmanager
def live_bottlecrm():
    """The description (dict of bottlecrm.json) of a running BottleCRM with alice@ and bob@."""
    named = os.environ.get("CRMGATE_BOTTLECRM")
    if named:
        yield json.loads(Path(named).read_text())
        return
    directory = Path(f"/tmp/crmgate-bottlecrm-{uuid.uuid4().hex[:8]}")
    started = subprocess.run(["bash", str(SCRIPT), "start", "--dir", str(directory), "--users", ",".join(USERS), "--webhooks"],
                             capture_output=True, text=True, timeout=900)
    assert started.returncode == 0, started.stderr[-3000:]
    try:
        yield json.loads((directory / "bottlecrm.json").read_text())
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", "--dir", str(directory)], capture_output=True, timeout=120)
        subprocess.run(["rm", "-rf", str(directory)])


def start(description):
    """Starts a stopped BottleCRM again (same data, port and tokens)."""
    started = subprocess.run(["bash", str(SCRIPT), "start", "--dir", description["dir"], "--webhooks"],
                             capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr[-3000:]


def stop(description):
    stopped = subprocess.run(["bash", str(SCRIPT), "stop", "--dir", description["dir"]], capture_output=True, text=True, timeout=120)
    assert stopped.returncode == 0, stopped.stderr[-3000:]


def webhook(description, url):
    """Registers a webhook endpoint for every event at `url`; returns {"id", "secret", …}."""
    made = subprocess.run(["bash", str(SCRIPT), "webhook", "--dir", description["dir"], "--url", url],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr[-3000:]
    return json.loads(made.stdout)


def remove_webhook(description, endpoint_id):
    django(description, ("from webhooks.models import WebhookEndpoint\n"
                         f"WebhookEndpoint.objects.filter(id={endpoint_id!r}).delete()\n"))


class BottleAPI:
    """BottleCRM's REST API with one user's personal access token."""

    def __init__(self, description, email=None):
        self.description = description
        self.url = description["url"]
        email = email or description["admin_email"]
        self.token = Path(description["users"][email]["token_file"]).read_text().strip()

    def profile_id(self, email):
        return self.description["users"][email]["profile_id"]

    def request(self, method, path, body=None, query=None):
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text[:300]

    def ok(self, method, path, body=None, query=None):
        status, answer = self.request(method, path, body, query)
        assert 200 <= status < 300, f"{method} {path} answered {status}: {answer}"
        return answer

    def opportunities(self, name):
        """The opportunities (deals) named exactly `name`."""
        answer = self.ok("GET", "/api/opportunities/", query={"name": name, "limit": 100})
        return [o for o in answer["opportunities"] if o["name"] == name]

    def cases(self, name):
        answer = self.ok("GET", "/api/cases/", query={"name": name, "limit": 100})
        return [c for c in answer["cases"] if c["name"] == name]

    def interactions(self, link, record_id):
        return self.ok("GET", "/api/interactions/", query={link: record_id, "limit": 200})["interactions"]

    def create_opportunity(self, name, assignee, stage="PROSPECTING"):
        return self.ok("POST", "/api/opportunities/", {"name": name, "stage": stage, "assigned_to": [self.profile_id(assignee)]})["id"]


def django(description, code):
    """Runs Python `code` in BottleCRM's Django shell (its tables under the org's row-level
    security context) and returns what it printed."""
    prelude = ("from django.db import connection\n"
               "cursor = connection.cursor()\n"
               f"cursor.execute(\"SELECT set_config('app.current_org', %s, false)\", [{description['org_id']!r}])\n")
    ran = subprocess.run(["bash", str(SCRIPT), "django-admin", "--dir", description["dir"], "shell", "-c", prelude + code],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran.stdout.strip()


def mint_token(description, email):
    """A new personal access token of `email`'s profile."""
    return django(description, (
        "from common.models import PersonalAccessToken, Profile\n"
        f"profile = Profile.objects.get(user__email={email!r}, org_id={description['org_id']!r})\n"
        "raw, _ = PersonalAccessToken.generate(profile, 'crmgate end-to-end test')\n"
        "print(raw)\n")).splitlines()[-1]


def revoke_token(description, raw):
    django(description, (
        "from django.utils import timezone\n"
        "from common.models import PersonalAccessToken\n"
        f"print(PersonalAccessToken.objects.filter(token_hash=PersonalAccessToken.hash_token({raw!r})).update(revoked_at=timezone.now()))\n"))


class FaultProxy:
    """A reverse proxy in front of BottleCRM that can fail requests the way a real outage
    does: `fail_after_write(method, prefix, n)` lets the next n matching requests through to
    BottleCRM and then answers 500 instead of its answer (the record is written, the caller
    does not know). Counts the requests it forwarded."""

    def __init__(self, target):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        proxy = self
        self.target = target
        self.lock = threading.Lock()
        self.faults = []  # [method, prefix, remaining]
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                request = urllib.request.Request(proxy.target + self.path, data=body, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, answer, kind = response.status, response.read(), response.headers.get("Content-Type", "")
                except urllib.error.HTTPError as error:
                    status, answer, kind = error.code, error.read(), error.headers.get("Content-Type", "")
                with proxy.lock:
                    proxy.requests.append((self.command, self.path, status))
                    fault = next((f for f in proxy.faults if f[0] == self.command and self.path.startswith(f[1]) and f[2] > 0), None)
                    if fault:
                        fault[2] -= 1
                if fault:
                    status, answer, kind = 500, b"<h1>Server Error (500)</h1>", "text/html"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind or "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # crmgate stopped, or gave up on the request, while BottleCRM answered

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fail_after_write(self, method, prefix, times=1):
        with self.lock:
            self.faults.append([method, prefix, times])

    def forwarded(self, method, prefix):
        with self.lock:
            return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
