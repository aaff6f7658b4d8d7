"""The embedded CRM's web UI in a real browser (headless Chromium driven by Selenium),
plus the HTTP-level guards: sign-in redirect, wrong password, CSRF."""
import http.client
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

from conftest import BIN, Gateway

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A gateway filled by `crmgate demo seed`; yields (gateway, alice's password)."""
    if not BIN:
        pytest.fail("CRMGATE_BIN is not set: run the suite with scripts/test")
    gw = Gateway(tmp_path_factory.mktemp("web"))
    seeded = gw.cli("demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    match = re.search(r"alice@example\.com\s+password:\s+(\S+)", seeded.stdout)
    assert match, f"no password for alice in: {seeded.stdout}"
    gw.start()
    yield gw, match.group(1)
    gw.stop()


@pytest.fixture
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: .venv/bin/pip install selenium==4.51.0 (scripts/test installs it in a new .venv)")
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("Chromium is missing: apt-get install chromium chromium-driver (scripts/test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Console messages (CSP violations among them) for driver.get_log("browser").
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1600", "--lang=en-US"):
        options.add_argument(argument)
    # The Debian driver, never one downloaded by Selenium Manager.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def sign_in(driver, email, password):
    from selenium.webdriver.common.by import By
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button[type=submit]").click()


def click_and_load(driver, element):
    """Clicks `element` and waits until the page it leads to has replaced the current one
    (a click does not wait for the navigation it starts)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))


def field_text(driver, label):
    """The displayed value of a field on a record page, by its label."""
    from selenium.webdriver.common.by import By
    return driver.find_element(By.XPATH, f"//dl[@class='fields']/dt[.='{label}']/following-sibling::dd[1]").text


def test_edit_an_opportunity_and_see_the_change(demo, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    gw, password = demo

    # Signing in from a deep link comes back to it.
    browser.get(gw.web_url + "/opportunities")
    assert "/signin" in browser.current_url
    sign_in(browser, "alice@example.com", password)
    WebDriverWait(browser, 10).until(lambda d: urllib.parse.urlsplit(d.current_url).path == "/opportunities")

    # The list links to View URLs of the form <public_url>/<module>/<id>.
    view_url = browser.find_element(By.CSS_SELECTOR, "table.list tbody tr a").get_attribute("href")
    assert re.fullmatch(re.escape(gw.web_url) + r"/opportunities/\d+", view_url), view_url
    browser.get(view_url)
    old_stage = field_text(browser, "Stage")

    browser.find_element(By.LINK_TEXT, "Edit").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url == view_url + "/edit")
    new_stage = "Negotiation" if old_stage != "Negotiation" else "Proposal"
    Select(browser.find_element(By.NAME, "f.stage")).select_by_visible_text(new_stage)
    amount = browser.find_element(By.NAME, "f.amount")
    amount.clear()
    amount.send_keys("123456")
    browser.find_element(By.XPATH, "//form[@class='record-form']//button[.='Save']").click()

    WebDriverWait(browser, 10).until(lambda d: d.current_url == view_url)
    assert field_text(browser, "Stage") == new_stage
    assert "123,456.00" in field_text(browser, "Amount")
    assert re.match(r"[$€]", field_text(browser, "Amount")), "amount shown with its currency"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "record-page.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_list_searches_pages_and_flips_its_order(demo, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    gw, password = demo
    browser.get(gw.web_url + "/accounts?state=all")
    sign_in(browser, "alice@example.com", password)
    WebDriverWait(browser, 10).until(lambda d: urllib.parse.urlsplit(d.current_url).path == "/accounts")

    def rows():
        return [row.find_element(By.CSS_SELECTOR, "td a").text for row in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")]

    # Searching narrows the list to the names that contain the text.
    first = rows()
    assert first
    word = first[0].split()[0]
    box = browser.find_element(By.NAME, "q")
    box.clear()
    box.send_keys(word)
    Select(browser.find_element(By.NAME, "state")).select_by_visible_text("All")
    click_and_load(browser, browser.find_element(By.XPATH, "//form[@role='search']//button"))
    assert "q=" in browser.current_url
    found = rows()
    assert found and all(word.lower() in name.lower() for name in found), found

    # The Modified header flips the order, and back again.
    browser.get(gw.web_url + "/opportunities?state=all")
    newest = rows()
    click_and_load(browser, browser.find_element(By.XPATH, "//th[@aria-sort='descending']/a"))
    assert "sort=modified" in browser.current_url
    oldest = rows()
    assert oldest and oldest[0] != newest[0]
    click_and_load(browser, browser.find_element(By.XPATH, "//th[@aria-sort='ascending']/a"))
    assert "sort=modified" not in browser.current_url
    assert rows() == newest
    assert len(newest) < 25, "alice's demo opportunities fit on one page"
    assert oldest == list(reversed(newest))


def test_validation_message_keeps_input(demo, browser):
    from selenium.webdriver.common.by import By
    gw, password = demo
    browser.get(gw.web_url + "/opportunities/new")
    sign_in(browser, "alice@example.com", password)
    # The stage is required but left at "—": the CRM's message appears next to it.
    browser.find_element(By.NAME, "f.name").send_keys("Browser deal")
    browser.find_element(By.NAME, "f.amount").send_keys("4200")
    browser.find_element(By.XPATH, "//form[@class='record-form']//button[.='Create']").click()
    assert "Stage is required" in browser.find_element(By.ID, "f-stage-error").text
    assert browser.find_element(By.NAME, "f.name").get_attribute("value") == "Browser deal"
    assert browser.find_element(By.NAME, "f.amount").get_attribute("value") == "4200"


def test_wrong_password_shows_the_error(demo, browser):
    from selenium.webdriver.common.by import By
    gw, _ = demo
    browser.get(gw.web_url + "/signin")
    sign_in(browser, "alice@example.com", "not the password")
    assert "Wrong email address or password." in browser.find_element(By.CSS_SELECTOR, ".error").text
    assert "/signin" in browser.current_url


# HTTP-level checks, without a browser.

def request(gw, method, path, body=None, cookie=None):
    conn = http.client.HTTPConnection(gw.host, gw.web_port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=urllib.parse.urlencode(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response, text


def session_cookie(gw, password):
    response, _ = request(gw, "POST", "/signin", {"email": "alice@example.com", "password": password, "next": "/"})
    assert response.status == 302
    return response.getheader("Set-Cookie").split(";", 1)[0]


def test_unauthenticated_request_redirects_to_sign_in(demo):
    gw, _ = demo
    response, _ = request(gw, "GET", "/opportunities/1")
    assert response.status == 302
    assert response.getheader("Location") == "/signin?next=%2Fopportunities%2F1"


def test_post_without_csrf_token_is_refused(demo):
    gw, password = demo
    cookie = session_cookie(gw, password)
    _, listing = request(gw, "GET", "/opportunities?owner=all", cookie=cookie)
    record = re.search(r'href="(/opportunities/\d+)"', listing).group(1)
    _, before = request(gw, "GET", record, cookie=cookie)

    for form in ({"f.name": "Hijacked"}, {"f.name": "Hijacked", "csrf": "0" * 64}):
        response, text = request(gw, "POST", record + "/edit", form, cookie=cookie)
        assert response.status == 403
        assert "security token" in text
    response, _ = request(gw, "POST", record + "/delete", {}, cookie=cookie)
    assert response.status == 403

    _, after = request(gw, "GET", record, cookie=cookie)
    assert "Hijacked" not in after
    assert re.sub(r"<dt>Modified.*?</dd>", "", after, flags=re.S) == re.sub(r"<dt>Modified.*?</dd>", "", before, flags=re.S)


def test_unknown_module_and_record_are_404_pages(demo):
    gw, password = demo
    cookie = session_cookie(gw, password)
    for path in ("/nosuchmodule", "/opportunities/999999", "/opportunities/999999/edit"):
        response, text = request(gw, "GET", path, cookie=cookie)
        assert response.status == 404, path
        assert response.getheader("Content-Type").startswith("text/html")
        assert "<h1>Not found</h1>" in text
