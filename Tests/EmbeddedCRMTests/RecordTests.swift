import CRM
import EmbeddedCRM
import Foundation
import Testing

@Suite("Embedded CRM records")
struct RecordTests {
    @Test func recordsAreNumberedPerModulePrefix() async throws {
        let test = try await TestCRM.make()
        let first = try await test.opportunity("One")
        let second = try await test.opportunity("Two")
        let ticket = try await test.crm.createRecord(in: .cases, RecordDraft(owner: test.alice.id, fields: [
            "subject": .text("Broken login"), "status": .text("New"),
        ]))
        let account = try await test.crm.createRecord(in: .accounts, RecordDraft(fields: ["name": .text("Acme")]))
        #expect([first.number, second.number, ticket.number] == ["OPP-0001", "OPP-0002", "CASE-0001"])
        #expect(account.number == nil)
    }

    @Test func choicesAreStoredInTheirCanonicalSpelling() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Spelling", stage: "closed won")
        #expect(deal.fields["stage"] == .text("Closed Won"))
    }

    @Test func validationMessagesTellTheUserWhatToChange() async throws {
        let test = try await TestCRM.make()
        let wrongDate = await #expect(throws: CRMError.self) {
            try await test.crm.createRecord(in: .opportunities, RecordDraft(owner: test.alice.id, fields: [
                "name": .text("Dated"), "stage": .text("Proposal"), "closeDate": .text("next Friday"),
            ]))
        }
        #expect(wrongDate?.message == "Close date must be a date (YYYY-MM-DD), not the text \"next Friday\"")
        let badStage = await #expect(throws: CRMError.self) { try await test.opportunity("Staged", stage: "Maybe") }
        #expect(badStage?.message.contains("Prospecting, Qualification, Proposal") == true)
        let percent = await #expect(throws: CRMError.self) {
            try await test.crm.createRecord(in: .opportunities, RecordDraft(owner: test.alice.id, fields: [
                "name": .text("Likely"), "stage": .text("Proposal"), "probability": .number(120),
            ]))
        }
        #expect(percent?.field == "probability")
    }

    @Test func linksPointAtTheWebUI() async throws {
        let test = try await TestCRM.make()
        let ref = RecordRef(.opportunities, RecordID("42"))
        #expect(test.crm.viewURL(ref).absoluteString == "http://crm.test:8080/opportunities/42")
        #expect(test.crm.editURL(ref).absoluteString == "http://crm.test:8080/opportunities/42/edit")
        #expect(test.crm.displayName == "Embedded CRM")
    }

    @Test func aForeignCursorIsRefusedWithAdvice() async throws {
        let test = try await TestCRM.make()
        let error = await #expect(throws: CRMError.self) {
            try await test.crm.changes(in: .opportunities, since: ChangeCursor("2024-01-01T00:00:00Z"), limit: 10)
        }
        #expect(error?.kind == .permanent)
        #expect(error?.message.contains("from the beginning") == true)
    }

    @Test func activeRecordsForAnUnknownUserFailPermanently() async throws {
        let test = try await TestCRM.make()
        let error = await #expect(throws: CRMError.self) {
            try await test.crm.activeRecords(in: .accounts, visibleTo: CRMUserID("999"))
        }
        #expect(error?.kind == .permanent)
    }
}

@Suite("Embedded CRM users and custom modules")
struct AdministrationTests {
    @Test func userEmailsAreUniqueIgnoringCase() async throws {
        let test = try await TestCRM.make()
        let error = await #expect(throws: CRMError.self) { try await test.crm.createUser(name: "Alice Again", email: "ALICE@crm.test") }
        #expect(error?.field == "email")
        #expect(try await test.crm.users().count == 2)
    }

    @Test func customModulesAreOfferedAndFollowTheirClosedRule() async throws {
        let rule = try ClosedRule(field: "phase", pattern: "Done|Dropped")
        let renewals = ModuleDefinition(key: "renewals", singular: "Renewal", plural: "Renewals", nameField: "title", numberPrefix: "REN",
                                        fields: [
                                            FieldDefinition("title", "Title", .text, required: true),
                                            FieldDefinition("phase", "Phase", .choice(["Open", "Done", "Dropped"]), required: true),
                                            FieldDefinition("account", "Account", .reference(.accounts)),
                                        ], closedRule: rule)
        let test = try await TestCRM.make(customModules: [renewals])
        let offered = try await test.crm.modules().first { $0.key == "renewals" }
        #expect(offered?.isCustom == true)
        let renewal = try await test.crm.createRecord(in: "renewals", RecordDraft(owner: test.alice.id, fields: [
            "title": .text("Acme 2026"), "phase": .text("Open"),
        ]))
        #expect(renewal.number == "REN-0001")
        _ = try await test.crm.updateRecord(renewal.ref, RecordDraft(fields: ["phase": .text("Done")]))
        #expect(try await test.crm.activeRecords(in: "renewals", visibleTo: test.alice.id).isEmpty)
        let changes = try await test.crm.changes(in: "renewals", since: nil, limit: 10)
        #expect(changes.changes.map(\.kind) == [.created, .closed])
    }

    @Test(arguments: [
        ModuleDefinition(key: "opportunities", singular: "Deal", plural: "Deals", nameField: "name",
                         fields: [FieldDefinition("name", "Name", .text)]),
        ModuleDefinition(key: "Bad Key", singular: "Bad", plural: "Bads", nameField: "name",
                         fields: [FieldDefinition("name", "Name", .text)]),
        ModuleDefinition(key: "widgets", singular: "Widget", plural: "Widgets", nameField: "title",
                         fields: [FieldDefinition("name", "Name", .text)]),
        ModuleDefinition(key: "gadgets", singular: "Gadget", plural: "Gadgets", nameField: "name", numberPrefix: "OPP",
                         fields: [FieldDefinition("name", "Name", .text)]),
        ModuleDefinition(key: "gizmos", singular: "Gizmo", plural: "Gizmos", nameField: "name",
                         fields: [FieldDefinition("name", "Name", .text), FieldDefinition("part", "Part", .reference("parts"))]),
    ])
    func malformedCustomModulesAreRefusedAtStartup(_ module: ModuleDefinition) throws {
        let url = try #require(TestCRM.publicURL)
        let error = #expect(throws: CRMError.self) { try EmbeddedCRM(inMemoryWithPublicURL: url, customModules: [module]) }
        #expect(error?.kind == .permanent)
        #expect(error?.message.contains("custom module") == true)
    }
}
