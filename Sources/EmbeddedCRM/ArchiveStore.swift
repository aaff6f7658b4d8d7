import CRM
import Foundation
import GRDB

/// The steps of archiving and reading archived emails that run inside a transaction.
enum ArchiveStore {
    /// What a relation points at: a record row or a user row.
    struct Target: Hashable, Sendable {
        var recordId: Int64?
        var userId: Int64?
    }

    /// Checks that every referenced person or record exists, dropping repeats.
    static func resolve(_ refs: [RecordRef], role: EmailRelationRow.Role, catalog: ModuleCatalog, _ db: Database) throws -> [Target] {
        let field = role == .person ? "people" : "records"
        var seen = Set<RecordRef>()
        var targets: [Target] = []
        for ref in refs where seen.insert(ref).inserted {
            if ref.module == .users {
                guard let rowID = ref.id.rowID, try UserRow.find(db, id: rowID) != nil else {
                    throw CRMError(.permanent, "the email cannot be archived: CRM user \(ref.id) does not exist", field: field)
                }
                targets.append(Target(userId: rowID))
                continue
            }
            guard catalog.definition(ref.module) != nil else {
                throw CRMError(.permanent, "the email cannot be archived: the CRM has no module \"\(ref.module)\" (for \(ref))", field: field)
            }
            guard let row = try RecordRow.live(ref.id, in: ref.module, db), let id = row.id else {
                throw CRMError(.permanent, "the email cannot be archived: \(ref) does not exist (it may have been deleted)", field: field)
            }
            targets.append(Target(recordId: id))
        }
        return targets
    }

    /// Logs an `activity` change of a record an email was archived to.
    static func logActivity(recordId: Int64, _ db: Database) throws {
        guard let module = try String.fetchOne(db.cachedStatement(sql: "SELECT module FROM record WHERE id = ?"), arguments: [recordId]) else { return }
        var change = ChangeRow(seq: nil, module: module, recordId: recordId, kind: .activity, previousOwnerId: nil, at: Date())
        try change.insert(db)
    }

    /// Inserts the email unless its key is taken; the new row id, or nil when it was.
    static func insertUnlessKeyExists(_ row: inout EmailRow, _ db: Database) throws -> Int64? {
        try db.cachedStatement(sql: """
            INSERT INTO email(archiveKey, messageId, subject, fromName, fromAddress, toJSON, ccJSON, date,
                              textBody, htmlBody, rawMessage, ownerId, archivedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(archiveKey) DO NOTHING
            """).execute(arguments: [row.archiveKey, row.messageId, row.subject, row.fromName, row.fromAddress, row.toJSON,
                             row.ccJSON, row.date, row.textBody, row.htmlBody, row.rawMessage, row.ownerId, row.archivedAt])
        guard db.changesCount == 1 else { return nil }
        row.id = db.lastInsertedRowID
        return row.id
    }

    /// The columns of `email` that reads of archived emails need: everything but the raw
    /// message, whose bytes (megabytes with attachments) only `rawMessage(ofEmail:)` reads.
    /// Every folder sync lists the emails of every displayed record, so this matters.
    private static let columns = """
        email.id, email.archiveKey, email.messageId, email.subject, email.fromName, email.fromAddress, email.toJSON,
        email.ccJSON, email.date, email.textBody, email.htmlBody, x'' AS rawMessage, email.ownerId, email.archivedAt
        """

    /// The emails related to `ref` (as person or as record; `users` refs name a user), newest
    /// first, without their raw messages.
    static func rows(relatedTo ref: RecordRef, offset: Int = 0, limit: Int? = nil, _ db: Database) throws -> [EmailRow] {
        guard let (relation, arguments) = relation(of: ref) else { return [] }
        return try EmailRow.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT \(columns) FROM email \(relation) ORDER BY email.date DESC, email.id DESC LIMIT ? OFFSET ?
            """), arguments: arguments + [limit ?? -1, max(0, offset)])  // SQLite: a negative LIMIT is none
    }

    /// How many emails are related to the record or person.
    static func count(relatedTo ref: RecordRef, _ db: Database) throws -> Int {
        guard let (relation, arguments) = relation(of: ref) else { return 0 }
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(DISTINCT email.id) FROM email \(relation)"), arguments: arguments) ?? 0
    }

    /// The joins and condition that find a record's or a user's emails, with their arguments.
    private static func relation(of ref: RecordRef) -> (String, StatementArguments)? {
        guard let rowID = ref.id.rowID else { return nil }
        if ref.module == .users {
            return ("JOIN emailRelation ON emailRelation.emailId = email.id WHERE emailRelation.userId = ?", [rowID])
        }
        return ("""
            JOIN emailRelation ON emailRelation.emailId = email.id JOIN record ON record.id = emailRelation.recordId
            WHERE record.id = ? AND record.module = ?
            """, [rowID, ref.module.rawValue])
    }

    /// The email with this row id, or those with this Message-ID in archiving order, without
    /// their raw messages.
    static func row(id: Int64, _ db: Database) throws -> EmailRow? {
        try EmailRow.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM email WHERE id = ?"), arguments: [id])
    }

    /// The activities of a record or person, newest first, as the connector lists them.
    static func summaries(relatedTo ref: RecordRef, limit: Int?, _ db: Database) throws -> [ArchivedEmail] {
        try rows(relatedTo: ref, limit: limit, db).map { try summary(of: $0, created: false, db) }
    }

    /// The email archived under this key, without its raw message.
    static func row(archiveKey: String, _ db: Database) throws -> EmailRow? {
        try EmailRow.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM email WHERE archiveKey = ?"), arguments: [archiveKey])
    }

    static func rows(messageID: String, _ db: Database) throws -> [EmailRow] {
        try EmailRow.fetchAll(db.cachedStatement(sql: "SELECT \(columns) FROM email WHERE messageId = ? ORDER BY id"), arguments: [messageID])
    }

    /// Everything kept of an email except the bytes of its raw message and attachments.
    static func content(of row: EmailRow, _ db: Database) throws -> ArchivedEmailContent {
        let attachments = try AttachmentRow
            .select(AttachmentRow.Columns.id, Column("filename"), Column("contentType"), Column("size"))
            .filter(AttachmentRow.Columns.emailId == row.id)
            .order(AttachmentRow.Columns.position)
            .asRequest(of: Row.self)
            .fetchAll(db)
            .map { ArchivedAttachment(id: $0["id"], filename: $0["filename"], contentType: $0["contentType"], size: $0["size"]) }
        let summary = try summary(of: row, created: false, attachmentNames: attachments.map(\.filename), db)
        let decoder = JSONDecoder()
        // SQLite reads a blob's length from the record header, not its bytes.
        let rawSize = try Int.fetchOne(db.cachedStatement(sql: "SELECT length(rawMessage) FROM email WHERE id = ?"), arguments: [row.id]) ?? 0
        return ArchivedEmailContent(
            summary: summary,
            from: row.fromAddress.map { EmailAddress(name: row.fromName, address: $0) },
            to: try decoder.decode([EmailAddress].self, from: Data(row.toJSON.utf8)),
            cc: try decoder.decode([EmailAddress].self, from: Data(row.ccJSON.utf8)),
            textBody: row.textBody, htmlBody: row.htmlBody, owner: CRMUserID(rowID: row.ownerId),
            archivedAt: row.archivedAt, rawSize: rawSize, attachments: attachments)
    }

    /// `attachmentNames` when the caller has them already, else they are read.
    static func summary(of row: EmailRow, created: Bool, attachmentNames: [String]? = nil, _ db: Database) throws -> ArchivedEmail {
        guard let id = row.id else { throw CRMError(.permanent, "an archived email has no id") }
        let (people, records) = try relations(of: id, db)
        let names = try attachmentNames
            ?? String.fetchAll(db.cachedStatement(sql: "SELECT filename FROM emailAttachment WHERE emailId = ? ORDER BY position"), arguments: [id])
        return ArchivedEmail(id: RecordID(rowID: id), key: row.archiveKey, messageID: row.messageId, subject: row.subject,
                             date: row.date, people: people, records: records, attachmentNames: names, created: created)
    }

    /// The people and records an email relates to, in the order they were given.
    static func relations(of emailId: Int64, _ db: Database) throws -> (people: [RecordRef], records: [RecordRef]) {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT emailRelation.role, emailRelation.userId, record.id AS recordId, record.module
            FROM emailRelation LEFT JOIN record ON record.id = emailRelation.recordId
            WHERE emailRelation.emailId = ? ORDER BY emailRelation.role, emailRelation.position
            """), arguments: [emailId])
        var people: [RecordRef] = []
        var records: [RecordRef] = []
        for row in rows {
            let ref: RecordRef
            if let userId: Int64 = row["userId"] {
                ref = RecordRef(.users, RecordID(rowID: userId))
            } else if let recordId: Int64 = row["recordId"], let module: String = row["module"] {
                ref = RecordRef(ModuleKey(module), RecordID(rowID: recordId))
            } else {
                continue
            }
            let role: String? = row["role"]
            if role == EmailRelationRow.Role.person.rawValue { people.append(ref) } else { records.append(ref) }
        }
        return (people, records)
    }
}
