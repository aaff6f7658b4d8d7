import CRM

/// Invalid data is refused with a permanent error that names the field, and nothing is written.
enum ValidationChecks {
    static let all: [ContractCheck] = [
        ContractCheck("creating a record with invalid data fails permanently naming the field") { fixture in
            try await invalidCreates(fixture)
        },
        ContractCheck("updating a record with invalid data fails permanently naming the field and changes nothing") { fixture in
            try await invalidUpdates(fixture)
        },
    ]

    private static func invalidCreates(_ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        let module = try await fixture.module(.opportunities)
        let samples = SampleRecords(fixture: fixture)
        let valid = try await samples.draft(module, name: "Valid \(fixture.tag)", owner: fixture.alice.id)
        let contact = try await samples.create(.contacts, name: "Wrong module \(fixture.tag)")

        func refused(_ what: String, field: String, _ edit: (inout RecordDraft) -> Void) async throws {
            var draft = valid
            edit(&draft)
            try await expectPermanentError("createRecord(in: opportunities) with \(what)", field: field) {
                try await connector.createRecord(in: .opportunities, draft)
            }
        }
        let unknown = "noSuchField\(fixture.tag)"
        try await refused("an unknown field", field: unknown) { $0.fields[unknown] = .text("x") }
        try await refused("the required field name missing", field: "name") { $0.fields["name"] = nil }
        try await refused("the required field name blank", field: "name") { $0.fields["name"] = .text("") }
        if module.field("closeDate") != nil {
            try await refused("text in the date field closeDate", field: "closeDate") { $0.fields["closeDate"] = .text("next week") }
        }
        try await refused("a number in the text field name", field: "name") { $0.fields["name"] = .number(5) }
        try await refused("a stage outside its choices", field: "stage") { $0.fields["stage"] = .text("Daydreaming") }
        if module.field("account") != nil {
            try await refused("a reference to an account that does not exist", field: "account") {
                $0.fields["account"] = .reference(RecordRef(.accounts, RecordID("999999999")))
            }
            try await refused("a reference to a contact in the account field", field: "account") {
                $0.fields["account"] = .reference(contact.ref)
            }
        }
        try await refused("an owner who is not a CRM user", field: "owner") {
            $0.owner = CRMUserID("999999999")
        }
        let created = try await connector.activeRecords(in: .opportunities, visibleTo: fixture.alice.id)
        try expect(!created.contains { $0.fields["name"]?.text == "Valid \(fixture.tag)" },
                   "a refused createRecord left a record behind")
    }

    private static func invalidUpdates(_ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        let record = try await SampleRecords(fixture: fixture).create(.opportunities, name: "Update me \(fixture.tag)")

        func refused(_ what: String, field: String, _ draft: RecordDraft) async throws {
            try await expectPermanentError("updateRecord(\(record.ref)) with \(what)", field: field) {
                try await connector.updateRecord(record.ref, draft)
            }
        }
        try await refused("text in the stage field, outside its choices", field: "stage",
                          RecordDraft(fields: ["stage": .text("Someday"), "name": .text("Changed \(fixture.tag)")]))
        try await refused("the required field name cleared", field: "name", RecordDraft(fields: ["name": FieldValue?.none]))
        try await refused("an unknown field", field: "noSuchField", RecordDraft(fields: ["noSuchField": .bool(true)]))
        try await refused("an owner who is not a CRM user", field: "owner",
                          RecordDraft(owner: CRMUserID("999999999"), fields: [:]))
        let after = try await connector.record(record.ref)
        try expect(after == record, "a refused updateRecord changed \(record.ref): before \(record), after \(String(describing: after))")
    }
}
