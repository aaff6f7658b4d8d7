import Foundation
import GRDB
import MIMECore

/// A mailbox the CRM folders service owns.
public struct ManagedMailbox: Hashable, Sendable {
    public var mailbox: MailboxInfo
    /// The service's label for what the folder is (e.g. `display:opportunities`).
    public var role: String
    /// Whether clients may put messages into it (drop folders yes, display folders no).
    public var acceptsMessages: Bool
    /// The record the folder stands for (Assign To folders).
    public var recordKey: String?
}

/// A mailbox the CRM folders service wants to exist, with its management.
public struct ManagedFolder: Hashable, Sendable {
    public var name: String
    public var role: String
    public var acceptsMessages: Bool
    public var recordKey: String?

    public init(name: String, role: String, acceptsMessages: Bool, recordKey: String?) {
        self.name = name; self.role = role; self.acceptsMessages = acceptsMessages; self.recordKey = recordKey
    }
}

/// A summary to put into a display folder, replacing the record's previous one if any.
public struct NewSummary: Sendable {
    public var recordKey: String
    public var version: String
    public var raw: [UInt8]
    public var date: Date
    public var replacing: StoredSummary?
    /// The summary it replaces was read: arrive unread again (true), or keep \Seen (false).
    /// \Flagged and every other flag are always kept.
    public var unreadAgain: Bool

    public init(recordKey: String, version: String, raw: [UInt8], date: Date, replacing: StoredSummary?, unreadAgain: Bool = false) {
        self.recordKey = recordKey; self.version = version; self.raw = raw; self.date = date; self.replacing = replacing
        self.unreadAgain = unreadAgain
    }
}

/// A summary message in a display folder: which record and version it shows.
public struct StoredSummary: Hashable, Sendable {
    public var uid: UInt32
    public var recordKey: String
    public var version: String
    public var flags: [String]
}

extension LocalStore {
    /// The user's managed mailboxes.
    public func managedMailboxes(of user: UserID) async throws -> [ManagedMailbox] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT mm.role, mm.acceptsMessages, mm.recordKey, m.*
                FROM managedMailbox mm JOIN mailbox m ON m.id = mm.mailboxId WHERE m.userId = ?
                ORDER BY m.name
                """), arguments: [user.rawValue])
            return try rows.map { row in
                ManagedMailbox(mailbox: try MailboxRecord(row: row).info, role: row["role"],
                               acceptsMessages: row["acceptsMessages"], recordKey: row["recordKey"])
            }
        }
    }

    /// The top-level names of a user's managed mailboxes: the roots of the CRM tree, by
    /// which proxy mode routes (read at every login, so only the names are read).
    public func managedRoots(of user: UserID) async throws -> Set<String> {
        try await pool.read { db in
            Set(try String.fetchAll(db.cachedStatement(sql: """
                SELECT DISTINCT CASE WHEN instr(m.name, '/') > 0 THEN substr(m.name, 1, instr(m.name, '/') - 1) ELSE m.name END
                FROM managedMailbox mm JOIN mailbox m ON m.id = mm.mailboxId WHERE m.userId = ?
                """), arguments: [user.rawValue]))
        }
    }

    /// Creates (or adopts, if it exists) a managed mailbox and its missing parents.
    @discardableResult
    public func ensureManagedMailbox(of user: UserID, named name: String, role: String, acceptsMessages: Bool,
                                     recordKey: String?) async throws -> MailboxInfo {
        let folder = ManagedFolder(name: name, role: role, acceptsMessages: acceptsMessages, recordKey: recordKey)
        guard let info = try await ensureManagedMailboxes(of: user, [folder]).first else {
            throw MailStoreError.mailboxNotFound(name)
        }
        return info
    }

    /// Creates (or adopts) several managed mailboxes in one transaction, in order: a folder
    /// sync after a burst of new records makes one commit for all their folders.
    @discardableResult
    public func ensureManagedMailboxes(of user: UserID, _ folders: [ManagedFolder]) async throws -> [MailboxInfo] {
        let canonical = try folders.map { try MailboxNaming.canonical($0.name) }
        guard !folders.isEmpty else { return [] }
        return try await commits.write { db in
            try zip(folders, canonical).map { folder, name in
                for ancestor in MailboxNaming.ancestors(of: name) where try !Self.exists(db, user: user, name: ancestor) {
                    _ = try Self.insertMailbox(db, userId: user.rawValue, name: ancestor, specialUse: nil)
                }
                let record = try MailboxRecord.find(db, user: user, name: name)
                    ?? Self.insertMailbox(db, userId: user.rawValue, name: name, specialUse: nil)
                try db.cachedStatement(sql: """
                    INSERT INTO managedMailbox(mailboxId, role, acceptsMessages, recordKey) VALUES (?, ?, ?, ?)
                    ON CONFLICT(mailboxId) DO UPDATE SET role = excluded.role, acceptsMessages = excluded.acceptsMessages, recordKey = excluded.recordKey
                    """).execute(arguments: [record.id, folder.role, folder.acceptsMessages, folder.recordKey])
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscription(userId, name) VALUES (?, ?)").execute(arguments: [user.rawValue, name])
                return record.info
            }
        }
    }

    /// Renames a managed mailbox (an Assign To folder whose record was renamed), with its children.
    public func renameManagedMailbox(of user: UserID, from old: String, to new: String) async throws {
        try await renameMailbox(of: user, from: old, to: new, managedToo: true)
        try await commits.write { db in
            try db.cachedStatement(sql: "DELETE FROM subscription WHERE userId = ? AND name = ?").execute(arguments: [user.rawValue, old])
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscription(userId, name) VALUES (?, ?)").execute(arguments: [user.rawValue, new])
        }
    }

    /// Deletes a managed mailbox with its messages (its record closed or left the user's scope).
    public func removeManagedMailbox(_ mailbox: MailboxID) async throws {
        try await commits.write { db in
            guard let record = try MailboxRecord.find(db, mailbox) else { return }
            try db.cachedStatement(sql: "DELETE FROM subscription WHERE userId = ? AND name = ?").execute(arguments: [record.userId, record.name])
            try db.cachedStatement(sql: "DELETE FROM mailbox WHERE id = ?").execute(arguments: [mailbox.rawValue])
        }
        changes.publish([mailbox])
    }

    /// The summary messages of a display folder.
    public func summaries(in mailbox: MailboxID) async throws -> [StoredSummary] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT m.uid, m.flags, s.recordKey, s.version FROM summary s JOIN message m ON m.id = s.messageId
                WHERE m.mailboxId = ? ORDER BY m.uid
                """), arguments: [mailbox.rawValue]).map { row in
                StoredSummary(uid: UInt32(truncatingIfNeeded: row["uid"] as Int64), recordKey: row["recordKey"],
                              version: row["version"], flags: FlagList.decode(row["flags"]))
            }
        }
    }

    /// Puts a record's summary into a display folder in one transaction: the new message
    /// is appended and the previous summary (if any) expunged. The user's flags and
    /// keywords carry over, except `\Seen`, which is cleared because the content changed.
    @discardableResult
    public func replaceSummary(in mailbox: MailboxID, recordKey: String, version: String, raw: [UInt8],
                               date: Date, replacing old: StoredSummary?) async throws -> UInt32 {
        let summary = NewSummary(recordKey: recordKey, version: version, raw: raw, date: date, replacing: old)
        guard let uid = try await replaceSummaries(in: mailbox, [summary]).first else {
            throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
        }
        return uid
    }

    /// Puts several summaries into a display folder in one transaction (as `replaceSummary`
    /// does for one); returns their new UIDs in order.
    @discardableResult
    public func replaceSummaries(in mailbox: MailboxID, _ summaries: [NewSummary]) async throws -> [UInt32] {
        guard !summaries.isEmpty else { return [] }
        let bodies = try summaries.map { try Self.makeBody($0.raw) }
        let uids = try await commits.write { db -> [UInt32] in
            guard var box = try MailboxRecord.find(db, mailbox) else {
                throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
            }
            return try zip(summaries, bodies).map { summary, body in
                if let old = summary.replacing {
                    let ids = try Self.messageIDs(db, mailbox: mailbox, uids: [old.uid])
                    if !ids.isEmpty { box = try Self.recordExpunge(db, mailbox: box, messageIDs: ids) }
                }
                let bodyId = try body.insert(db)
                let flags = (summary.replacing?.flags ?? []).filter { !summary.unreadAgain || $0.lowercased() != "\\seen" }
                let (uid, id) = try Self.insertMessage(db, into: &box, bodyId: bodyId, size: body.record.size, internalDate: summary.date,
                                                       zone: 0, flags: flags)
                try db.cachedStatement(sql: "INSERT INTO summary(messageId, recordKey, version) VALUES (?, ?, ?)")
                    .execute(arguments: [id, summary.recordKey, summary.version])
                return uid
            }
        }
        changes.publish([mailbox])
        return uids
    }

    /// Expunges the summary of a record that is no longer shown.
    public func removeSummary(in mailbox: MailboxID, uid: UInt32) async throws {
        try await commits.write { db in
            guard let box = try MailboxRecord.find(db, mailbox) else { return }
            let ids = try Self.messageIDs(db, mailbox: mailbox, uids: [uid])
            if !ids.isEmpty { try Self.recordExpunge(db, mailbox: box, messageIDs: ids) }
        }
        changes.publish([mailbox])
    }
}
