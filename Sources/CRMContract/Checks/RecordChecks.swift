import CRM
import Foundation

/// Create, read, update and delete work for every built-in module with valid data.
enum RecordChecks {
    static let all: [ContractCheck] = ModuleDefinition.builtIns.map { builtIn in
        ContractCheck("create, read, update and delete work for \(builtIn.key)") { fixture in
            try await roundTrip(builtIn.key, fixture)
        }
    } + [
        ContractCheck("a create repeated with its idempotency key returns the first record") { fixture in
            try await idempotentCreate(fixture)
        },
    ]

    private static func idempotentCreate(_ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        let module = try await fixture.module(.opportunities)
        var draft = try await SampleRecords(fixture: fixture).draft(module, name: "Once \(fixture.tag)", owner: fixture.alice.id)
        draft.idempotencyKey = "contract-\(fixture.tag)"
        let first = try await connector.createRecord(in: .opportunities, draft)
        let again = try await connector.createRecord(in: .opportunities, draft)
        try expect(again.ref == first.ref, "a second createRecord with idempotency key \(draft.idempotencyKey ?? "") made \(again.ref) besides \(first.ref)")
        draft.idempotencyKey = "contract-other-\(fixture.tag)"
        draft.fields[module.nameField] = .text("Twice \(fixture.tag)")
        let other = try await connector.createRecord(in: .opportunities, draft)
        try expect(other.ref != first.ref, "createRecord with a different idempotency key returned the same record \(first.ref)")
    }

    /// A built-in module the connector does not offer is checked by `ModuleChecks` (it must
    /// not be a core one); there is nothing to round-trip.
    private static func roundTrip(_ key: ModuleKey, _ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        guard try await connector.modules().contains(where: { $0.key == key }) else { return }
        let module = try await fixture.module(key)
        let samples = SampleRecords(fixture: fixture)
        let draft = try await samples.draft(module, name: "Sample \(key) \(fixture.tag)", owner: fixture.alice.id)
        let sent = draft.fields.compactMapValues { $0 }

        let created = try await connector.createRecord(in: key, draft)
        try expect(created.ref.module == key, "createRecord(in: \(key)) returned a record of module \(created.ref.module)")
        try expect(created.owner == fixture.alice.id, "createRecord(in: \(key)) set the owner \(String(describing: created.owner)), expected \(fixture.alice.id)")
        try expect(created.fields == sent, "createRecord(in: \(key)) stored \(created.fields), expected \(sent)")
        if let prefix = module.numberPrefix {
            try expect(created.number?.hasPrefix(prefix + "-") == true,
                       "a new \(key) record should be numbered \(prefix)-…, it is numbered \(created.number ?? "nothing")")
        }
        let read = try await connector.record(created.ref)
        try expect(read == created, "record(\(created.ref)) returned \(String(describing: read)), expected what createRecord returned: \(created)")

        let newName = "Renamed \(key) \(fixture.tag)"
        let nameKey = module.field(module.nameField) != nil ? module.nameField : "lastName"
        let optional = module.fields.first { !$0.required && $0.key != nameKey && sent[$0.key] != nil }
        var change = RecordDraft(fields: [nameKey: .text(newName)])
        if let optional { change.fields[optional.key] = .some(nil) }
        let updated = try await connector.updateRecord(created.ref, change)
        try expect(updated.fields[nameKey] == .text(newName), "updateRecord did not set \(nameKey) of \(created.ref) to \"\(newName)\": \(updated.fields)")
        if let optional {
            try expect(updated.fields[optional.key] == nil, "updateRecord with \(optional.key): nil did not clear the field of \(created.ref)")
        }
        try expect(updated.modifiedAt >= created.modifiedAt, "updateRecord moved modifiedAt of \(created.ref) backwards")
        try expect(updated.number == created.number, "updateRecord changed the number of \(created.ref)")
        let reread = try await connector.record(created.ref)
        try expect(reread == updated, "record(\(created.ref)) after the update returned \(String(describing: reread)), expected \(updated)")

        try await connector.deleteRecord(created.ref)
        let gone = try await connector.record(created.ref)
        try expect(gone == nil, "record(\(created.ref)) still returns the record after deleteRecord")
        let active = try await connector.activeRecords(in: key, visibleTo: fixture.alice.id)
        try expect(!active.contains { $0.ref == created.ref }, "activeRecords(in: \(key)) still lists \(created.ref) after deleteRecord")
    }
}
