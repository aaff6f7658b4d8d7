import Foundation
import GRDB

/// Where a message in a CRM folder came from on the upstream server (proxy mode).
public struct UpstreamOrigin: Hashable, Sendable {
    /// The upstream folder as the client names it (Unicode, `/` as delimiter).
    public var folder: String
    /// The original message there, if it is one (COPY/MOVE); nil for an APPEND.
    public var uidValidity: UInt32?
    public var uid: UInt32?

    public init(folder: String, uidValidity: UInt32? = nil, uid: UInt32? = nil) {
        self.folder = folder; self.uidValidity = uidValidity; self.uid = uid
    }
}

/// A processed drop due to go back to the upstream server.
public struct UpstreamReturn: Hashable, Sendable {
    public var user: UserID
    public var email: String
    public var mailbox: MailboxID
    /// The message's UID in the local drop folder.
    public var uid: UInt32
    public var origin: UpstreamOrigin
    public var attempts: Int
}

extension LocalStore {
    /// Stores a message fetched from the upstream (or appended by a client in proxy mode)
    /// into a local mailbox, queued as a drop there, remembering its origin. The same
    /// upstream message stored again while its first copy is still in this mailbox is not
    /// stored twice: its UID comes back (a MOVE repeated after a failure part-way).
    ///
    /// `returnNow` stores a message of crmgate's own (an error report) that goes to the
    /// upstream folder of `origin` at once, unqueued. `holdReturn` keeps it from going back
    /// while a MOVE has still to expunge its original upstream (`releaseUpstreamReturns`),
    /// at most `upstreamMoveHold` (a crash in between must not keep it forever).
    public func append(_ message: NewMessage, to mailbox: MailboxID, origin: UpstreamOrigin,
                       returnNow: Bool = false, holdReturn: Bool = false) async throws -> (uidValidity: UInt32, uid: UInt32) {
        if let uid = origin.uid, let uidValidity = origin.uidValidity {
            let existing = try await pool.read { db -> (UInt32, UInt32)? in
                try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT b.uidValidity, m.uid FROM upstreamOrigin o JOIN message m ON m.id = o.messageId
                    JOIN mailbox b ON b.id = m.mailboxId
                    WHERE m.mailboxId = ? AND o.folder = ? AND o.uidValidity = ? AND o.uid = ?
                    """), arguments: [mailbox.rawValue, origin.folder, uidValidity, uid])
                    .map { (UInt32(truncatingIfNeeded: $0[0] as Int64), UInt32(truncatingIfNeeded: $0[1] as Int64)) }
            }
            if let existing {
                if holdReturn { try await holdUpstreamReturn(in: mailbox, uid: existing.1) }
                return existing
            }
        }
        let body = try Self.makeBody(message.raw)
        let result = try await commits.write { db -> (UInt32, UInt32, Bool) in
            guard var box = try MailboxRecord.find(db, mailbox) else {
                throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
            }
            // An earlier copy of this original elsewhere no longer stands for it.
            if let uid = origin.uid, let uidValidity = origin.uidValidity {
                try db.cachedStatement(sql: "DELETE FROM upstreamOrigin WHERE userId = ? AND folder = ? AND uidValidity = ? AND uid = ?")
                    .execute(arguments: [box.userId, origin.folder, uidValidity, uid])
            }
            let bodyId = try body.insert(db)
            let queueing = returnNow ? .none : try Queueing.of(box, db)
            let (uid, queued, messageId) = try Self.insert(db, into: &box, queueing: queueing, source: nil, bodyId: bodyId,
                                                size: body.record.size, internalDate: message.internalDate,
                                                zone: message.internalZoneMinutes, flags: message.flags)
            try db.cachedStatement(sql: """
                INSERT INTO upstreamOrigin(messageId, userId, folder, uidValidity, uid, returnDue, nextAttemptAt, holdUntil)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [messageId, box.userId, origin.folder, origin.uidValidity, origin.uid,
                                         returnNow, returnNow ? Date() : nil,
                                         holdReturn ? Date().addingTimeInterval(Self.upstreamMoveHold) : nil])
            return (UInt32(truncatingIfNeeded: box.uidValidity), uid, queued)
        }
        changes.publish([mailbox])
        if result.2 { drops.signal() }
        if returnNow { upstreamReturns.signal() }
        return (result.0, result.1)
    }

    /// How long a MOVE's stored messages wait for the session to expunge their originals.
    static let upstreamMoveHold: TimeInterval = 120

    private func holdUpstreamReturn(in mailbox: MailboxID, uid: UInt32) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: """
                UPDATE upstreamOrigin SET holdUntil = ? WHERE messageId = (SELECT id FROM message WHERE mailboxId = ? AND uid = ?)
                """).execute(arguments: [Date().addingTimeInterval(Self.upstreamMoveHold), mailbox.rawValue, Int64(uid)])
        }
    }

    /// The MOVE that stored these messages has expunged their originals upstream (or
    /// failed to): they may go back once processed.
    public func releaseUpstreamReturns(in mailbox: MailboxID, uids: [UInt32]) async throws {
        try await commits.write { db in
            let release = try db.cachedStatement(sql: """
                UPDATE upstreamOrigin SET holdUntil = NULL WHERE messageId = (SELECT id FROM message WHERE mailboxId = ? AND uid = ?)
                """)
            for uid in uids { try release.execute(arguments: [mailbox.rawValue, Int64(uid)]) }
        }
        upstreamReturns.signal()
    }

    /// Processed drops due to go back upstream, oldest first.
    public func dueUpstreamReturns(now: Date = Date(), limit: Int = 100) async throws -> [UpstreamReturn] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT o.folder, o.uidValidity, o.uid AS originalUID, o.attempts, m.mailboxId, m.uid, u.id AS userId, u.email
                FROM upstreamOrigin o JOIN message m ON m.id = o.messageId JOIN user u ON u.id = o.userId
                WHERE o.returnDue AND o.nextAttemptAt <= ? AND (o.holdUntil IS NULL OR o.holdUntil <= ?)
                ORDER BY o.nextAttemptAt LIMIT ?
                """), arguments: [now, now, limit]).map { row in
                UpstreamReturn(user: UserID(rawValue: row["userId"]), email: row["email"], mailbox: MailboxID(rawValue: row["mailboxId"]),
                               uid: UInt32(truncatingIfNeeded: row["uid"] as Int64),
                               origin: UpstreamOrigin(folder: row["folder"],
                                                      uidValidity: (row["uidValidity"] as Int64?).map { UInt32(truncatingIfNeeded: $0) },
                                                      uid: (row["originalUID"] as Int64?).map { UInt32(truncatingIfNeeded: $0) }),
                               attempts: row["attempts"])
            }
        }
    }

    /// The message is back upstream: it leaves the drop folder (EXPUNGE for its clients).
    public func completeUpstreamReturn(_ item: UpstreamReturn) async throws {
        _ = try await remove(item.mailbox, uids: [item.uid])
    }

    /// The upstream could not take it now: try again at `next`.
    public func retryUpstreamReturn(_ item: UpstreamReturn, at next: Date, error: String) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: """
                UPDATE upstreamOrigin SET attempts = attempts + 1, nextAttemptAt = ?, lastError = ?
                WHERE messageId = (SELECT id FROM message WHERE mailboxId = ? AND uid = ?)
                """).execute(arguments: [next, error, item.mailbox.rawValue, item.uid])
        }
    }

    /// Accounts with returns waiting, for `crmgate status`: email → (count, last error).
    public func pendingUpstreamReturns() async throws -> [String: (count: Int, lastError: String?)] {
        try await pool.read { db in
            var result: [String: (count: Int, lastError: String?)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT u.email, COUNT(*) AS n, MAX(o.lastError) AS lastError FROM upstreamOrigin o JOIN user u ON u.id = o.userId
                WHERE o.returnDue GROUP BY u.email
                """) {
                result[row["email"]] = (row["n"], row["lastError"])
            }
            return result
        }
    }
}

/// A report of a failed drop that went to the upstream INBOX and is to be taken back
/// there, since the drop has worked since (found by its Message-ID).
public struct UpstreamRetraction: Hashable, Sendable {
    public var id: Int64
    public var email: String
    public var messageID: String
    public var attempts: Int
}

extension LocalStore {
    /// Reports due to be taken back from the upstream, oldest first.
    public func dueUpstreamRetractions(now: Date = Date(), limit: Int = 100) async throws -> [UpstreamRetraction] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT r.id, u.email, r.messageID, r.attempts FROM upstreamRetraction r JOIN user u ON u.id = r.userId
                WHERE r.nextAttemptAt <= ? ORDER BY r.nextAttemptAt LIMIT ?
                """), arguments: [now, limit]).map { row in
                UpstreamRetraction(id: row["id"], email: row["email"], messageID: row["messageID"], attempts: row["attempts"])
            }
        }
    }

    /// The report is gone from the upstream (or was not there any more).
    public func completeUpstreamRetraction(_ item: UpstreamRetraction) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: "DELETE FROM upstreamRetraction WHERE id = ?").execute(arguments: [item.id])
        }
    }

    /// The upstream could not be reached or refused: try again at `next`.
    public func retryUpstreamRetraction(_ item: UpstreamRetraction, at next: Date, error: String) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: "UPDATE upstreamRetraction SET attempts = attempts + 1, nextAttemptAt = ?, lastError = ? WHERE id = ?")
                .execute(arguments: [next, error, item.id])
        }
    }
}
