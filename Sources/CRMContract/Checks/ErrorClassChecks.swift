import CRM

/// Unknown modules and missing records are permanent errors, not transient ones.
enum ErrorClassChecks {
    static let all: [ContractCheck] = [
        ContractCheck("unknown modules are permanent errors") { fixture in
            let connector = fixture.connector
            let unknown = ModuleKey("nosuchmodule\(fixture.tag)")
            try await expectPermanentError("activeRecords(in: \(unknown))") {
                try await connector.activeRecords(in: unknown, visibleTo: fixture.alice.id)
            }
            try await expectPermanentError("createRecord(in: \(unknown))") {
                try await connector.createRecord(in: unknown, RecordDraft(owner: fixture.alice.id, fields: ["name": .text("x")]))
            }
            try await expectPermanentError("changes(in: \(unknown))") {
                try await connector.changes(in: unknown, since: nil, limit: 10)
            }
            try await expectPermanentError("record(\(unknown)/1)") {
                try await connector.record(RecordRef(unknown, RecordID("1")))
            }
        },
        ContractCheck("missing records read as nil and fail updates and deletes permanently") { fixture in
            let connector = fixture.connector
            let record = try await SampleRecords(fixture: fixture).create(.opportunities, name: "Missing \(fixture.tag)")
            try await connector.deleteRecord(record.ref)
            let read = try await connector.record(record.ref)
            try expect(read == nil, "record(\(record.ref)) returned a deleted record")
            try await expectPermanentError("updateRecord of the deleted \(record.ref)") {
                try await connector.updateRecord(record.ref, RecordDraft(fields: ["name": .text("Back \(fixture.tag)")]))
            }
            try await expectPermanentError("deleteRecord of the already deleted \(record.ref)") {
                try await connector.deleteRecord(record.ref)
            }
            let never = RecordRef(.opportunities, RecordID("999999999"))
            let none = try await connector.record(never)
            try expect(none == nil, "record(\(never)) returned a record that was never created")
            try await expectPermanentError("archiveEmail related to the deleted \(record.ref)") {
                try await connector.archiveEmail(ArchiveChecks.email(
                    "missing-\(fixture.tag)@contract.example", subject: "Missing", people: [], records: [record.ref],
                    date: .now, fixture))
            }
        },
    ]
}
