import Foundation
import GRDB

extension LocalStore {
    static func insertMailbox(_ db: Database, userId: Int64, name: String, specialUse: String?) throws -> MailboxRecord {
        var record = MailboxRecord(
            id: nil, userId: userId, name: name, uidValidity: try allocateUIDValidity(db),
            uidNext: 1, highestModSeq: 1, specialUse: specialUse)
        try record.insert(db)
        return record
    }

    static func mailboxRecord(_ db: Database, user: UserID, name: String) throws -> MailboxRecord {
        let canonical = MailboxNaming.normalizeInbox(name)
        guard let record = try MailboxRecord.find(db, user: user, name: canonical) else { throw MailStoreError.mailboxNotFound(name) }
        return record
    }

    public func mailboxes(of user: UserID) async throws -> [MailboxInfo] {
        try readNow { db in
            try MailboxRecord.filter(MailboxRecord.Columns.userId == user.rawValue)
                .order(MailboxRecord.Columns.name).fetchAll(db).map(\.info)
        }
    }

    public func mailbox(of user: UserID, named name: String) async throws -> MailboxInfo {
        try readNow { db in try Self.mailboxRecord(db, user: user, name: name).info }
    }

    /// The mailbox a client may put messages into (APPEND, COPY, MOVE), in one read:
    /// `mailboxNotFound` when it does not exist, `summariesOnly` for a CRM display folder.
    public func writableMailbox(of user: UserID, named name: String) async throws -> MailboxInfo {
        try readNow { db in
            let record = try Self.mailboxRecord(db, user: user, name: name)
            if try Self.acceptsMessages(db, mailbox: record.id) == false { throw MailStoreError.summariesOnly(record.name) }
            return record.info
        }
    }

    /// Whether a CRM-managed mailbox takes messages (drop folders) or not (display folders);
    /// nil for the user's own mailboxes.
    static func acceptsMessages(_ db: Database, mailbox: Int64?) throws -> Bool? {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT acceptsMessages FROM managedMailbox WHERE mailboxId = ?"), arguments: [mailbox])
    }

    public func subscriptions(of user: UserID) async throws -> Set<String> {
        try readNow { db in
            Set(try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM subscription WHERE userId = ?"), arguments: [user.rawValue]))
        }
    }

    /// Creates a mailbox and any missing superiors (RFC 9051 §6.3.4).
    public func createMailbox(of user: UserID, named name: String, specialUse: String? = nil) async throws {
        let canonical = try MailboxNaming.canonical(name)
        try await commits.write { db in
            if try Self.exists(db, user: user, name: canonical) { throw MailStoreError.mailboxExists(name) }
            for ancestor in MailboxNaming.ancestors(of: canonical) where try !Self.exists(db, user: user, name: ancestor) {
                _ = try Self.insertMailbox(db, userId: user.rawValue, name: ancestor, specialUse: nil)
            }
            _ = try Self.insertMailbox(db, userId: user.rawValue, name: canonical, specialUse: specialUse)
        }
    }

    static func exists(_ db: Database, user: UserID, name: String) throws -> Bool {
        try MailboxRecord.find(db, user: user, name: name) != nil
    }

    /// Deletes a mailbox with its messages. Refused for INBOX and for a mailbox with children.
    public func deleteMailbox(of user: UserID, named name: String) async throws {
        let canonical = MailboxNaming.normalizeInbox(name)
        guard canonical != "INBOX" else { throw MailStoreError.inboxCannotBeDeleted }
        let id = try await commits.write { db -> Int64 in
            let record = try Self.mailboxRecord(db, user: user, name: canonical)
            try Self.refuseManaged(db, user: user, name: canonical)
            let children = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM mailbox WHERE userId = ? AND substr(name, 1, ?) = ?"),
                                            arguments: [user.rawValue, canonical.unicodeScalars.count + 1, canonical + "/"]) ?? 0
            if children > 0 { throw MailStoreError.mailboxHasChildren(name) }
            try db.cachedStatement(sql: "DELETE FROM mailbox WHERE id = ?").execute(arguments: [record.id])
            return record.id!
        }
        changes.publish([MailboxID(rawValue: id)])
    }

    /// Renames a mailbox and its children. Renaming INBOX moves its messages into a
    /// new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
    public func renameMailbox(of user: UserID, from old: String, to new: String) async throws {
        try await renameMailbox(of: user, from: old, to: new, managedToo: false)
    }

    func renameMailbox(of user: UserID, from old: String, to new: String, managedToo: Bool) async throws {
        let source = MailboxNaming.normalizeInbox(old)
        let target = try MailboxNaming.canonical(new)
        let renamed = try await commits.write { db -> Int64 in
            let record = try Self.mailboxRecord(db, user: user, name: source)
            if !managedToo { try Self.refuseManaged(db, user: user, name: source) }
            if try Self.exists(db, user: user, name: target) { throw MailStoreError.mailboxExists(new) }
            if target.hasPrefix(source + "/") {
                throw MailStoreError.invalidMailboxName(new, reason: "a mailbox cannot be moved into itself")
            }
            for ancestor in MailboxNaming.ancestors(of: target) where try !Self.exists(db, user: user, name: ancestor) {
                _ = try Self.insertMailbox(db, userId: user.rawValue, name: ancestor, specialUse: nil)
            }
            if source == "INBOX" {
                var moved = try Self.insertMailbox(db, userId: user.rawValue, name: target, specialUse: nil)
                let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM message WHERE mailboxId = ? ORDER BY uid"), arguments: [record.id])
                let modSeq = moved.highestModSeq + 1
                for (i, id) in ids.enumerated() {
                    try db.cachedStatement(sql: "UPDATE message SET mailboxId = ?, uid = ?, modSeq = ? WHERE id = ?").execute(arguments: [moved.id, i + 1, modSeq, id])
                }
                moved.uidNext = Int64(ids.count + 1)
                moved.highestModSeq = modSeq
                try moved.update(db)
                try Self.recordExpunge(db, mailbox: record, messageIDs: nil)
                return record.id!
            }
            try db.cachedStatement(sql: "UPDATE mailbox SET name = ? || substr(name, ?) WHERE userId = ? AND (name = ? OR substr(name, 1, ?) = ?)").execute(arguments: [target, source.unicodeScalars.count + 1, user.rawValue, source, source.unicodeScalars.count + 1, source + "/"])
            return record.id!
        }
        // Sessions on INBOX see its messages go; on another, nothing changes but its name.
        changes.publish([MailboxID(rawValue: renamed)])
    }

    /// Users may not delete or rename CRM folders, nor a folder that contains one.
    static func refuseManaged(_ db: Database, user: UserID, name: String) throws {
        let managed = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM managedMailbox mm JOIN mailbox m ON m.id = mm.mailboxId
            WHERE m.userId = ? AND (m.name = ? OR substr(m.name, 1, ?) = ?)
            """), arguments: [user.rawValue, name, name.unicodeScalars.count + 1, name + "/"]) ?? 0
        if managed > 0 { throw MailStoreError.managedMailbox(name) }
    }

    public func setSubscribed(_ subscribed: Bool, user: UserID, name: String) async throws {
        let canonical = try MailboxNaming.canonical(name)
        try await commits.write { db in
            if subscribed {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscription(userId, name) VALUES (?, ?)").execute(arguments: [user.rawValue, canonical])
            } else {
                try db.cachedStatement(sql: "DELETE FROM subscription WHERE userId = ? AND name = ?").execute(arguments: [user.rawValue, canonical])
            }
        }
    }

    /// Message counts for STATUS and SELECT.
    public func counts(of mailbox: MailboxID) async throws -> MailboxCounts {
        try await pool.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) AS messages,
                       COALESCE(SUM(size), 0) AS size,
                       COALESCE(SUM(CASE WHEN (' ' || flags || ' ') LIKE '% \\Seen %' THEN 0 ELSE 1 END), 0) AS unseen,
                       COALESCE(SUM(CASE WHEN (' ' || flags || ' ') LIKE '% \\Deleted %' THEN 1 ELSE 0 END), 0) AS deleted
                FROM message WHERE mailboxId = ?
                """), arguments: [mailbox.rawValue])!
            var firstUnseen: Int?
            let unseen: Int = row["unseen"]
            if unseen > 0 {
                firstUnseen = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT COUNT(*) + 1 FROM message WHERE mailboxId = ? AND uid < (
                      SELECT MIN(uid) FROM message WHERE mailboxId = ? AND (' ' || flags || ' ') NOT LIKE '% \\Seen %')
                    """), arguments: [mailbox.rawValue, mailbox.rawValue])
            }
            return MailboxCounts(messages: row["messages"], unseen: unseen, deleted: row["deleted"],
                                 size: row["size"], firstUnseen: firstUnseen)
        }
    }

    /// Current UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ of a mailbox.
    /// The UIDs up to `uid` that are still \Recent (RFC 3501 §2.3.2): above the mailbox's
    /// recent floor. With `claim` they become this caller's: the floor moves to `uid`, so no
    /// other session sees them as recent (SELECT, and new mail seen by a selecting session);
    /// without, nothing changes (EXAMINE, STATUS).
    /// `floor` is the recent floor when the caller read it already (SELECT's read).
    public func recent(in mailbox: MailboxID, through uid: UInt32, claim: Bool, floor known: UInt32? = nil) async throws -> ClosedRange<UInt32>? {
        let sql = "SELECT recentFloor FROM mailbox WHERE id = ?"
        // A read first: a SELECT with nothing new to claim writes nothing. One row by its
        // key, on the calling thread: when new mail reaches ten thousand idling sessions,
        // each of them asks, and a hop to a reader's thread and back per session cost more
        // than the reads.
        let floor = if let known { Int64(known) } else {
            try readNow { db in try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: [mailbox.rawValue]) } ?? Int64(uid)
        }
        guard floor < Int64(uid) else { return nil }
        guard claim else { return UInt32(floor + 1)...uid }
        return try await commits.write { db in
            let floor = try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: [mailbox.rawValue]) ?? Int64(uid)
            guard floor < Int64(uid) else { return nil }
            try db.cachedStatement(sql: "UPDATE mailbox SET recentFloor = ? WHERE id = ?").execute(arguments: [Int64(uid), mailbox.rawValue])
            return UInt32(floor + 1)...uid
        }
    }

    /// What an account's mail takes (QUOTA, RFC 9208): its messages and their octets, the
    /// CRM's own folders (summaries, drop folders) left out.
    public func usage(of user: UserID) async throws -> (messages: Int, bytes: Int) {
        try await pool.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) AS messages, COALESCE(SUM(m.size), 0) AS bytes FROM message m JOIN mailbox b ON b.id = m.mailboxId
                WHERE b.userId = ? AND b.id NOT IN (SELECT mailboxId FROM managedMailbox)
                """), arguments: [user.rawValue])
            return (row?["messages"] ?? 0, row?["bytes"] ?? 0)
        }
    }

    /// The octets of a mailbox's \Deleted messages (STATUS DELETED-STORAGE).
    public func deletedBytes(in mailbox: MailboxID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COALESCE(SUM(size), 0) FROM message WHERE mailboxId = ? AND (' ' || flags || ' ') LIKE '% \\Deleted %'
                """), arguments: [mailbox.rawValue]) ?? 0
        }
    }

    /// How many messages are \Recent and not claimed by any session (STATUS RECENT).
    public func recentCount(in mailbox: MailboxID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM message m JOIN mailbox b ON b.id = m.mailboxId WHERE m.mailboxId = ? AND m.uid > b.recentFloor
                """), arguments: [mailbox.rawValue]) ?? 0
        }
    }

    public func info(of mailbox: MailboxID) async throws -> MailboxInfo {
        try await pool.read { db in
            guard let record = try MailboxRecord.find(db, mailbox) else {
                throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
            }
            return record.info
        }
    }
}

extension MailboxRecord {
    var info: MailboxInfo {
        MailboxInfo(id: MailboxID(rawValue: id!), name: name, specialUse: specialUse,
                    uidValidity: UInt32(truncatingIfNeeded: uidValidity), uidNext: UInt32(truncatingIfNeeded: uidNext),
                    highestModSeq: UInt64(highestModSeq))
    }
}
