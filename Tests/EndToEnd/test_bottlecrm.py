"""crmgate in front of a live BottleCRM (kind = "bottlecrm"): the CRM tree, summaries that
follow changes made in BottleCRM, drops that create exactly one record and archive the mail
as an interaction, users who see only their own records, webhooks, and faults."""
import contextlib
import hashlib
import hmac
import email
import email.policy
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

import bottlecrm
from bottlecrm import BottleAPI
from conftest import Gateway, imap_client
from drophelpers import (DONE, ERROR, build_mail, drop_by_move, header_field, messages, new_message_id, policy, reports,
                         settled, wait_for)

MASTER = "BottleCRM"
OPPORTUNITIES = f"{MASTER}/Opportunities"
DROP_OPPORTUNITY = f"{MASTER}/- Create New Opportunity"
DROP_CASE = f"{MASTER}/- Create New Case"


@pytest.fixture(scope="module")
def crm():
    with bottlecrm.live_bottlecrm() as description:
        yield description


def crm_config(description, poll_interval=2, token_file=None, webhook_secret=None, url=None):
    lines = ["[crm]", 'kind = "bottlecrm"', f'url = "{url or description["url"]}"',
             f'token_file = "{token_file or description["admin_token_file"]}"', f"poll_interval = {poll_interval}",
             "timeout = 10", "retry_limit = 20"]
    if webhook_secret:
        lines.append(f'webhook_secret = "{webhook_secret}"')
    return "\n".join(lines) + "\n" + policy(drop_modules=["opportunities", "cases"], display_modules=["opportunities", "cases"])


@pytest.fixture
def gateway(crm, tmp_path):
    gw = Gateway(tmp_path, extra_config=crm_config(crm))
    gw.add_user("alice@example.com")
    gw.add_user("bob@example.com")
    gw.start()
    wait_for_tree(gw)
    yield gw
    gw.stop()


def wait_for_tree(gw, users=("alice@example.com", "bob@example.com"), seconds=60):
    for user in users:
        c = imap_client(gw, user)
        try:
            names = lambda: {n for _, _, n in c.list_folders()}
            assert wait_for(lambda: {DROP_OPPORTUNITY, DROP_CASE, OPPORTUNITIES} <= names(), seconds), (user, names(), gw.log_text()[-3000:])
        finally:
            c.logout()


@contextlib.contextmanager
def alice_gateway(tmp_path, config, prepare=None):
    """A started gateway with the account alice@ whose CRM tree is there; `prepare(gw)`
    runs before the start. Stopped on exit."""
    gw = Gateway(tmp_path, extra_config=config)
    if prepare:
        prepare(gw)
    gw.add_user("alice@example.com")
    gw.start()
    try:
        wait_for_tree(gw, users=("alice@example.com",))
        yield gw
    finally:
        gw.stop()


def unique(text):
    return f"{text} {uuid.uuid4().hex[:8]}"


def latest_report(c, folder):
    """The text of the newest report crmgate put into `folder` (fails when there is none)."""
    assert reports(c, folder), f"no report in {folder}"
    c.select_folder(folder, readonly=True)
    uid = max(c.search(["HEADER", "X-CRMGate-Report", ""]))
    message = email.message_from_bytes(c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"], policy=email.policy.default)
    # Decoded (quoted-printable wraps long lines), with the subject, as a person reads it.
    return f"Subject: {message['Subject']}\n\n{message.get_content()}"


def summary_subjects(c, folder=OPPORTUNITIES):
    return [header_field(header, "Subject") for _, _, header in messages(c, folder)]


def test_user_sees_the_crm_tree_without_folders_bottlecrm_lacks(gateway):
    c = imap_client(gateway)
    try:
        names = {n for _, _, n in c.list_folders() if n.startswith(MASTER)}
        assert {DROP_OPPORTUNITY, DROP_CASE, OPPORTUNITIES, f"{MASTER}/Cases"} <= names, names
        assert not any("Quotes" in n or "Projects" in n for n in names), names
    finally:
        c.logout()


def test_summary_follows_an_opportunity_created_edited_and_deleted_in_bottlecrm(gateway, crm):
    admin = BottleAPI(crm)
    name = unique("Globex renewal")
    deal = admin.create_opportunity(name, "alice@example.com")
    alice, bob = imap_client(gateway), imap_client(gateway, "bob@example.com")
    try:
        assert wait_for(lambda: any(name in (s or "") for s in summary_subjects(alice)), 30), summary_subjects(alice)
        assert not any(name in (s or "") for s in summary_subjects(bob)), "bob sees alice's opportunity"
        renamed = name + " (edited)"
        admin.ok("PATCH", f"/api/opportunities/{deal}/", {"name": renamed})
        assert wait_for(lambda: any(renamed in (s or "") for s in summary_subjects(alice)), 30), summary_subjects(alice)
        admin.ok("DELETE", f"/api/opportunities/{deal}/")
        assert wait_for(lambda: not any(name in (s or "") for s in summary_subjects(alice)), 30), summary_subjects(alice)
    finally:
        alice.logout()
        bob.logout()


DROP_WAYS = ["move", "copy+expunge", "append"]


def drop(c, raw, folder, how):
    """Files a mail into `folder` as clients do: UID MOVE from INBOX, COPY and EXPUNGE, or an
    APPEND straight into it."""
    if how == "move":
        drop_by_move(c, raw, folder)
    elif how == "copy+expunge":
        c.append("INBOX", raw)
        c.select_folder("INBOX")
        uid = max(c.search(["ALL"]))
        c.copy([uid], folder)
        c.delete_messages([uid])
        c.expunge()
    else:
        c.append(folder, raw)


@pytest.mark.parametrize("how", DROP_WAYS)
def test_drop_creates_one_opportunity_with_its_email(gateway, crm, how):
    admin = BottleAPI(crm)
    subject = unique(f"Quote for 40 seats ({how})")
    message_id = new_message_id()
    raw = build_mail(subject=subject, message_id=message_id, sender="Ines Fischer <ines.fischer@globex-bottle.example>")
    c = imap_client(gateway)
    try:
        drop(c, raw, DROP_OPPORTUNITY, how)
        state = settled(c, message_id, DROP_OPPORTUNITY, seconds=60)
        assert state[0] == "done", (state, gateway.log_text()[-4000:])
    finally:
        c.logout()
    deals = admin.opportunities(subject)
    assert len(deals) == 1, deals
    deal = deals[0]
    assert [a["id"] for a in deal["assigned_to"]] == [crm["users"]["alice@example.com"]["profile_id"]]
    emails = [i for i in admin.interactions("opportunity", deal["id"]) if i["kind"] == "email"]
    assert len(emails) == 1, emails
    assert emails[0]["subject"] == subject and emails[0]["direction"] == "inbound"
    assert "ines.fischer@globex-bottle.example" in emails[0]["body"] and "crmgate-key: " in emails[0]["body"]


def test_two_drops_with_one_subject_make_two_numbered_opportunities(gateway, crm):
    # BottleCRM keeps opportunity names unique; the second gets a number instead of failing.
    admin = BottleAPI(crm)
    subject = unique("Quote request")
    c = imap_client(gateway)
    try:
        for sender in ("Ines <ines@globex-twice.example>", "Olaf <olaf@initech-twice.example>"):
            message_id = new_message_id()
            drop_by_move(c, build_mail(subject=subject, message_id=message_id, sender=sender), DROP_OPPORTUNITY)
            state = settled(c, message_id, DROP_OPPORTUNITY, seconds=60)
            assert state[0] == "done", (state, gateway.log_text()[-4000:])
    finally:
        c.logout()
    assert len(admin.opportunities(subject)) == 1
    assert len(admin.opportunities(subject + " (2)")) == 1


@pytest.mark.parametrize("how", DROP_WAYS)
def test_drop_creates_one_case(gateway, crm, how):
    admin = BottleAPI(crm)
    subject = unique(f"Printer broken again ({how})")
    message_id = new_message_id()
    c = imap_client(gateway)
    try:
        drop(c, build_mail(subject=subject, message_id=message_id, sender="Olaf <olaf@initech-bottle.example>"), DROP_CASE, how)
        state = settled(c, message_id, DROP_CASE, seconds=60)
        assert state[0] == "done", (state, gateway.log_text()[-4000:])
    finally:
        c.logout()
    cases = admin.cases(subject)
    assert len(cases) == 1, cases
    assert len([i for i in admin.interactions("case", cases[0]["id"]) if i["kind"] == "email"]) == 1


@pytest.mark.parametrize("how", DROP_WAYS)
def test_assign_to_drop_archives_to_the_existing_opportunity(gateway, crm, how):
    admin = BottleAPI(crm)
    name = unique("Assign target")
    deal = admin.create_opportunity(name, "alice@example.com")
    folder = None
    c = imap_client(gateway)
    try:
        def assign_folder():
            return next((n for _, _, n in c.list_folders() if n.startswith(f"{OPPORTUNITIES}/Assign To/") and name in n), None)
        folder = wait_for(assign_folder, 30)
        assert folder, [n for _, _, n in c.list_folders() if "Assign" in n]
        message_id = new_message_id()
        drop(c, build_mail(subject=unique("About the renewal"), message_id=message_id), folder, how)
        state = settled(c, message_id, folder, seconds=60)
        assert state[0] == "done", (state, gateway.log_text()[-4000:])
    finally:
        c.logout()
    assert len(admin.opportunities(name)) == 1
    assert len([i for i in admin.interactions("opportunity", deal) if i["kind"] == "email"]) == 1


def test_a_crm_outage_during_a_drop_ends_in_exactly_one_record(gateway, crm):
    admin = BottleAPI(crm)
    subject = unique("Order during outage")
    message_id = new_message_id()
    c = imap_client(gateway)
    bottlecrm.stop(crm)
    try:
        drop_by_move(c, build_mail(subject=subject, message_id=message_id), DROP_OPPORTUNITY)
        assert wait_for(lambda: "drop will be retried" in gateway.log_text(), 30)
        status = gateway.cli("status").stdout
        assert "1 waiting to be tried again" in status and "unreachable" in status, status
        c.select_folder(DROP_OPPORTUNITY, readonly=True)
        assert c.search(["KEYWORD", "$CRMPending"]), "the waiting drop is not marked $CRMPending"
    finally:
        bottlecrm.start(crm)
    try:
        state = settled(c, message_id, DROP_OPPORTUNITY, seconds=90)
        assert state[0] == "done", (state, gateway.log_text()[-4000:])
    finally:
        c.logout()
    assert len(admin.opportunities(subject)) == 1


@pytest.mark.parametrize("fault", ["/api/opportunities/", "/api/interactions/"])
def test_a_500_after_the_write_never_duplicates(crm, tmp_path, fault):
    proxy = bottlecrm.FaultProxy(crm["url"])
    try:
        with alice_gateway(tmp_path, crm_config(crm, url=proxy.url)) as gw:
            admin = BottleAPI(crm)
            subject = unique("Half-written order")
            message_id = new_message_id()
            proxy.fail_after_write("POST", fault)
            c = imap_client(gw)
            try:
                drop_by_move(c, build_mail(subject=subject, message_id=message_id), DROP_OPPORTUNITY)
                state = settled(c, message_id, DROP_OPPORTUNITY, seconds=60)
                assert state[0] == "done", (state, gw.log_text()[-3000:])
            finally:
                c.logout()
            assert "drop will be retried" in gw.log_text(), "the injected 500 was not met"
            deals = admin.opportunities(subject)
            assert len(deals) == 1, deals
            emails = [i for i in admin.interactions("opportunity", deals[0]["id"]) if i["kind"] == "email"]
            assert len(emails) == 1, emails
    finally:
        proxy.close()


def test_a_revoked_token_gives_a_clear_report_and_no_retries(crm, tmp_path):
    token = bottlecrm.mint_token(crm, crm["admin_email"])
    token_file = tmp_path / "crm.token"
    token_file.write_text(token + "\n")
    with alice_gateway(tmp_path, crm_config(crm, token_file=token_file)) as gw:
        bottlecrm.revoke_token(crm, token)
        message_id = new_message_id()
        c = imap_client(gw)
        try:
            drop_by_move(c, build_mail(subject=unique("After the token was revoked"), message_id=message_id), DROP_OPPORTUNITY)
            state = settled(c, message_id, DROP_OPPORTUNITY, seconds=60)
            assert state[0] == "error", (state, gw.log_text()[-3000:])
            text = latest_report(c, DROP_OPPORTUNITY)
            assert "access token" in text and "token_file" in text, text[-2000:]
        finally:
            c.logout()
        assert "drop will be retried" not in gw.log_text(), "a refused token was retried"
        assert token not in gw.log_text(), "the token appears in the log"
        assert gw.proc.poll() is None


def webhook_for(crm, endpoints):
    """A `prepare` for alice_gateway: registers a BottleCRM webhook endpoint at the gateway's
    /hooks/crm (appended to `endpoints`) and puts its secret into the configuration."""
    def prepare(gw):
        endpoints.append(bottlecrm.webhook(crm, gw.web_url + "/hooks/crm"))
        gw.config.write_text(gw.config.read_text().replace("timeout = 10\n", f'timeout = 10\nwebhook_secret = "{endpoints[-1]["secret"]}"\n', 1))
    return prepare


def signed(secret, body, timestamp=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post_webhook(gw, body, signature):
    request = urllib.request.Request(gw.web_url + "/hooks/crm", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-BottleCRM-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_bottlecrms_webhooks_bring_a_change_before_the_poll_and_bad_signatures_are_refused(crm, tmp_path):
    endpoints = []
    try:
        # The poll interval is an hour: only the webhook can bring the change in time.
        with alice_gateway(tmp_path, crm_config(crm, poll_interval=3600), prepare=webhook_for(crm, endpoints)) as gw:
            name = unique("Hooked deal")
            deal = BottleAPI(crm).create_opportunity(name, "alice@example.com")
            c = imap_client(gw)
            try:
                assert wait_for(lambda: any(name in (s or "") for s in summary_subjects(c)), 30), (summary_subjects(c), gw.log_text()[-3000:])
                forged = json.dumps({"id": str(uuid.uuid4()), "event": "deal.deleted", "org_id": crm["org_id"],
                                     "created_at": "2026-12-06T00:00:00Z", "data": {"id": deal, "name": name}}).encode()
                assert post_webhook(gw, forged, signed("not the secret", forged)) == 401
                assert post_webhook(gw, forged, signed(endpoints[0]["secret"], forged, timestamp=int(time.time()) - 3600)) == 401
                assert post_webhook(gw, forged, "") == 401
                time.sleep(2)
                assert any(name in (s or "") for s in summary_subjects(c)), "a refused webhook call removed the summary"
            finally:
                c.logout()
    finally:
        for endpoint in endpoints:
            bottlecrm.remove_webhook(crm, endpoint["id"])


@pytest.mark.parametrize("point", ["drop-after-match", "drop-after-create", "drop-after-archive"])
def test_crmgate_killed_mid_drop_ends_in_exactly_one_record_contact_and_email(crm, tmp_path, point):
    admin = BottleAPI(crm)
    subject = unique("Crash-proof rollout")
    sender = f"nora-{uuid.uuid4().hex[:8]}@quintech-bottle.example"
    message_id = new_message_id()
    gw = Gateway(tmp_path, extra_config=crm_config(crm))
    gw.add_user("alice@example.com")
    gw.start(env={"CRMGATE_CRASH_AT": point})
    try:
        wait_for_tree(gw, users=("alice@example.com",))
        c = imap_client(gw)
        drop_by_move(c, build_mail(subject=subject, message_id=message_id, sender=f"Nora Quint <{sender}>"), DROP_OPPORTUNITY)
        gw.proc.wait(timeout=60)
        assert gw.proc.returncode == -9, f"the gateway was not killed at {point}"
        gw.start()
        c = imap_client(gw)
        try:
            state = settled(c, message_id, DROP_OPPORTUNITY, seconds=60)
            assert state[0] == "done", (state, gw.log_text()[-3000:])
        finally:
            c.logout()
    finally:
        gw.stop()
    deals = admin.opportunities(subject)
    assert len(deals) == 1, deals
    contacts = admin.ok("GET", "/api/contacts/", query={"email": sender, "limit": 10})["results"]
    assert len(contacts) == 1, contacts
    for link, record in (("opportunity", deals[0]["id"]), ("contact", contacts[0]["id"])):
        emails = [i for i in admin.interactions(link, record) if i["kind"] == "email"]
        assert len(emails) == 1, (link, emails)


def test_an_assign_to_drop_onto_a_record_deleted_in_bottlecrm_gets_a_clear_report(crm, tmp_path):
    endpoints = []
    try:
        # An hour's poll interval; the webhook brings the new record, and is removed before the
        # record is deleted, so its Assign To folder is still there when the mail is dropped.
        with alice_gateway(tmp_path, crm_config(crm, poll_interval=3600), prepare=webhook_for(crm, endpoints)) as gw:
            admin = BottleAPI(crm)
            name = unique("Deleted meanwhile")
            deal = admin.create_opportunity(name, "alice@example.com")
            c = imap_client(gw)
            try:
                folder = wait_for(lambda: next((n for _, _, n in c.list_folders()
                                                if n.startswith(f"{OPPORTUNITIES}/Assign To/") and name in n), None), 30)
                assert folder, gw.log_text()[-3000:]
                bottlecrm.remove_webhook(crm, endpoints.pop()["id"])
                admin.ok("DELETE", f"/api/opportunities/{deal}/")
                message_id = new_message_id()
                drop_by_move(c, build_mail(subject=unique("About the deleted deal"), message_id=message_id), folder)
                state = settled(c, message_id, folder, seconds=60)
                assert state[0] == "error", (state, gw.log_text()[-3000:])
                text = latest_report(c, folder)
                assert "does not exist" in text or "no longer exists" in text, text[-2000:]
            finally:
                c.logout()
    finally:
        for endpoint in endpoints:
            bottlecrm.remove_webhook(crm, endpoint["id"])


def test_a_token_in_a_configuration_everyone_may_read_is_warned_about_and_never_logged(crm, tmp_path):
    token = Path(crm["admin_token_file"]).read_text().strip()
    config = crm_config(crm).replace(f'token_file = "{crm["admin_token_file"]}"', f'token = "{token}"')
    with alice_gateway(tmp_path, config, prepare=lambda gw: gw.config.chmod(0o644)) as gw:
        log = gw.log_text()
        assert "everyone may read" in log, log[-3000:]
        assert token not in log


@pytest.mark.parametrize("whose", ["admin", "revoked", "alice"])
def test_check_config_says_whether_the_token_works_and_what_it_may_do(crm, tmp_path, whose):
    token_file = tmp_path / "crm.token"
    if whose == "admin":
        token_file.write_text(Path(crm["admin_token_file"]).read_text())
    elif whose == "revoked":
        token = bottlecrm.mint_token(crm, crm["admin_email"])
        bottlecrm.revoke_token(crm, token)
        token_file.write_text(token + "\n")
    else:
        token_file.write_text(Path(crm["users"]["alice@example.com"]["token_file"]).read_text())
    gw = Gateway(tmp_path, extra_config=crm_config(crm, token_file=token_file))
    result = gw.cli("check-config")
    output = result.stdout + result.stderr
    assert "the configuration is valid" in output, output
    assert token_file.read_text().strip() not in output
    if whose == "admin":
        assert result.returncode == 0, output
        assert "FAIL" not in output and "ok   opportunities: write" in output, output
    elif whose == "revoked":
        assert result.returncode == 1, output
        assert "refused crmgate's access token" in output and output.count("FAIL") == 1, output
    else:
        assert result.returncode == 1, output
        assert "not an ADMIN" in output, output


def test_check_config_names_a_mistake_and_the_embedded_crms_modules(tmp_path):
    gw = Gateway(tmp_path, extra_config='[crm]\nkind = "sugar"\n')
    result = gw.cli("check-config")
    assert result.returncode != 0
    assert 'crm.kind: unknown CRM connector "sugar"' in result.stderr, result.stderr
    (tmp_path / "good").mkdir()
    good = Gateway(tmp_path / "good")
    result = good.cli("check-config")
    assert result.returncode == 0, result.stderr
    assert "the configuration is valid" in result.stdout and "modules: accounts, contacts, leads, opportunities" in result.stdout
    assert not (tmp_path / "good" / "data").exists(), "check-config created the storage"
