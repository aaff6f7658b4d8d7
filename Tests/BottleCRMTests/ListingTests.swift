import BottleCRM
import CRM
import Foundation
import Testing

/// What the contract cannot ask of every connector: BottleCRM's lists come in pages, and
/// a record changed or deleted there (not through crmgate) reaches the change feed.
@Suite("BottleCRM listings and changes made in BottleCRM", .enabled(if: LiveBottleCRM.wanted))
struct ListingTests {
    @Test func aListingPagesPastItsFirstPage() async throws {
        let live = try LiveBottleCRM()
        let maker = try live.connector()
        let fixture = try await live.fixture(maker)
        let tag = UUID().uuidString.prefix(8)
        var made: [RecordRef] = []
        for i in 0..<7 {
            let record = try await maker.createRecord(in: .opportunities, RecordDraft(owner: fixture.alice.id, fields: [
                "name": .text("Paged \(tag) \(i)"), "stage": .text("Prospecting"),
            ]))
            made.append(record.ref)
        }
        // A new connector lists the module whole, three rows a page.
        let reader = try live.connector(pageSize: 3)
        let active = Set(try await reader.activeRecords(in: .opportunities, visibleTo: fixture.alice.id).map(\.ref))
        #expect(Set(made).isSubset(of: active), "records missing after paging: \(Set(made).subtracting(active))")
    }

    @Test func changesMadeInBottleCRMReachTheFeed() async throws {
        let live = try LiveBottleCRM()
        let crm = try live.connector(pollInterval: .seconds(1))
        let fixture = try await live.fixture(crm)
        let tag = UUID().uuidString.prefix(8)
        // Another connector stands for a BottleCRM user: its writes are not crm's own.
        let other = try live.connector()
        let record = try await other.createRecord(in: .opportunities, RecordDraft(owner: fixture.alice.id, fields: [
            "name": .text("Made elsewhere \(tag)"), "stage": .text("Prospecting"),
        ]))
        var cursor: ChangeCursor? = nil
        while true {
            let batch = try await crm.changes(in: .opportunities, since: cursor, limit: 500)
            cursor = batch.cursor
            if !batch.hasMore { break }
        }
        _ = try await other.updateRecord(record.ref, RecordDraft(fields: ["name": .text("Renamed elsewhere \(tag)")]))
        try await other.deleteRecord(record.ref)
        try await Task.sleep(for: .seconds(1.2))
        var seen: [RecordChange.Kind] = []
        while true {
            let batch = try await crm.changes(in: .opportunities, since: cursor, limit: 500)
            seen += batch.changes.filter { $0.ref == record.ref }.map(\.kind)
            cursor = batch.cursor
            if !batch.hasMore { break }
        }
        #expect(seen.last == .deleted, "changes of a record deleted in BottleCRM: \(seen)")
    }
}
