import Foundation
import GRDB
import Synchronization

/// The keywords crmgate sets on dropped messages (DESIGN: queued, archived, failed).
public enum DropKeyword {
    public static let pending = "$CRMPending"
    public static let done = "$CRMDone"
    public static let error = "$CRMError"
    static let all = [pending, done, error]
}

/// A message waiting in a drop folder to become a CRM action.
public struct DropJob: Hashable, Sendable {
    public var id: Int64
    public var user: UserID
    public var mailbox: MailboxID
    public var uid: UInt32
    /// Where the message came from (COPY/MOVE), so it can go back; nil for APPEND.
    public var source: MailboxID?
    /// The drop folder's role (`create-email`, `create:opportunities`, `assign:opportunities/42`).
    public var role: String
    public var recordKey: String?
    public var attempts: Int
    public var createdAt: Date
}

/// Wakes the drop processor when a drop was queued; coalesced.
public final class DropSignal: Sendable {
    private let continuations = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let next = Atomic<Int>(0)

    public init() {}

    public func subscribe() -> AsyncStream<Void> {
        let token = next.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in _ = self?.continuations.withLock { $0.removeValue(forKey: token) } }
        continuations.withLock { $0[token] = continuation }
        return stream
    }

    func signal() {
        for continuation in continuations.withLock({ Array($0.values) }) { continuation.yield() }
    }
}

extension LocalStore {
    /// If `box` is a drop folder, marks the new message `$CRMPending` (clearing an earlier
    /// `$CRMDone`/`$CRMError`, so that dropping a failed message again retries it) and queues
    /// it, in the caller's transaction. Returns whether it queued.
    static func enqueueIfDrop(_ db: Database, box: MailboxRecord, uid: UInt32, source: Int64?) throws -> Bool {
        guard let id = box.id,
              try Bool.fetchOne(db, sql: "SELECT acceptsMessages FROM managedMailbox WHERE mailboxId = ?", arguments: [id]) == true,
              let message = try MessageRecord.filter(MessageRecord.Columns.mailboxId == id && MessageRecord.Columns.uid == Int64(uid)).fetchOne(db),
              let messageId = message.id
        else { return false }
        let flags = FlagList.decode(message.flags).filter { !DropKeyword.all.contains($0) } + [DropKeyword.pending]
        try db.execute(sql: "UPDATE message SET flags = ? WHERE id = ?", arguments: [FlagList.encode(flags), messageId])
        let now = Date()
        try db.execute(sql: """
            INSERT INTO dropJob(messageId, userId, sourceMailboxId, state, attempts, nextAttemptAt, createdAt)
            VALUES (?, ?, ?, 'pending', 0, ?, ?)
            """, arguments: [messageId, box.userId, source == id ? nil : source, now, now])
        return true
    }

    /// Queued drops whose time has come, oldest first.
    public func dueDrops(now: Date = Date(), limit: Int = 100) async throws -> [DropJob] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT j.id, j.sourceMailboxId, j.attempts, j.createdAt, m.mailboxId, m.uid, b.userId, mm.role, mm.recordKey
                FROM dropJob j JOIN message m ON m.id = j.messageId JOIN mailbox b ON b.id = m.mailboxId
                JOIN managedMailbox mm ON mm.mailboxId = m.mailboxId
                WHERE j.state = 'pending' AND j.nextAttemptAt <= ? ORDER BY j.id LIMIT ?
                """, arguments: [now, limit]).map { row in
                DropJob(id: row["id"], user: UserID(rawValue: row["userId"]), mailbox: MailboxID(rawValue: row["mailboxId"]),
                        uid: UInt32(truncatingIfNeeded: row["uid"] as Int64),
                        source: (row["sourceMailboxId"] as Int64?).map(MailboxID.init(rawValue:)),
                        role: row["role"], recordKey: row["recordKey"], attempts: row["attempts"], createdAt: row["createdAt"])
            }
        }
    }

    /// The drop succeeded: `$CRMDone` replaces `$CRMPending`, and the message moves to
    /// `destination` (where it came from, or INBOX) unless that is nil (it stays).
    public func completeDrop(_ job: DropJob, moveTo destination: MailboxID?) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE dropJob SET state = 'done', lastError = NULL WHERE id = ?", arguments: [job.id])
        }
        _ = try await store(.remove, flags: [DropKeyword.pending], uids: [job.uid], in: job.mailbox)
        _ = try await store(.add, flags: [DropKeyword.done], uids: [job.uid], in: job.mailbox)
        // Never into another drop folder: that would queue the message again.
        if let destination, destination != job.mailbox, try await management(of: destination)?.acceptsMessages != true {
            _ = try await move(uids: [job.uid], from: job.mailbox, to: destination)
        }
    }

    /// A transient failure: try again at `next`; the message keeps `$CRMPending`.
    public func retryDrop(_ job: DropJob, at next: Date, error: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE dropJob SET attempts = attempts + 1, nextAttemptAt = ?, lastError = ? WHERE id = ?",
                           arguments: [next, error, job.id])
        }
    }

    /// A permanent failure: the message stays in the drop folder with `$CRMError`.
    public func failDrop(_ job: DropJob, error: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE dropJob SET state = 'failed', attempts = attempts + 1, lastError = ? WHERE id = ?",
                           arguments: [error, job.id])
        }
        _ = try await store(.remove, flags: [DropKeyword.pending], uids: [job.uid], in: job.mailbox)
        _ = try await store(.add, flags: [DropKeyword.error], uids: [job.uid], in: job.mailbox)
    }
}

/// How an account's drops stand, for `crmgate status`.
public struct DropSummary: Sendable {
    public var email: String
    public var pending: Int
    public var done: Int
    public var failed: Int
    /// The reasons of the latest failures, newest first.
    public var recentFailures: [String]
}

extension LocalStore {
    /// Drop counts per account (accounts without drops left out), with the latest failure reasons.
    public func dropSummaries(failuresPerAccount: Int = 5) async throws -> [DropSummary] {
        try await pool.read { db in
            // A pending drop whose message is gone (moved out before processing) counts for nothing.
            let rows = try Row.fetchAll(db, sql: """
                SELECT u.id, u.email,
                       SUM(j.state = 'pending' AND j.messageId IS NOT NULL) AS pending,
                       SUM(j.state = 'done') AS done, SUM(j.state = 'failed') AS failed
                FROM dropJob j JOIN user u ON u.id = j.userId
                GROUP BY u.id ORDER BY u.email
                """)
            return try rows.map { row in
                let reasons = try String.fetchAll(db, sql: """
                    SELECT lastError FROM dropJob WHERE userId = ? AND state = 'failed' AND lastError IS NOT NULL
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [row["id"] as Int64, failuresPerAccount])
                return DropSummary(email: row["email"], pending: row["pending"], done: row["done"], failed: row["failed"],
                                   recentFailures: reasons)
            }
        }
    }
}
