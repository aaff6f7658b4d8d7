import Foundation
import GRDB
import MIMECore
import Testing
@testable import MailStore

@Suite("Local store: schema")
struct SchemaTests {
    /// The look-ups of every command and drop, and the foreign-key checks of deletes, find
    /// their rows through an index (none scans a table) after v6 dropped the indexes that
    /// duplicated the start of a unique or primary key.
    @Test(arguments: [
        "SELECT * FROM message WHERE mailboxId = 1 AND uid = 2",
        "SELECT uid, flags, modSeq FROM message WHERE mailboxId = 1 ORDER BY uid",
        "SELECT uid, flags, modSeq FROM message WHERE mailboxId = 1 AND modSeq > 5 ORDER BY uid",
        "SELECT id FROM message WHERE bodyId = 3",
        "SELECT uid FROM expunged WHERE mailboxId = 1 AND modSeq > 5 ORDER BY uid",
        "SELECT seq, data FROM bodyChunk WHERE bodyId = 3 AND seq BETWEEN 0 AND 9 ORDER BY seq",
        "SELECT * FROM mailbox WHERE userId = 1 AND name = 'INBOX'",
        "SELECT * FROM mailbox WHERE userId = 1",
        "SELECT name FROM subscription WHERE userId = 1",
        "SELECT EXISTS(SELECT 1 FROM trackedMessage WHERE userId = 1)",
        "SELECT 1 FROM trackedMessage WHERE userId = 1 AND messageId = 'x'",
    ])
    func hotLookUpsUseAnIndex(_ query: String) async throws {
        let store = try LocalStore(inMemory: ())
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query).map { $0["detail"] as String }
        }
        #expect(!plan.isEmpty)
        let scans = plan.filter { $0.hasPrefix("SCAN ") && !$0.contains("USING") && $0 != "SCAN CONSTANT ROW" }
        #expect(scans.isEmpty, "\(plan)")
    }

    /// Every session's update asks what was expunged since a MODSEQ: it reads only those
    /// tombstones, not every one of the mailbox (they grow with every EXPUNGE).
    @Test func expungedSinceAModSeqReadsOnlyThoseTombstones() async throws {
        let store = try LocalStore(inMemory: ())
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT uid FROM expunged WHERE mailboxId = 1 AND modSeq > 5 ORDER BY uid")
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("expunged_modseq (mailboxId=? AND modSeq>?)") }, "\(plan)")
    }

    @Test func theRedundantForeignKeyIndexesAreGone() async throws {
        let store = try LocalStore(inMemory: ())
        let indexes = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%\\_on\\_%' ESCAPE '\\' ORDER BY name")
        }
        #expect(indexes == ["apiToken_on_userId", "dropJob_on_userId", "message_on_bodyId"])
    }

    /// Mail stored before v10 gets its search fields when the store is upgraded, and a
    /// header search finds it without reading its bytes.
    @Test func upgradingToV10FillsTheSearchFieldsOfStoredMail() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v9: save date")
        let raw = Array("From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>\r\nSubject: Quarterly\r\n numbers\r\n\r\nbody\r\n".utf8)
        // As v9 stored a message: the body row and its bytes, no search fields.
        try await queue.write { db in _ = try Self.insertBodyAsBeforeV16(raw, db) }
        try Schema.migrator.migrate(queue)
        let text = try await queue.read { try String.fetchOne($0, sql: "SELECT text FROM searchFields") }
        let fields = SearchFields(text: try #require(text))
        #expect(fields.values(of: "SUBJECT") == ["Quarterly numbers"])
        #expect(fields.addresses(.from) == "Jörg <joerg@example.org>")
        #expect(fields.addresses(.to) == nil)
    }

    /// Mail stored before v12 gets its body text when the store is upgraded: the decoded text
    /// of its text parts, which BODY searches read instead of the bytes.
    @Test func upgradingToV12FillsTheBodyTextOfStoredMail() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v11: expunged by modseq")
        let raw = Array(("Subject: Prices\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         + "Content-Transfer-Encoding: quoted-printable\r\n\r\nPreise f=C3=BCr M=C3=A4rz\r\n").utf8)
        try await queue.write { db in
            // As v11 stored a message: the body row, its bytes and its search fields, no body text.
            let id = try Self.insertBodyAsBeforeV16(raw, db)
            try db.execute(sql: "INSERT INTO searchFields(bodyId, text) VALUES (?, ?)",
                            arguments: [id, try LocalStore.makeBody(raw).searchFields.text])
        }
        try Schema.migrator.migrate(queue)
        let text = try await queue.read { try String.fetchOne($0, sql: "SELECT bodyText FROM searchFields") }
        #expect(text?.contains("Preise für März") == true, "\(text ?? "nil")")
    }

    /// The parsed indexes of mail stored before v16 are JSON; they stay as they are and read
    /// as before, while new mail gets the binary form.
    @Test func upgradingToV16KeepsTheJSONIndexesOfStoredMailReadable() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v15: resolved drops")
        let old = Array("Subject: Before\r\nMessage-ID: <old@x>\r\n\r\nbody\r\n".utf8)
        let new = Array("Subject: After\r\nMessage-ID: <new@x>\r\n\r\nbody\r\n".utf8)
        try await queue.write { db in _ = try Self.insertBodyAsBeforeV16(old, db) }
        try Schema.migrator.migrate(queue)
        try await queue.write { db in
            var record = try LocalStore.makeBody(new).record
            try record.insert(db)
        }
        let stored = try await queue.read { try Data.fetchAll($0, sql: "SELECT messageIndex FROM body ORDER BY id") }
        #expect(stored.map { $0.first } == [UInt8(ascii: "{"), 0xB1])
        #expect(try stored.map { try MessageIndex(stored: $0) } == [MessageIndex.parse(old), MessageIndex.parse(new)])
    }

    /// A body row as versions before v16 wrote it: the index as JSON, in `indexJSON`. Returns its id.
    private static func insertBodyAsBeforeV16(_ raw: [UInt8], _ db: Database) throws -> Int64 {
        let record = try LocalStore.makeBody(raw).record
        try db.execute(sql: """
            INSERT INTO body(size, indexJSON, envelope, bodyStructure, bodyBasic, messageIdHeader, threadIds)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [record.size, try JSONEncoder().encode(MessageIndex.parse(raw)), record.envelope, record.bodyStructure,
                             record.bodyBasic, record.messageIdHeader, record.threadIds])
        let id = db.lastInsertedRowID
        try BodyChunks.insert(raw, bodyId: id, db)
        return id
    }
}
