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
}
