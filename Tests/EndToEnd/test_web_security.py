"""The web server's guards against the real binary, over plain HTTP: security headers on
every answer, the session cookie's attributes, CSRF on sign-out, sign-in posted from another
site, redirects after sign-in, and bounded bodies and JSON."""
import http.client
import json
import re
import urllib.parse

import pytest

from conftest import BIN, PASSWORD, demo_gateway


@pytest.fixture(scope="module")
def gw(tmp_path_factory):
    if not BIN:
        pytest.fail("CRMGATE_BIN is not set: run the suite with scripts/test")
    gateway = demo_gateway(tmp_path_factory.mktemp("websec"))
    created = gateway.cli("token", "create", "alice@example.com")
    assert created.returncode == 0, created.stderr
    gateway.token = created.stdout.strip()
    gateway.start()
    yield gateway
    gateway.stop()


def request(gw, method, path, body=None, cookie=None, headers=None, raw=None):
    conn = http.client.HTTPConnection(gw.host, gw.web_port, timeout=30)
    sent = dict(headers or {})
    data = raw
    if body is not None:
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        data = urllib.parse.urlencode(body)
    if cookie:
        sent["Cookie"] = cookie
    conn.request(method, path, body=data, headers=sent)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response, text


def sign_in(gw, next_path="/", headers=None):
    return request(gw, "POST", "/signin", {"email": "alice@example.com", "password": PASSWORD, "next": next_path},
                   headers=headers)


def session(gw):
    response, _ = sign_in(gw)
    assert response.status == 302
    return response.getheader("Set-Cookie").split(";", 1)[0]


def csrf_token(gw, cookie, path="/"):
    _, html = request(gw, "GET", path, cookie=cookie)
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def assert_security_headers(response):
    csp = response.getheader("Content-Security-Policy")
    assert csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp
    assert "unsafe-inline" not in csp and "script-src" not in csp
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.getheader("X-Frame-Options") == "DENY"


def test_every_answer_carries_the_security_headers(gw):
    cookie = session(gw)
    for path, status in [("/signin", 200), ("/", 200), ("/opportunities", 200), ("/nosuchmodule", 404),
                         ("/no/such/page/here", 404), ("/health", 200)]:
        response, _ = request(gw, "GET", path, cookie=cookie)
        assert response.status == status, path
        assert_security_headers(response)
    for token in (gw.token, "cgt_wrong"):
        response, _ = request(gw, "GET", "/api/v1/opportunities", headers={"Authorization": f"Bearer {token}"})
        assert_security_headers(response)


def test_pages_load_their_stylesheet_from_the_server(gw):
    _, html = request(gw, "GET", "/signin")
    assert "<style" not in html and "<script" not in html
    href = re.search(r'<link rel="stylesheet" href="(/assets/[^"]+\.css)">', html).group(1)
    response, css = request(gw, "GET", href)
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/css")
    assert ".record-form" in css


def test_session_cookie_is_http_only_and_same_site_lax(gw):
    response, _ = sign_in(gw)
    cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Served over plain HTTP (public_url http://…): a Secure cookie would never come back.
    assert "Secure" not in cookie


def test_sign_out_needs_the_csrf_token(gw):
    cookie = session(gw)
    for form in ({}, {"csrf": "0" * 64}):
        response, text = request(gw, "POST", "/signout", form, cookie=cookie)
        assert response.status == 403 and "security token" in text
    assert request(gw, "GET", "/opportunities", cookie=cookie)[0].status == 200

    response, _ = request(gw, "POST", "/signout", {"csrf": csrf_token(gw, cookie)}, cookie=cookie)
    assert response.status == 302 and response.getheader("Location") == "/signin"
    assert request(gw, "GET", "/opportunities", cookie=cookie)[0].status == 302


def test_sign_in_from_another_site_is_refused(gw):
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response, text = sign_in(gw, headers=headers)
        assert response.status == 403 and response.getheader("Set-Cookie") is None
        assert "another site" in text
    same = sign_in(gw, headers={"Origin": gw.web_url})[0]
    assert same.status == 302


@pytest.mark.parametrize("next_path,location", [
    ("/contacts?state=all", "/contacts?state=all"), ("//evil.example/", "/"), ("/\\evil.example", "/"),
    ("https://evil.example/", "/"), ("/\t/evil.example", "/"),
])
def test_sign_in_redirects_only_to_local_paths(gw, next_path, location):
    response, _ = sign_in(gw, next_path)
    assert response.status == 302 and response.getheader("Location") == location


def test_a_form_over_the_limit_is_a_clear_413_and_saves_nothing(gw):
    cookie = session(gw)
    token = csrf_token(gw, cookie, "/opportunities/new")
    response, text = request(gw, "POST", "/opportunities/new",
                             {"csrf": token, "f.name": "Oversized deal", "f.stage": "Proposal", "f.description": "x" * 300_000},
                             cookie=cookie)
    assert response.status == 413
    assert "larger than 256 KiB" in text and "Nothing was saved" in text
    _, listing = request(gw, "GET", "/opportunities?q=Oversized&state=all", cookie=cookie)
    assert "Oversized deal" not in listing


def test_api_bodies_and_nesting_are_bounded(gw):
    auth = {"Authorization": f"Bearer {gw.token}", "Content-Type": "application/json"}
    big = json.dumps({"fields": {"name": "Big", "description": "x" * 300_000}})
    response, text = request(gw, "POST", "/api/v1/accounts", raw=big, headers=auth)
    assert response.status == 413 and "larger than 256 KiB" in json.loads(text)["error"]["message"]
    deep = '{"fields": {"name": ' + "[" * 100 + "]" * 100 + "}}"
    response, text = request(gw, "POST", "/api/v1/accounts", raw=deep, headers=auth)
    assert response.status == 400 and "nests deeper than" in json.loads(text)["error"]["message"]
