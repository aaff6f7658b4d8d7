import CRM
@testable import EmbeddedCRM
import GRDB
import Foundation
import Testing

@Suite("Embedded CRM keeps its data in its file")
struct PersistenceTests {
    @Test func dataSurvivesClosingAndReopeningTheFile() async throws {
        let file = TemporaryFile()
        defer { file.remove() }
        let path = file.path
        let url = try #require(TestCRM.publicURL)

        let first = try EmbeddedCRM(path: path, publicURL: url)
        let test = try await TestCRM.seeded(first)
        let deal = try await test.opportunity("Website redesign")
        let mail = EmailArchive(key: "persist@test", messageID: "<persist@test>", subject: "Kept", from: nil,
                                date: Date(timeIntervalSince1970: 1_700_000_000), textBody: "body", rawMessage: Array("raw".utf8),
                                records: [deal.ref], owner: test.alice.id)
        let archived = try await first.archiveEmail(mail)
        let cursor = try await first.changes(in: .opportunities, since: nil, limit: 100).cursor
        try first.close()

        let second = try EmbeddedCRM(path: path, publicURL: url)
        #expect(try await second.users().map(\.email) == ["alice@crm.test", "bob@crm.test"])
        #expect(try await second.record(deal.ref) == deal)
        #expect(try await second.archivedEmails(relatedTo: deal.ref).map(\.id) == [archived.id])
        #expect(try await second.rawMessage(ofEmail: archived.id) == Array("raw".utf8))
        let next = try await second.createRecord(in: .opportunities, RecordDraft(owner: test.alice.id, fields: [
            "name": .text("Second deal"), "stage": .text("Proposal"),
        ]))
        #expect(next.number == "OPP-0002")
        let later = try await second.changes(in: .opportunities, since: cursor, limit: 100)
        #expect(later.changes.map(\.ref) == [next.ref])
        try second.close()
    }

    @Test func everyCommitIsFlushedToDiskBeforeItReturns() async throws {
        let file = TemporaryFile()
        defer { file.remove() }
        let crm = try EmbeddedCRM(path: file.path, publicURL: try #require(TestCRM.publicURL))
        // 2 = FULL: a commit survives power loss, not only a crash of the process.
        #expect(try await crm.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        try crm.close()
    }

    @Test func openingAFileInAMissingDirectoryCreatesTheDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(UUID().uuidString)/nested")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let crm = try EmbeddedCRM(path: directory.appendingPathComponent("crm.sqlite").path, publicURL: try #require(TestCRM.publicURL))
        #expect(try await crm.users().isEmpty)
        try crm.close()
    }

    @Test func aDatabaseFromBeforeActivityChangesKeepsItsChangeLogAndCursors() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v2: idempotent creates")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO user (id, name, email, active) VALUES (1, 'Alice', 'alice@example.com', 1)")
            try db.execute(sql: """
                INSERT INTO record (id, module, ownerId, name, fields, closed, deleted, createdAt, modifiedAt)
                VALUES (7, 'opportunities', 1, 'Deal', '{}', 0, 0, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                """)
            try db.execute(sql: "INSERT INTO changeLog (seq, module, recordId, kind, at) VALUES (41, 'opportunities', 7, 'created', '2026-01-01 00:00:00.000')")
        }
        try Schema.migrator.migrate(queue)
        try await queue.write { db in
            #expect(try Int.fetchOne(db, sql: "SELECT seq FROM changeLog WHERE recordId = 7") == 41)
            try db.execute(sql: "INSERT INTO changeLog (module, recordId, kind, at) VALUES ('opportunities', 7, 'activity', '2026-01-02 00:00:00.000')")
            #expect(try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM changeLog") == 42, "sequence numbers go on after the copied ones")
        }
    }

    @Test func archivingAnEmailIsAnActivityChangeOfItsRecords() async throws {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: try #require(TestCRM.publicURL))
        let test = try await TestCRM.seeded(crm)
        let deal = try await test.opportunity("Website redesign")
        let start = try await crm.changes(in: .opportunities, since: nil, limit: 1000).cursor
        let mail = EmailArchive(key: "activity@test", messageID: "<activity@test>", subject: "Hello", from: nil,
                                date: Date(), textBody: "body", rawMessage: Array("raw".utf8), records: [deal.ref], owner: test.alice.id)
        _ = try await crm.archiveEmail(mail)
        let after = try await crm.changes(in: .opportunities, since: start, limit: 10).changes
        #expect(after.map(\.kind) == [.activity] && after.first?.ref == deal.ref)
        _ = try await crm.archiveEmail(mail)
        #expect(try await crm.changes(in: .opportunities, since: start, limit: 10).changes.count == 1, "a repeated archive changes nothing")
    }
}
