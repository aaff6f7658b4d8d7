"""Conversation follow and drop metrics with the real binary: once a mail is dropped into
"- Create New Opportunity", its replies, delivered to INBOX or saved to Sent by the client,
are archived to the same opportunity by themselves; /metrics counts both kinds."""
import re
import urllib.request

from drophelpers import drop_gateway, policy
from test_drops import DROP, client, mail, wait_for


def reply(message_id, thread, sender="Ines Fischer <ines.fischer2@globex.example>", to="alice@example.com"):
    references = " ".join(f"<{m}@globex.example>" for m in thread)
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: Re: Rollout plan\r\nMessage-ID: <{message_id}@globex.example>\r\n"
            f"In-Reply-To: <{thread[-1]}@globex.example>\r\nReferences: {references}\r\n"
            "Date: Wed, 25 Nov 2026 09:00:00 +0000\r\n\r\nAgreed.\r\n").encode()


def metrics(gw):
    with urllib.request.urlopen(gw.web_url + "/metrics", timeout=10) as response:
        return response.read().decode()


def metric(text, name, **labels):
    """The value of the sample `name{labels}` in Prometheus text, 0 when absent."""
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if match and match[1] == name:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(match[3])
    return 0


def test_replies_in_inbox_and_sent_follow_the_dropped_mail_and_metrics_count_them(tmp_path):
    with drop_gateway(tmp_path) as gw:
        c = client(gw)
        c.append("INBOX", mail("Rollout plan", "f1"))
        c.select_folder("INBOX")
        c.move(c.search(["SUBJECT", "Rollout plan"]), DROP)
        assert wait_for(lambda: len(gw.api.named("opportunities", "Rollout plan")) == 1)
        deal = gw.api.named("opportunities", "Rollout plan")[0]
        assert wait_for(lambda: c.noop() is not None and len(c.search(["KEYWORD", "$CRMDone"])) == 1)

        # The customer's answer arrives; Alice's answer to it is saved in Sent by her client.
        c.append("INBOX", reply("f2", ["f1"]))
        c.append("Sent", reply("f3", ["f1", "f2"], sender="alice@example.com", to="ines.fischer2@globex.example"))
        c.append("INBOX", reply("x1", ["unrelated"]))
        emails = lambda: gw.api.emails_of("opportunities", deal["id"])
        assert wait_for(lambda: len(emails()) == 3)
        assert sorted(e["messageId"] for e in emails()) == [f"<f{i}@globex.example>" for i in (1, 2, 3)]
        # Followed mails stay where they are, marked done; the unrelated one is untouched.
        assert wait_for(lambda: c.noop() is not None and len(c.search(["KEYWORD", "$CRMDone"])) == 2)
        assert c.search(["SUBJECT", "Re: Rollout", "UNKEYWORD", "$CRMDone"]) != []
        c.select_folder("Sent")
        assert len(c.search(["KEYWORD", "$CRMDone"])) == 1
        c.logout()

        text = metrics(gw)
        assert metric(text, "crmgate_drops_total", kind="drop", outcome="done") == 1
        assert metric(text, "crmgate_drops_total", kind="follow", outcome="done") == 2
        assert metric(text, "crmgate_drop_latency_seconds_count", kind="drop") == 1


def test_conversation_follow_can_be_turned_off(tmp_path):
    with drop_gateway(tmp_path, policy(conversation_follow=False)) as gw:
        c = client(gw)
        c.append(DROP, mail("Rollout plan", "f1"))
        assert wait_for(lambda: len(gw.api.named("opportunities", "Rollout plan")) == 1)
        c.append("INBOX", reply("f2", ["f1"]))
        c.select_folder("INBOX")
        assert wait_for(lambda: c.noop() is not None and len(c.search(["KEYWORD", "$CRMDone"])) == 1)
        deal = gw.api.named("opportunities", "Rollout plan")[0]
        assert len(gw.api.emails_of("opportunities", deal["id"])) == 1
        assert metric(metrics(gw), "crmgate_drops_total", kind="follow") == 0
