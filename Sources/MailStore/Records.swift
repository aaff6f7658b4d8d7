import Foundation
import GRDB
import MIMECore

/// A gateway account (table `user`).
struct UserRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "user"
    var id: Int64?
    var email: String
    var passwordHash: String
    var createdAt: Date

    enum Columns {
        static let email = Column(CodingKeys.email)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A mailbox of one user (table `mailbox`).
struct MailboxRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "mailbox"
    var id: Int64?
    var userId: Int64
    var name: String
    var uidValidity: Int64
    var uidNext: Int64
    var highestModSeq: Int64
    var specialUse: String?

    enum Columns {
        static let userId = Column(CodingKeys.userId)
        static let name = Column(CodingKeys.name)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The mailbox with this id, read with a statement prepared once per connection.
    static func find(_ db: Database, _ id: MailboxID) throws -> MailboxRecord? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM mailbox WHERE id = ?"), arguments: [id.rawValue])
    }

    /// The mailbox of `user` with this (canonical) name.
    static func find(_ db: Database, user: UserID, name: String) throws -> MailboxRecord? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM mailbox WHERE userId = ? AND name = ?"), arguments: [user.rawValue, name])
    }
}

/// What was parsed from a message at APPEND (table `body`); its bytes are in `bodyChunk`.
struct BodyRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "body"
    var id: Int64?
    var size: Int
    /// `MessageIndex.stored` (JSON in rows written before schema v16).
    var messageIndex: Data
    var envelope: Data
    var bodyStructure: Data
    var bodyBasic: Data
    /// The message's own Message-ID and the ids of In-Reply-To and References, space-separated.
    var messageIdHeader: String?
    var threadIds: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The parsed index in column `column` of a row read from `body` (`messageIndex`),
    /// decoded without copying the blob out of SQLite first.
    static func index(in row: Row, at column: Int) throws -> MessageIndex {
        try row.withUnsafeData(atIndex: column) { try MessageIndex(stored: $0 ?? Data()) }
    }
}

/// One message in one mailbox (table `message`).
struct MessageRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "message"
    var id: Int64?
    var mailboxId: Int64
    var uid: Int64
    var bodyId: Int64
    var internalDate: Int64
    var internalZone: Int
    var size: Int
    var flags: String
    var modSeq: Int64
    /// When it was saved into this mailbox (seconds since 1970); nil for messages stored before SAVEDATE.
    var savedAt: Int64?

    enum Columns {
        static let mailboxId = Column(CodingKeys.mailboxId)
        static let uid = Column(CodingKeys.uid)
        static let modSeq = Column(CodingKeys.modSeq)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The messages of `mailbox` with these UIDs, ascending. A single UID (the usual
    /// command) uses a statement prepared once per connection.
    static func find(_ db: Database, uids: some Collection<UInt32>, in mailbox: MailboxID) throws -> [MessageRecord] {
        if uids.count == 1, let uid = uids.first {
            return try fetchAll(db.cachedStatement(sql: "SELECT * FROM message WHERE mailboxId = ? AND uid = ?"),
                                arguments: [mailbox.rawValue, Int64(uid)])
        }
        return try filter(Columns.mailboxId == mailbox.rawValue && uids.map { Int64($0) }.contains(Columns.uid))
            .order(Columns.uid).fetchAll(db)
    }
}

// Rows read and written on every command and drop convert by hand: GRDB's Codable path
// builds a coder per row, which cost more than the SQL itself. Column names and value
// representations are the ones the Codable conformances use.

extension MailboxRecord {
    init(row: Row) throws {
        id = row["id"]; userId = row["userId"]; name = row["name"]; uidValidity = row["uidValidity"]
        uidNext = row["uidNext"]; highestModSeq = row["highestModSeq"]; specialUse = row["specialUse"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["userId"] = userId; container["name"] = name; container["uidValidity"] = uidValidity
        container["uidNext"] = uidNext; container["highestModSeq"] = highestModSeq; container["specialUse"] = specialUse
    }
}

extension MessageRecord {
    init(row: Row) throws {
        id = row["id"]; mailboxId = row["mailboxId"]; uid = row["uid"]; bodyId = row["bodyId"]; internalDate = row["internalDate"]
        internalZone = row["internalZone"]; size = row["size"]; flags = row["flags"]; modSeq = row["modSeq"]
        savedAt = row["savedAt"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["mailboxId"] = mailboxId; container["uid"] = uid; container["bodyId"] = bodyId
        container["internalDate"] = internalDate; container["internalZone"] = internalZone; container["size"] = size
        container["flags"] = flags; container["modSeq"] = modSeq; container["savedAt"] = savedAt
    }
}
