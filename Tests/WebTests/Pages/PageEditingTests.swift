import CRM
import EmbeddedCRM
import Foundation
import Hummingbird
import Testing
@testable import Web

@Suite("Web pages: forms")
struct PageEditingTests {
    @Test func editFormHasAnInputPerFieldType() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let html = try await client.get("/opportunities/\(h.opportunity.ref.id)/edit").text
            #expect(html.contains(#"<input type="text" id="f-name" name="f.name" required aria-required="true" value="Fleet tracking">"#))
            #expect(html.contains(#"<option value="Proposal" selected>Proposal</option>"#))
            #expect(html.contains(#"<input type="number" step="any" id="f-amount" name="f.amount" value="12500">"#))
            #expect(html.contains(#"<input type="date" id="f-closeDate" name="f.closeDate" value="2026-03-05">"#))
            #expect(html.contains(#"<textarea id="f-description" name="f.description" rows="5"></textarea>"#))
            // The account reference is a select of accounts, the owner a select of users.
            #expect(html.contains(#"<option value="\#(h.account.ref.id)" selected>Acme &lt;Corp&gt;</option>"#))
            #expect(html.contains(#"<option value="\#(h.alice.id)" selected>Alice Martin</option>"#))
            #expect(html.contains(#"<input type="hidden" name="csrf""#))
        }
    }

    @Test func savingRedirectsToTheRecordPageWithTheChange() async throws {
        let h = try await PageHarness.make()
        // An administrator: the record handed to Bob stays within reach, so its page is next.
        try await h.run(access: RecordAccess(scope: .visible, isAdministrator: true)) { client in
            let token = try await client.csrfToken()
            let response = try await client.post("/opportunities/\(h.opportunity.ref.id)/edit", [
                ("csrf", token), ("f.name", "Fleet tracking"), ("f.stage", "Negotiation"), ("f.amount", "20,000"),
                ("f.closeDate", "2026-03-05"), ("f.account", h.account.ref.id.rawValue), ("owner", h.bob.id.rawValue),
            ])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/opportunities/\(h.opportunity.ref.id)")
        }
        let saved = try #require(try await h.crm.record(h.opportunity.ref))
        #expect(saved.fields["stage"] == .text("Negotiation"))
        #expect(saved.fields["amount"] == .number(20000))
        #expect(saved.owner == h.bob.id)
        #expect(saved.fields["currency"] == .text("USD"), "fields the form did not send stay")
    }

    @Test func crmValidationIsShownNextToTheFieldWithTheInputKept() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let token = try await client.csrfToken()
            let response = try await client.post("/opportunities/\(h.opportunity.ref.id)/edit", [
                ("csrf", token), ("f.name", "Renamed <deal>"), ("f.stage", ""),
            ])
            #expect(response.status == .unprocessableContent)
            let html = response.text
            #expect(html.contains(#"<p class="field-error" id="f-stage-error">Stage is required for every opportunity; give it a value</p>"#))
            #expect(html.contains(#"value="Renamed &lt;deal&gt;""#))
        }
        #expect(try await h.crm.record(h.opportunity.ref)?.fields["name"] == .text("Fleet tracking"))
    }

    @Test func unreadableInputIsShownNextToItsField() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let token = try await client.csrfToken()
            let response = try await client.post("/opportunities/new", [
                ("csrf", token), ("f.name", "New deal"), ("f.stage", "Proposal"), ("f.amount", "12x"), ("f.closeDate", "5.3.2026"),
            ])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("Amount must be a number like 1200 or 1200.50, not “12x”"))
            #expect(response.text.contains("Close date must be a date like 2026-03-05, not “5.3.2026”"))
            #expect(response.text.contains(#"value="New deal""#))
        }
        #expect(try await h.crm.records(in: .opportunities, matching: RecordQuery()).total == 1)
    }

    @Test func creatingRedirectsToTheNewRecordOwnedByTheUser() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let token = try await client.csrfToken(from: "/tasks/new")
            let response = try await client.post("/tasks/new", [
                ("csrf", token), ("f.subject", "Call Rosa"), ("f.status", "Not Started"), ("f.dueDate", "2026-04-01"),
                ("f.related", "opportunities/\(h.opportunity.ref.id)"),
            ])
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("/tasks/"))
        }
        let task = try #require(try await h.crm.records(in: .tasks, matching: RecordQuery()).records.first)
        #expect(task.owner == h.alice.id)
        #expect(task.fields["related"] == .reference(h.opportunity.ref))
    }

    @Test(arguments: [nil, "0123456789abcdef"])
    func postWithoutTheSessionsTokenIsForbidden(token: String?) async throws {
        let h = try await PageHarness.make()
        var fields = [("f.name", "Hijacked")]
        if let token { fields.append(("csrf", token)) }
        try await h.run { [fields] client in
            let edit = try await client.post("/opportunities/\(h.opportunity.ref.id)/edit", fields)
            let create = try await client.post("/opportunities/new", fields + [("f.stage", "Proposal")])
            let delete = try await client.post("/opportunities/\(h.opportunity.ref.id)/delete", fields)
            #expect([edit.status, create.status, delete.status] == [.forbidden, .forbidden, .forbidden])
            #expect(edit.text.contains("security token"))
        }
        #expect(try await h.crm.record(h.opportunity.ref)?.fields["name"] == .text("Fleet tracking"))
        #expect(try await h.crm.records(in: .opportunities, matching: RecordQuery()).total == 1)
    }

    @Test func deleteRemovesTheRecordAndReturnsToTheList() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let token = try await client.csrfToken()
            let response = try await client.post("/opportunities/\(h.opportunity.ref.id)/delete", [("csrf", token)])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/opportunities")
            #expect(try await client.get("/opportunities/\(h.opportunity.ref.id)").status == .notFound)
        }
    }
}
