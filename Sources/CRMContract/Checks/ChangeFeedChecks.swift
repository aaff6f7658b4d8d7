import CRM

/// The change feed: every change once, in order, across batches of any size.
enum ChangeFeedChecks {
    static let all: [ContractCheck] = [
        ContractCheck("changes pages through every change once with small limits and reports hasMore") { fixture in
            try await paging(fixture)
        },
        ContractCheck("changes report created, changed, reassigned with the previous owner, and deleted") { fixture in
            try await kinds(fixture)
        },
    ]

    /// Creates three opportunities and changes them; returns the cursor from before and the refs.
    private static func makeHistory(_ fixture: ContractFixture) async throws -> (ChangeCursor?, [RecordRef]) {
        let connector = fixture.connector
        let samples = SampleRecords(fixture: fixture)
        let cursor = try await fixture.currentCursor(of: .opportunities)
        let a = try await samples.create(.opportunities, name: "Feed A \(fixture.tag)")
        let b = try await samples.create(.opportunities, name: "Feed B \(fixture.tag)")
        let c = try await samples.create(.opportunities, name: "Feed C \(fixture.tag)")
        _ = try await connector.updateRecord(a.ref, RecordDraft(fields: ["name": .text("Feed A renamed \(fixture.tag)")]))
        _ = try await connector.updateRecord(b.ref, RecordDraft(owner: fixture.bob.id, fields: [:]))
        try await connector.deleteRecord(c.ref)
        return (cursor, [a.ref, b.ref, c.ref])
    }

    private static func paging(_ fixture: ContractFixture) async throws {
        let (cursor, refs) = try await makeHistory(fixture)
        let ours = Set(refs)
        let whole = try await fixture.allChanges(of: .opportunities, since: cursor, limit: 1000).filter { ours.contains($0.ref) }
        try expect(whole.count >= 3, "changes since the cursor hold \(whole.count) changes of the three new opportunities")
        for limit in [1, 2, 3] {
            let paged = try await fixture.allChanges(of: .opportunities, since: cursor, limit: limit).filter { ours.contains($0.ref) }
            try expect(paged == whole, """
                reading changes with limit \(limit) gave \(paged.map { "\($0.kind) \($0.ref)" }), \
                but one big batch gave \(whole.map { "\($0.kind) \($0.ref)" }); a change was skipped or repeated
                """)
        }
        let final = try await fixture.currentCursor(of: .opportunities)
        let rest = try await fixture.connector.changes(in: .opportunities, since: final, limit: 10)
        try expect(!rest.hasMore && !rest.changes.contains { ours.contains($0.ref) },
                   "changes after the final cursor repeat \(rest.changes.filter { ours.contains($0.ref) }.map { "\($0.kind) \($0.ref)" })")
        let again = try await fixture.connector.changes(in: .opportunities, since: cursor, limit: 2)
        let first = try await fixture.connector.changes(in: .opportunities, since: cursor, limit: 2)
        try expect(again.changes == first.changes && again.cursor == first.cursor,
                   "reading the same cursor twice gave different batches; reading must not move the cursor")
        let cases = try await fixture.allChanges(of: .cases, since: nil, limit: 500)
        try expect(!cases.contains { ours.contains($0.ref) }, "changes(in: cases) lists changes of opportunities")
    }

    private static func kinds(_ fixture: ContractFixture) async throws {
        let (cursor, refs) = try await makeHistory(fixture)
        let changes = try await fixture.allChanges(of: .opportunities, since: cursor, limit: 2)
        func kinds(of ref: RecordRef) -> [RecordChange.Kind] { changes.filter { $0.ref == ref }.map(\.kind) }
        let (a, b, c) = (refs[0], refs[1], refs[2])
        try expect(kinds(of: a).first == .created && kinds(of: a).contains(.changed),
                   "opportunity \(a) was created then renamed; its changes are \(kinds(of: a))")
        try expect(kinds(of: b).first == .created && kinds(of: b).contains(.reassigned(from: fixture.alice.id)),
                   "opportunity \(b) was created then reassigned from alice (\(fixture.alice.id)) to bob; its changes are \(kinds(of: b))")
        try expect(kinds(of: c).first == .created && kinds(of: c).last == .deleted,
                   "opportunity \(c) was created then deleted; its changes are \(kinds(of: c))")
        let renamed = changes.last { $0.ref == a }?.record?.fields["name"]
        try expect(renamed == .text("Feed A renamed \(fixture.tag)"), "the last change of \(a) does not carry the record as it is now: \(String(describing: renamed))")
        let reassigned = changes.last { $0.ref == b }?.record?.owner
        try expect(reassigned == fixture.bob.id, "the reassigned change of \(b) carries the owner \(String(describing: reassigned)), expected bob")
        try expect(changes.filter { $0.ref == c }.allSatisfy { $0.record == nil },
                   "changes of the deleted opportunity \(c) still carry the record")
        let order = changes.filter { refs.contains($0.ref) && $0.kind == .created }.map(\.ref)
        try expect(order == refs, "the created changes come in the order \(order), not oldest first \(refs)")
    }
}
