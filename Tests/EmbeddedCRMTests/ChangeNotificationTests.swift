import CRM
import EmbeddedCRM
import Testing

@Suite("Embedded CRM announces committed writes")
struct ChangeNotificationTests {
    @Test func everySubscriberHearsTheModuleAfterAWrite() async throws {
        let test = try await TestCRM.make()
        let first = try #require(test.crm.changeNotifications())
        let second = try #require(test.crm.changeNotifications())
        let deal = try await test.opportunity("Notify me")
        _ = try await test.crm.createRecord(in: .accounts, RecordDraft(owner: test.alice.id, fields: ["name": .text("Acme")]))
        try await test.crm.deleteRecord(deal.ref)

        var heard: [[ModuleKey]] = []
        for stream in [first, second] {
            var iterator = stream.makeAsyncIterator()
            var keys: [ModuleKey] = []
            for _ in 0..<3 { if let key = await iterator.next() { keys.append(key) } }
            heard.append(keys)
        }
        #expect(heard == [[.opportunities, .accounts, .opportunities], [.opportunities, .accounts, .opportunities]])
    }

    @Test func aRefusedOrEmptyWriteIsNotAnnounced() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Quiet")
        let stream = try #require(test.crm.changeNotifications())
        await #expect(throws: CRMError.self) {
            try await test.crm.createRecord(in: .opportunities, RecordDraft(owner: test.alice.id, fields: ["name": .text("No stage")]))
        }
        _ = try await test.crm.updateRecord(deal.ref, RecordDraft(fields: ["name": .text("Quiet")]))
        _ = try await test.crm.createRecord(in: .cases, RecordDraft(owner: test.alice.id, fields: [
            "subject": .text("Marker"), "status": .text("New"),
        ]))
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == .cases)
    }

    @Test func anUnchangedUpdateLogsNoChange() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Same")
        let cursor = try await test.crm.changes(in: .opportunities, since: nil, limit: 10).cursor
        let again = try await test.crm.updateRecord(deal.ref, RecordDraft(owner: test.alice.id, fields: ["name": .text("Same")]))
        #expect(again == deal)
        #expect(try await test.crm.changes(in: .opportunities, since: cursor, limit: 10).changes.isEmpty)
    }
}
