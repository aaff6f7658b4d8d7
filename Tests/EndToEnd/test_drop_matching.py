"""Recipient matching of drops, as a matrix: mails whose From, To, Cc and Bcc combine CRM
users, demo contacts and leads, unknown addresses at company and webmail domains, and
blocked addresses, dropped into "- Create New Email" (and once into "- Create New
Opportunity") under different policies. Checked through the JSON API: the archived email's
people and records, and exactly the contacts and accounts that had to be created."""
from dataclasses import dataclass, field
from email.utils import formataddr

import pytest

from conftest import imap_client
from drophelpers import (DONE, DROP_EMAIL, DROP_OPPORTUNITY, by_domain, by_email, body_text, build_mail, drop_by_move,
                         drop_gateway, header_field, log_excerpt, new_message_id, policy, refs, reports, settled)

BLOCKED = [r"spam\.example", r"noreply@.*", r"initech\.example"]
DANA = "dana.whitfield@brightwave-solar.example"
JUERGEN = "juergen.mueller@brightwave-solar.example"
PETRA = "petra.lang@acme.example"
TOM = "tom.baker.1966@gmail.com"
ANNA = "anna.k@outlook.com"
ULLA = "ulla.berg@freemail.example"


@dataclass
class Case:
    """Header templates use {contact}, {contact_from}, {lead}, {lead_from}, {initech_contact}
    (demo records looked up through the API; *_from with the display name, RFC 2047 encoded). Expectations name people by (module,
    address), accounts by domain ("opportunity" for the record the drop creates)."""
    id: str
    headers: dict
    switches: dict = field(default_factory=dict)
    folder: str = DROP_EMAIL
    error: tuple = ()             # a failure is expected; its report names all of these
    people: set = field(default_factory=set)
    records: set = field(default_factory=set)
    new_contacts: dict = field(default_factory=dict)   # address -> (first, last, account domain or None)
    new_accounts: dict = field(default_factory=dict)   # domain -> name


CASES = [
    Case("known-contact-any-case", {"From": "Contact <{contact_upper}>", "To": "Alice Martin <alice@example.com>"},
         people={("contacts", "{contact}")}, records={"globex.example"}),
    Case("sent-to-lead-bcc-contact", {"From": "alice@example.com", "To": "{lead_from}", "Cc": "bob@example.com",
                                      "Bcc": "{contact}"},
         people={("leads", "{lead}"), ("contacts", "{contact}")}, records={"globex.example"}),
    Case("unknown-company-domain",
         {"From": f"Dana Whitfield <{DANA}>", "To": "alice@example.com",
          "Cc": f"=?UTF-8?Q?M=C3=BCller=2C_J=C3=BCrgen?= <{JUERGEN}>"},
         people={("contacts", DANA), ("contacts", JUERGEN)}, records={"brightwave-solar.example"},
         new_contacts={DANA: ("Dana", "Whitfield", "brightwave-solar.example"),
                       JUERGEN: ("Jürgen", "Müller", "brightwave-solar.example")},
         new_accounts={"brightwave-solar.example": "Brightwave Solar"}),
    Case("unknown-at-known-company", {"From": f"Petra Lang <{PETRA}>", "To": "alice@example.com"},
         people={("contacts", PETRA)}, records={"acme.example"},
         new_contacts={PETRA: ("Petra", "Lang", "acme.example")}),
    Case("generic-domains", {"From": f"Tom Baker <{TOM}>", "To": "alice@example.com", "Cc": ANNA},
         people={("contacts", TOM), ("contacts", ANNA)},
         new_contacts={TOM: ("Tom", "Baker", None), ANNA: ("Anna", "K", None)}),
    Case("configured-generic-domain", {"From": f"Ulla Berg <{ULLA}>", "To": "alice@example.com"},
         switches={"generic_domains": ["freemail.example"]},
         people={("contacts", ULLA)}, new_contacts={ULLA: ("Ulla", "Berg", None)}),
    Case("blocked-addresses-skipped",
         {"From": "{contact_from}", "To": "alice@example.com",
          "Cc": "Deals <offers@spam.example>, noreply@acme.example, {initech_contact}"},
         switches={"blocked": BLOCKED}, people={("contacts", "{contact}")}, records={"globex.example"}),
    Case("only-blocked-sender", {"From": "Deals <offers@SPAM.example>", "To": "alice@example.com"},
         switches={"blocked": BLOCKED}, error=("offers@spam.example", "Assign To folder", "ask your administrator")),
    Case("internal-mail-skipped", {"From": "alice@example.com", "To": "bob@example.com", "Cc": "carla@example.com"},
         error=("internal mail", "Nothing needs fixing")),
    Case("internal-mail-archived-when-not-skipped", {"From": "alice@example.com", "To": "bob@example.com"},
         switches={"skip_internal": False, "must_match": False}),
    Case("leads-not-matched", {"From": "{lead_from}", "To": "alice@example.com"},
         switches={"match_leads": False}, people={("contacts", "{lead}")}, records={"{lead_domain}"},
         new_contacts={"{lead}": ("{lead_first}", "{lead_last}", "{lead_domain}")},
         new_accounts={"{lead_domain}": "{lead_last} Consulting"}),
    Case("must-match-without-creating", {"From": f"Dana Whitfield <{DANA}>", "To": "alice@example.com"},
         switches={"create_contacts": False}, error=(DANA,)),
    Case("no-match-allowed", {"From": f"Dana Whitfield <{DANA}>", "To": "alice@example.com"},
         switches={"create_contacts": False, "must_match": False}),
    Case("create-opportunity", {"From": "{contact_from}", "To": "alice@example.com", "Cc": f"Tom Baker <{TOM}>"},
         folder=DROP_OPPORTUNITY, people={("contacts", "{contact}"), ("contacts", TOM)},
         records={"opportunity", "globex.example"}, new_contacts={TOM: ("Tom", "Baker", None)}),
]


def demo_people(api):
    """Template values from the demo data: a Globex contact, an Initech contact, an open lead."""
    contacts = sorted(api.records("contacts"), key=lambda r: int(r["id"]))
    leads = sorted(api.records("leads"), key=lambda r: int(r["id"]))
    counts = {}
    for lead in leads:
        for address in lead["fields"]["emails"]:
            counts[address] = counts.get(address, 0) + 1
    contact = next(c for c in contacts if c["fields"]["emails"][0].endswith("@globex.example"))
    initech = next(c for c in contacts if c["fields"]["emails"][0].endswith("@initech.example"))
    # An open lead with an address of its own and a plain last name, so that the account a
    # drop makes from its domain ("<last>-consulting.example") is named "<Last> Consulting".
    lead = next(l for l in leads if not l["closed"] and counts[l["fields"]["emails"][0]] == 1
                and l["fields"]["lastName"].isascii() and l["fields"]["lastName"].isalpha())
    address = lead["fields"]["emails"][0]
    name = lambda r: f'{r["fields"]["firstName"]} {r["fields"]["lastName"]}'
    return {"contact": contact["fields"]["emails"][0], "contact_upper": contact["fields"]["emails"][0].upper(),
            "contact_from": formataddr((name(contact), contact["fields"]["emails"][0]), "utf-8"),
            "initech_contact": initech["fields"]["emails"][0],
            "lead": address, "lead_domain": address.split("@")[1],
            "lead_first": lead["fields"]["firstName"], "lead_last": lead["fields"]["lastName"],
            "lead_from": formataddr((name(lead), address), "utf-8")}


def snapshot(api):
    return {module: {r["id"]: r for r in api.records(module)} for module in ("contacts", "leads", "accounts", "opportunities")}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_drop_matching(case, tmp_path):
    with drop_gateway(tmp_path / "gw", policy(**case.switches)) as gw:
        api = gw.api
        values = demo_people(api)
        fill = lambda text: text.format(**values)
        subject = f"Matching {case.id}"
        message_id = new_message_id()
        headers = {k.lower(): fill(v) for k, v in case.headers.items()}
        raw = build_mail(subject, sender=headers.get("from"), to=headers.get("to"), cc=headers.get("cc"),
                         bcc=headers.get("bcc"), message_id=message_id)
        before = snapshot(api)

        with imap_client(gw) as c:
            drop_by_move(c, raw, case.folder)
            state, folder, flags = settled(c, message_id, case.folder)
            after = snapshot(api)
            created = {m: [r for i, r in after[m].items() if i not in before[m]] for m in after}
            assert created["leads"] == [] and after["leads"] == before["leads"]
            if case.error:
                assert (state, folder) == ("error", case.folder), (state, folder, flags, log_excerpt(gw, "drop"))
                [(uid, header)] = reports(c, case.folder)
                assert header_field(header, "Subject") == f'Could not archive "{subject}"'
                text = body_text(c, case.folder, uid)
                flat = " ".join(text.split())
                for needle in case.error:
                    assert needle.lower() in flat.lower(), text
                if case.id in ("only-blocked-sender", "internal-mail-skipped"):
                    # Advice that cannot help is not given: these senders cannot become contacts.
                    assert "add the address" not in flat.lower(), text
                else:
                    assert "move the mail into this folder again" in flat, text
                assert api.emails_with_message_id(message_id) == []
                assert created == {"contacts": [], "leads": [], "accounts": [], "opportunities": []}, created
                return
            assert (state, folder) == ("done", "INBOX"), (state, folder, flags, log_excerpt(gw, "drop"))
            assert DONE in flags

        # Exactly the contacts and accounts the case needs were created, with the right names and links.
        accounts = by_domain(after["accounts"].values())
        new_accounts = {fill(d): fill(n) for d, n in case.new_accounts.items()}
        assert {d: accounts[d]["fields"]["name"] for d in new_accounts} == new_accounts
        assert sorted(a["id"] for a in created["accounts"]) == sorted(accounts[d]["id"] for d in new_accounts)
        made = {r["fields"]["emails"][0]: (r["fields"]["firstName"], r["fields"]["lastName"], r["fields"]["account"])
                for r in created["contacts"]}
        expected = {fill(address): (fill(first), fill(last), accounts[fill(domain)]["id"] if domain else None)
                    for address, (first, last, domain) in case.new_contacts.items()}
        assert made == expected

        # The mail is archived once, to the matched people and their accounts (and the new record).
        contacts, leads = by_email(after["contacts"].values()), by_email(after["leads"].values())
        expected_people = {(m, (contacts if m == "contacts" else leads)[fill(a).lower()]["id"]) for m, a in case.people}
        expected_records = {("accounts", accounts[fill(d)]["id"]) for d in case.records if d != "opportunity"}
        if case.folder == DROP_OPPORTUNITY:
            [record] = created["opportunities"]
            assert record["fields"]["name"] == subject
            assert record["fields"]["contact"] == contacts[fill("{contact}")]["id"]
            assert record["fields"]["account"] == accounts["globex.example"]["id"]
            expected_records.add(("opportunities", record["id"]))
        else:
            assert created["opportunities"] == []
        emails = api.emails_with_message_id(message_id)
        assert len(emails) == 1, emails
        assert refs(emails[0]["people"]) == expected_people
        assert refs(emails[0]["records"]) == expected_records
        assert emails[0]["subject"] == subject
