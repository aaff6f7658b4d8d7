import CRM
import EmbeddedCRM
import Foundation
import Hummingbird
import Synchronization
import Testing
@testable import Web

/// The policy's scope in the web UI and the API, as in the mail folders: "owned" reaches
/// the user's own records, "visible" what the CRM shows them (everyone's accounts, contacts
/// and leads; their own opportunities, cases, …); administrators reach everything.
@Suite("Web and API: the policy's scope")
struct ScopeTests {
    static let owned = RecordAccess(scope: .owned)
    static let visible = RecordAccess(scope: .visible)
    static let administrator = RecordAccess(scope: .owned, isAdministrator: true)

    /// Bob's account and opportunity, which Alice may reach only as an administrator (or,
    /// for the account, with the "visible" scope).
    static func bobsRecords(_ h: PageHarness) async throws -> (account: CRMRecord, deal: CRMRecord) {
        let account = try await h.crm.createRecord(in: .accounts, RecordDraft(owner: h.bob.id, fields: ["name": .text("Bob Industries")]))
        let deal = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.bob.id, fields: [
            "name": .text("Bob's secret deal"), "stage": .text("Proposal"), "account": .reference(account.ref),
        ]))
        return (account, deal)
    }

    @Test func recordRules() {
        let alice = CRMUserID("1"), bob = CRMUserID("2")
        let deal = CRMRecord(ref: RecordRef(.opportunities, RecordID("9")), owner: bob, fields: [:], createdAt: .now, modifiedAt: .now)
        let account = CRMRecord(ref: RecordRef(.accounts, RecordID("9")), owner: bob, fields: [:], createdAt: .now, modifiedAt: .now)
        #expect(!Self.owned.allows(account, in: .accounts, for: alice))
        #expect(Self.visible.allows(account, in: .accounts, for: alice))
        #expect(!Self.visible.allows(deal, in: .opportunities, for: alice))
        #expect(Self.administrator.allows(deal, in: .opportunities, for: alice))
        #expect(Self.owned.allows(deal, in: .opportunities, for: bob))
        #expect(RecordAccess(policyScope: "visible").scope == .visible)
        #expect(RecordAccess(policyScope: "owned").scope == .owned)
    }

    @Test func pagesAnswer404ForRecordsOutsideTheScope() async throws {
        let h = try await PageHarness.make()
        let bob = try await Self.bobsRecords(h)
        try await h.run(access: Self.owned) { client in
            let token = try await client.csrfToken()
            for record in [bob.account, bob.deal] {
                let view = PagePaths.view(record.ref)
                #expect(try await client.get(view).status == .notFound)
                #expect(try await client.get(view + "/edit").status == .notFound)
                #expect(try await client.post(view + "/edit", [("csrf", token), ("f.name", "Taken over")]).status == .notFound)
                #expect(try await client.post(view + "/delete", [("csrf", token)]).status == .notFound)
            }
            let page = try await client.get(PagePaths.view(bob.deal.ref))
            #expect(page.text.contains("<h1>Not found</h1>") && !page.text.contains("secret"))
        }
        #expect(try await h.crm.record(bob.deal.ref)?.fields["name"] == .text("Bob's secret deal"))
        #expect(try await h.crm.record(bob.account.ref)?.fields["name"] == .text("Bob Industries"))
    }

    @Test func listsAndSearchesLeaveOutRecordsOutsideTheScope() async throws {
        let h = try await PageHarness.make()
        _ = try await Self.bobsRecords(h)
        try await h.run(access: Self.owned) { client in
            for path in ["/accounts?owner=all&state=all", "/accounts?q=Bob&owner=all", "/opportunities?owner=all&state=all", "/"] {
                let html = try await client.get(path).text
                #expect(!html.contains("Bob Industries") && !html.contains("secret deal"), "\(path)")
            }
            let accounts = try await client.get("/accounts?owner=all").text
            #expect(accounts.contains("Acme &lt;Corp&gt;") && !accounts.contains(">Everyone<"))
        }
        try await h.run(access: Self.visible) { client in
            let accounts = try await client.get("/accounts?owner=all").text
            #expect(accounts.contains("Bob Industries"))
            #expect(try await client.get("/opportunities?owner=all&q=secret").text.contains("secret deal") == false)
            #expect(try await client.get("/accounts/\(try await Self.accountID(h, "Bob Industries"))").status == .ok)
        }
    }

    @Test func relatedSectionsAndReferenceChoicesLeaveOutRecordsOutsideTheScope() async throws {
        let h = try await PageHarness.make()
        let bob = try await Self.bobsRecords(h)
        // Bob's deal refers to Alice's account: the account page would list it as linked.
        _ = try await h.crm.updateRecord(bob.deal.ref, RecordDraft(fields: ["account": .reference(h.account.ref)]))
        try await h.run(access: Self.owned) { client in
            do { let holds = try await client.get(PagePaths.view(h.account.ref)).text.contains("secret deal") == false; #expect(holds) }
            do { let holds = try await client.get("/contacts/new").text.contains("Bob Industries") == false; #expect(holds) }
        }
        try await h.run(access: Self.administrator) { client in
            do { let holds = try await client.get(PagePaths.view(h.account.ref)).text.contains("secret deal"); #expect(holds) }
        }
    }

    @Test func emailsOfRecordsOutsideTheScopeAre404() async throws {
        let h = try await PageHarness.make()
        let content = try #require(try await h.crm.archivedEmail(id: h.email.id))
        let attachment = try #require(content.attachments.first)
        // Alice's email is related to Alice's records; Bob, signed in with "owned", reaches none of them.
        _ = try await h.store.createUser(email: "bob@example.com", password: PageHarness.password)
        try await h.run(access: Self.owned) { client in
            do { let holds = try await client.get(PagePaths.rawEmail(h.email.id)).status == .ok; #expect(holds) }
        }
        let bobsView = h.signedIn(as: "bob@example.com")
        try await bobsView.run(access: Self.owned) { client in
            do { let holds = try await client.get(PagePaths.rawEmail(h.email.id)).status == .notFound; #expect(holds) }
            do { let holds = try await client.get(PagePaths.attachment(attachment.id, ofEmail: h.email.id)).status == .notFound; #expect(holds) }
        }
        try await bobsView.run(access: Self.administrator) { client in
            do { let holds = try await client.get(PagePaths.rawEmail(h.email.id)).status == .ok; #expect(holds) }
        }
    }

    @Test func handingARecordOverSaysWhereItWentInsteadOfA404() async throws {
        let h = try await PageHarness.make()
        try await h.run(access: Self.owned) { client in
            let token = try await client.csrfToken()
            let saved = try await client.post("/opportunities/\(h.opportunity.ref.id)/edit", [
                ("csrf", token), ("f.name", "Fleet tracking"), ("f.stage", "Proposal"), ("owner", h.bob.id.rawValue),
            ])
            #expect(saved.status == .ok)
            #expect(saved.text.contains("<h1>Saved</h1>") && saved.text.contains("now belongs to Bob Chen"))
        }
        #expect(try await h.crm.record(h.opportunity.ref)?.owner == h.bob.id)
    }

    @Test func administratorSeesEverythingAndIsMarked() async throws {
        let h = try await PageHarness.make()
        let bob = try await Self.bobsRecords(h)
        try await h.run(access: Self.administrator) { client in
            let list = try await client.get("/opportunities?owner=all").text
            #expect(list.contains("Bob&#39;s secret deal") && list.contains(">Everyone<"))
            #expect(list.contains(#"class="badge admin""#))
            #expect(try await client.get(PagePaths.view(bob.deal.ref)).status == .ok)
        }
        try await h.run(access: Self.visible) { client in
            do { let holds = try await client.get("/").text.contains(#"class="badge admin""#) == false; #expect(holds) }
        }
    }

    // MARK: The API

    @Test func aChangedScopeOrTimeZoneAppliesToASignedInSessionAtItsNextRequest() async throws {
        let h = try await PageHarness.make()
        let bob = try await Self.bobsRecords(h)
        let rule = Mutex(Self.owned)
        try await h.run(rule: { _ in rule.withLock { $0 } }) { client in
            #expect(try await client.get(PagePaths.view(bob.account.ref)).status == .notFound)
            rule.withLock { $0 = Self.visible }  // what `crmgate reload` of a changed policy does
            #expect(try await client.get(PagePaths.view(bob.account.ref)).status == .ok)
            rule.withLock { $0 = Self.administrator }
            #expect(try await client.get(PagePaths.view(bob.deal.ref)).status == .ok)
            // `crmgate user timezone` while signed in: the record's times follow at once.
            try await h.store.setTimeZone(email: "alice@example.com", "Asia/Tokyo")
            let page = try await client.get(PagePaths.view(bob.deal.ref)).text
            #expect(page.contains(DisplayFormat(timeZone: TimeZone(identifier: "Asia/Tokyo")!).dateTime(bob.deal.modifiedAt)))
        }
    }

    static func bobsDeal(_ h: APIHarness) async throws -> CRMRecord {
        try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.bob.id, fields: [
            "name": .text("Bob's secret deal"), "stage": .text("Proposal"),
        ]))
    }

    @Test func apiAnswers404ForEveryVerbOutsideTheScope() async throws {
        let h = try await APIHarness.make()
        let deal = try await Self.bobsDeal(h)
        let bobsAccount = try await h.crm.createRecord(in: .accounts, RecordDraft(owner: h.bob.id, fields: ["name": .text("Bob Industries")]))
        try await h.run(access: Self.owned) { client in
            for ref in [deal.ref, bobsAccount.ref] {
                let path = "/api/v1/\(ref.module)/\(ref.id)"
                #expect(try await client.get(path).status == .notFound)
                #expect(try await client.patch(path, #"{"fields": {"name": "Taken over"}}"#).status == .notFound)
                #expect(try await client.delete(path).status == .notFound)
                #expect(try await client.get(path + "/emails").status == .notFound)
            }
            let list = try await client.get("/api/v1/opportunities?state=all")
            #expect(list.status == .ok && !list.text.contains("secret"))
            #expect(list.headers[.crmgateScope] == "owned")
            let bobs = try await client.get("/api/v1/accounts?owner=bob%40example.com")
            #expect(bobs.json["total"].int == 0)
            #expect(try await client.get("/api/v1/accounts?q=Bob").json["total"].int == 0)
        }
        #expect(try await h.crm.record(deal.ref)?.fields["name"] == .text("Bob's secret deal"))
        #expect(try await h.crm.record(bobsAccount.ref) != nil)
    }

    @Test func apiMarksAnAdministratorWhoReachesEverything() async throws {
        let h = try await APIHarness.make()
        let deal = try await Self.bobsDeal(h)
        try await h.run(access: Self.administrator) { client in
            let list = try await client.get("/api/v1/opportunities")
            #expect(list.headers[.crmgateScope] == "all")
            #expect(list.text.contains("secret deal"))
            #expect(try await client.get("/api/v1/opportunities/\(deal.ref.id)").status == .ok)
            #expect(try await client.get("/api/v1/opportunities/999").headers[.crmgateScope] == "all")
        }
        try await h.run(access: Self.visible) { client in
            do { let holds = try await client.get("/api/v1/accounts").headers[.crmgateScope] == "visible"; #expect(holds) }
        }
    }

    @Test func apiLeavesOutArchivedEmailsOutsideTheScope() async throws {
        let h = try await APIHarness.make()
        let deal = try await Self.bobsDeal(h)
        let email = try await h.crm.archiveEmail(EmailArchive(
            key: "<bob@globex.example>", messageID: "<bob@globex.example>", subject: "Bob's offer",
            from: EmailAddress(name: nil, address: "ines@globex.example"), date: Date(timeIntervalSince1970: 1_780_000_000),
            textBody: "Hi", rawMessage: Array("Subject: Bob's offer\r\n\r\nHi\r\n".utf8),
            attachments: [EmailAttachment(filename: "a.txt", contentType: "text/plain", data: Array("a".utf8))],
            people: [], records: [deal.ref], owner: h.bob.id))
        let attachment = try #require(try await h.crm.archivedEmail(id: email.id)?.attachments.first)
        try await h.run(access: Self.owned) { client in
            for path in ["/api/v1/emails/\(email.id)", "/api/v1/emails/\(email.id)/raw",
                         "/api/v1/emails/\(email.id)/attachments/\(attachment.id)"] {
                #expect(try await client.get(path).status == .notFound, "\(path)")
            }
            let found = try await client.get("/api/v1/emails?messageId=%3Cbob%40globex.example%3E")
            #expect(found.status == .ok && found.json["data"].array?.isEmpty == true)
        }
        try await h.run(access: Self.administrator) { client in
            do { let holds = try await client.get("/api/v1/emails/\(email.id)").status == .ok; #expect(holds) }
            #expect(try await client.get("/api/v1/emails?messageId=%3Cbob%40globex.example%3E").json["data"].array?.count == 1)
        }
    }

    @Test func apiRefusesAReferenceOutsideTheScopeAsIfTheRecordDidNotExist() async throws {
        let h = try await APIHarness.make()
        let bobsAccount = try await h.crm.createRecord(in: .accounts, RecordDraft(owner: h.bob.id, fields: ["name": .text("Bob Industries")]))
        let unknown = "9\(bobsAccount.ref.id)"
        try await h.run(access: Self.owned) { client in
            var answers: [String] = []
            for id in [bobsAccount.ref.id.rawValue, unknown] {
                let created = try await client.post("/api/v1/opportunities", #"{"fields": {"name": "Probe", "stage": "Proposal", "account": "\#(id)"}}"#)
                #expect(created.status == .unprocessableContent)
                answers.append(created.text.replacingOccurrences(of: id, with: "ID"))
            }
            #expect(answers[0] == answers[1] && answers[0].contains("does not exist"))
            let own = try await client.post("/api/v1/opportunities", #"{"fields": {"name": "Mine", "stage": "Proposal"}}"#)
            let path = "/api/v1/opportunities/\(own.json["id"].string ?? "")"
            let changed = try await client.patch(path, #"{"fields": {"account": "\#(bobsAccount.ref.id)"}}"#)
            #expect(changed.status == .unprocessableContent && changed.text.contains("does not exist"))
        }
        try await h.run(access: Self.administrator) { client in
            let created = try await client.post("/api/v1/opportunities", #"{"fields": {"name": "Linked", "stage": "Proposal", "account": "\#(bobsAccount.ref.id)"}}"#)
            #expect(created.status == .created)
        }
    }

    @Test func formKeepsAReferenceItHadButRefusesANewOneOutsideTheScope() async throws {
        let h = try await PageHarness.make()
        let bob = try await Self.bobsRecords(h)
        // Alice's opportunity was linked to Bob's account by someone who could see it.
        let deal = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.alice.id, fields: [
            "name": .text("Shared deal"), "stage": .text("Proposal"), "account": .reference(bob.account.ref),
        ]))
        try await h.run(access: Self.owned) { client in
            let token = try await client.csrfToken()
            let kept = try await client.post(PagePaths.view(deal.ref) + "/edit", [
                ("csrf", token), ("f.name", "Shared deal, renamed"), ("f.stage", "Proposal"), ("f.account", bob.account.ref.id.rawValue)])
            #expect(kept.status == .seeOther)
            let refused = try await client.post("/opportunities/new", [
                ("csrf", token), ("f.name", "Probe"), ("f.stage", "Proposal"), ("f.account", bob.account.ref.id.rawValue)])
            #expect(refused.status == .unprocessableContent && refused.text.contains("does not exist"))
        }
        #expect(try await h.crm.record(deal.ref)?.fields["account"] == .reference(bob.account.ref))
    }

    private static func accountID(_ h: PageHarness, _ name: String) async throws -> String {
        let page = try await h.crm.records(in: .accounts, matching: RecordQuery(search: name))
        return try #require(page.records.first).ref.id.rawValue
    }
}
