import Foundation
import GRDB
import Synchronization

/// The keywords crmgate sets on dropped messages (DESIGN: queued, archived, failed).
public enum DropKeyword {
    public static let pending = "$CRMPending"
    public static let done = "$CRMDone"
    public static let error = "$CRMError"
    static let all = [pending, done, error]
    /// Set with the flag a failed drop may get (`failDrop(flagged:)`), so that crmgate takes
    /// back only the flag it set, never one the user set.
    public static let flaggedByCRMGate = "$CRMFlagged"
    /// Thunderbird's first tag ("Important", red); Evolution shows it too.
    public static let importantLabel = "$label1"

    /// The flags with `keyword` as the message's only drop keyword, without the flag and
    /// label a failed drop got from crmgate.
    static func marking(_ flags: [String], _ keyword: String) -> [String] {
        let unflag: Set<String> = flags.contains(flaggedByCRMGate) ? ["\\Flagged", importantLabel, flaggedByCRMGate] : []
        return flags.filter { !all.contains($0) && !unflag.contains($0) } + [keyword]
    }

    /// `marking(flags, error)`, and when `flagged`, `\Flagged` and the Important label too (with
    /// `$CRMFlagged` to take them back), so that clients which show no keywords show the failure.
    static func markingFailed(_ flags: [String], flagged: Bool) -> [String] {
        let marked = marking(flags, error)
        guard flagged, !marked.contains("\\Flagged") else { return marked }
        return marked + ["\\Flagged", importantLabel, flaggedByCRMGate]
    }
}

/// A message waiting to become a CRM action: a drop into a drop folder, or a later mail of
/// a tracked conversation that should follow it (`follow`).
public struct DropJob: Hashable, Sendable {
    public var id: Int64
    public var user: UserID
    /// The account's address, which names its policy and its CRM user.
    public var email: String
    public var mailbox: MailboxID
    public var uid: UInt32
    /// Where the message came from (COPY/MOVE), so it can go back; nil for APPEND.
    public var source: MailboxID?
    /// The drop folder's role (`create-email`, `create:opportunities`, `assign:opportunities/42`),
    /// or `follow` for a conversation follow-up in an ordinary folder.
    public var role: String
    public var recordKey: String?
    public var attempts: Int
    public var createdAt: Date
    /// The dropped message's size in octets.
    public var size: Int = 0
    /// The message came from the upstream server (proxy mode) and goes back there when done.
    public var fromUpstream = false
    public var follow: Bool { role == DropJob.followRole }
    public static let followRole = "follow"
}

/// A mail a drop archived, and where to: later mails of its conversation follow it there.
public struct TrackedMessage: Hashable, Sendable {
    /// The mail's Message-ID, with angle brackets.
    public var messageID: String
    /// What the mail was archived to (`email`, `opportunities/42`): part of the archive key.
    public var target: String
    /// The records and people (`module/id`) the archived mail is related to.
    public var records: [String]
    public var people: [String]

    public init(messageID: String, target: String, records: [String], people: [String]) {
        self.messageID = messageID; self.target = target; self.records = records; self.people = people
    }
}

/// What becomes of a message once its drop succeeded.
public enum DropDisposition: Sendable, Equatable {
    /// Back to this mailbox (where it came from, or INBOX).
    case moveTo(MailboxID)
    case keep
    case delete
    /// Proxy mode: back to the upstream folder it came from (or the upstream INBOX), by
    /// `UpstreamReturns`; it waits in the drop folder, `$CRMDone`, until it is there.
    case returnToUpstream
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

/// How new messages in a mailbox are queued, decided once per APPEND, COPY or MOVE.
enum Queueing: Equatable {
    case none
    /// A drop folder: every message is a drop.
    case drops
    /// An ordinary folder of a user with tracked mail: replies to it are follow-ups.
    case followUps

    static func of(_ box: MailboxRecord, _ db: Database) throws -> Queueing {
        switch try LocalStore.acceptsMessages(db, mailbox: box.id) {
        case true?: return .drops
        case false?: return .none
        case nil:
            let tracking = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM trackedMessage WHERE userId = ?)"),
                                             arguments: [box.userId]) == true
            return tracking ? .followUps : .none
        }
    }
}

extension LocalStore {
    /// Inserts a message into `box` and, as `queueing` says, queues it in the same
    /// transaction, marked `$CRMPending`: in a drop folder as a drop (clearing an earlier
    /// `$CRMDone`/`$CRMError`, so that dropping a failed message again retries it); in an
    /// ordinary folder as a follow-up when it answers a tracked mail and is not tracked itself.
    static func insert(_ db: Database, into box: inout MailboxRecord, queueing: Queueing, source: Int64?, bodyId: Int64,
                       size: Int, internalDate: Date, zone: Int, flags: [String]) throws -> (uid: UInt32, queued: Bool, messageId: Int64) {
        let follow = try queueing == .followUps && answersTrackedMail(db, user: box.userId, bodyId: bodyId)
        let queue = queueing == .drops || follow
        let (uid, messageId) = try insertMessage(db, into: &box, bodyId: bodyId, size: size, internalDate: internalDate, zone: zone,
                                                 flags: queue ? DropKeyword.marking(flags, DropKeyword.pending) : flags)
        if queue {
            let now = Date()
            try db.cachedStatement(sql: """
                INSERT INTO dropJob(messageId, userId, sourceMailboxId, state, attempts, nextAttemptAt, createdAt, follow)
                VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)
                """).execute(arguments: [messageId, box.userId, source == box.id ? nil : source, now, now, follow])
        }
        return (uid, queue, messageId)
    }

    /// Whether the body's In-Reply-To or References name a mail tracked for the user, while
    /// its own Message-ID is not tracked yet (a tracked mail going back to INBOX is no follow-up).
    private static func answersTrackedMail(_ db: Database, user: Int64, bodyId: Int64) throws -> Bool {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT messageIdHeader, threadIds FROM body WHERE id = ? AND threadIds IS NOT NULL"),
                                         arguments: [bodyId]),
              let thread = (row["threadIds"] as String?)?.split(separator: " ").map(String.init), !thread.isEmpty
        else { return false }
        if let own = row["messageIdHeader"] as String?,
           try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM trackedMessage WHERE userId = ? AND messageId = ?)"), arguments: [user, own]) == true {
            return false
        }
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS(SELECT 1 FROM trackedMessage WHERE userId = ? AND messageId IN (\(databaseQuestionMarks(count: thread.count))))
            """, arguments: StatementArguments([user] + thread)) == true
    }

    /// Queued jobs whose time has come, oldest first; with `after`, those queued after that
    /// job (to read a long queue on past the jobs already taken).
    public func dueDrops(now: Date = Date(), after: Int64 = 0, limit: Int = 100) async throws -> [DropJob] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT j.id, j.sourceMailboxId, j.attempts, j.createdAt, m.mailboxId, m.uid, m.size, b.userId, u.email,
                       CASE WHEN j.follow THEN '\(DropJob.followRole)' ELSE mm.role END AS role, mm.recordKey,
                       o.messageId IS NOT NULL AS fromUpstream
                FROM dropJob j JOIN message m ON m.id = j.messageId JOIN mailbox b ON b.id = m.mailboxId
                JOIN user u ON u.id = b.userId
                LEFT JOIN managedMailbox mm ON mm.mailboxId = m.mailboxId
                LEFT JOIN upstreamOrigin o ON o.messageId = j.messageId
                WHERE j.state = 'pending' AND j.nextAttemptAt <= ? AND j.id > ? AND (j.follow OR mm.role IS NOT NULL)
                ORDER BY j.id LIMIT ?
                """, arguments: [now, after, limit]).map { row in
                DropJob(id: row["id"], user: UserID(rawValue: row["userId"]), email: row["email"],
                        mailbox: MailboxID(rawValue: row["mailboxId"]),
                        uid: UInt32(truncatingIfNeeded: row["uid"] as Int64),
                        source: (row["sourceMailboxId"] as Int64?).map(MailboxID.init(rawValue:)),
                        role: row["role"], recordKey: row["recordKey"], attempts: row["attempts"], createdAt: row["createdAt"],
                        size: row["size"], fromUpstream: row["fromUpstream"])
            }
        }
    }

    /// The tracked mails among `messageIDs` (a conversation's In-Reply-To and References).
    public func trackedMessages(of user: UserID, among messageIDs: [String]) async throws -> [TrackedMessage] {
        guard !messageIDs.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT messageId, target, records, people FROM trackedMessage
                WHERE userId = ? AND messageId IN (\(databaseQuestionMarks(count: messageIDs.count))) ORDER BY id
                """, arguments: StatementArguments([user.rawValue] + messageIDs)).map { row in
                TrackedMessage(messageID: row["messageId"], target: row["target"],
                               records: Self.refs(row["records"]), people: Self.refs(row["people"]))
            }
        }
    }

    private static func refs(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    /// The drop succeeded, all in one transaction: `$CRMDone` replaces `$CRMPending`, the
    /// archived mail is tracked for conversation follow, and the message goes where
    /// `disposition` says (never into a drop folder, and without queuing it anew).
    public func completeDrop(_ job: DropJob, _ disposition: DropDisposition, tracking: [TrackedMessage] = []) async throws {
        let touched = try await commits.write { db -> [MailboxID] in
            try db.cachedStatement(sql: "UPDATE dropJob SET state = 'done', lastError = NULL WHERE id = ?").execute(arguments: [job.id])
            let now = Date()
            for tracked in tracking {
                try db.cachedStatement(sql: """
                    INSERT INTO trackedMessage(userId, messageId, target, records, people, createdAt) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """).execute(arguments: [job.user.rawValue, tracked.messageID, tracked.target,
                                     tracked.records.joined(separator: " "), tracked.people.joined(separator: " "), now])
            }
            _ = try Self.updateFlags(db, uids: [job.uid], in: job.mailbox) { DropKeyword.marking($0, DropKeyword.done) }
            switch disposition {
            case .keep:
                return [job.mailbox]
            case .returnToUpstream:
                try db.cachedStatement(sql: """
                    UPDATE upstreamOrigin SET returnDue = 1, nextAttemptAt = ?
                    WHERE messageId = (SELECT id FROM message WHERE mailboxId = ? AND uid = ?)
                    """).execute(arguments: [now, job.mailbox.rawValue, job.uid])
                return [job.mailbox]
            case .delete:
                guard let box = try MailboxRecord.find(db, job.mailbox) else { return [] }
                try Self.recordExpunge(db, mailbox: box, messageIDs: try Self.messageIDs(db, mailbox: job.mailbox, uids: [job.uid]))
                return [job.mailbox]
            case .moveTo(let destination):
                let isDrop = try Self.acceptsMessages(db, mailbox: destination.rawValue) == true
                guard destination != job.mailbox, !isDrop else { return [job.mailbox] }
                _ = try Self.move(db, uids: [job.uid], from: job.mailbox, to: destination, queueing: false)
                return [job.mailbox, destination]
            }
        }
        changes.publish(touched)
        if disposition == .returnToUpstream { upstreamReturns.signal() }
    }

    /// A follow-up that is not wanted (the policy turned conversation follow off): the job
    /// goes and the message loses `$CRMPending`, as if it had never been queued.
    public func dismissDrop(_ job: DropJob) async throws {
        let changed = try await commits.write { db in
            try db.cachedStatement(sql: "DELETE FROM dropJob WHERE id = ?").execute(arguments: [job.id])
            return try Self.updateFlags(db, .remove, flags: [DropKeyword.pending], uids: [job.uid], in: job.mailbox).changed
        }
        if changed { changes.publish([job.mailbox]) }
    }

    /// A transient failure: try again at `next`; the message keeps `$CRMPending`.
    public func retryDrop(_ job: DropJob, at next: Date, error: String) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: "UPDATE dropJob SET attempts = attempts + 1, nextAttemptAt = ?, lastError = ? WHERE id = ?").execute(arguments: [next, error, job.id])
        }
    }

    /// A permanent failure: the message stays where it is with `$CRMError` and, when
    /// `flagged`, `\Flagged` (see `DropKeyword.markingFailed`).
    public func failDrop(_ job: DropJob, error: String, flagged: Bool = false) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: "UPDATE dropJob SET state = 'failed', attempts = attempts + 1, lastError = ? WHERE id = ?").execute(arguments: [error, job.id])
            _ = try Self.updateFlags(db, uids: [job.uid], in: job.mailbox) { DropKeyword.markingFailed($0, flagged: flagged) }
        }
        changes.publish([job.mailbox])
    }
}

/// What became of the reports of a mail's failed drops once the mail was dropped again and
/// succeeded.
public struct ResolvedReports: Sendable, Equatable {
    /// Reports removed from crmgate's own folders.
    public var removed: Int
    /// Reports that went to the upstream server (proxy mode) and stay there.
    public var upstream: Int
    /// Reports on the upstream server queued to be taken back there (`UpstreamReturner`).
    public var retracting: Int = 0
    /// Failed copies of the mail that lost `$CRMError` (and are `$CRMDone` now).
    public var cleared: Int

    public var isEmpty: Bool { removed == 0 && upstream == 0 && retracting == 0 && cleared == 0 }
}

extension LocalStore {
    /// Stores the report of a failed drop beside the mail (or, in proxy mode, for the upstream
    /// INBOX) and remembers it under the mail's key, in one transaction.
    public func appendDropReport(_ raw: [UInt8], for job: DropJob, mailKey: String) async throws {
        let body = try Self.makeBody(raw)
        try await commits.write { db in
            guard var box = try MailboxRecord.find(db, job.mailbox) else { throw MailStoreError.mailboxNotFound("#\(job.mailbox.rawValue)") }
            let bodyId = try body.insert(db)
            let (_, messageId) = try Self.insertMessage(db, into: &box, bodyId: bodyId, size: body.record.size, internalDate: Date(),
                                                        zone: 0, flags: [])
            if job.fromUpstream {
                let now = Date()
                try db.cachedStatement(sql: """
                    INSERT INTO upstreamOrigin(messageId, userId, folder, returnDue, nextAttemptAt) VALUES (?, ?, 'INBOX', 1, ?)
                    """).execute(arguments: [messageId, box.userId, now])
            }
            let failed = try Self.messageIDs(db, mailbox: job.mailbox, uids: [job.uid]).first
            try db.cachedStatement(sql: """
                INSERT INTO dropReport(userId, mailKey, messageId, failedMessageId, upstream, createdAt, jobId, reportMessageID)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [job.user.rawValue, mailKey, messageId, failed, job.fromUpstream, Date(), job.id,
                                         body.record.messageIdHeader])
        }
        changes.publish([job.mailbox])
        if job.fromUpstream { upstreamReturns.signal() }
    }

    /// The mail with `mailKey` was dropped again and succeeded: its earlier reports in
    /// crmgate's folders are expunged, its failed copies lose `$CRMError` for `$CRMDone`,
    /// its failed drops stop counting as failed, and the reports are forgotten. With
    /// `retractUpstream`, reports that went to the upstream INBOX are queued to be taken back
    /// there (also one still on its way, which the search there then finds or not).
    public func resolveDropReports(user: UserID, mailKey: String, retractUpstream: Bool = false) async throws -> ResolvedReports {
        let (resolved, touched, queued) = try await commits.write { db -> (ResolvedReports, [MailboxID], Bool) in
            var queued = false
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT r.id, r.upstream, r.jobId, r.reportMessageID, m.id AS report, m.mailboxId AS reportBox,
                       f.mailboxId AS failedBox, f.uid AS failedUID
                FROM dropReport r LEFT JOIN message m ON m.id = r.messageId LEFT JOIN message f ON f.id = r.failedMessageId
                WHERE r.userId = ? AND r.mailKey = ?
                """), arguments: [user.rawValue, mailKey])
            var resolved = ResolvedReports(removed: 0, upstream: 0, cleared: 0)
            var touched = Set<MailboxID>()
            for (box, reports) in Dictionary(grouping: rows.filter { $0["report"] != nil }, by: { $0["reportBox"] as Int64 }) {
                guard let record = try MailboxRecord.find(db, MailboxID(rawValue: box)) else { continue }
                _ = try Self.recordExpunge(db, mailbox: record, messageIDs: reports.map { $0["report"] as Int64 })
                resolved.removed += reports.count
                touched.insert(MailboxID(rawValue: box))
            }
            let now = Date()
            for row in rows where row["upstream"] as Bool {
                if retractUpstream, let reportID = row["reportMessageID"] as String? {
                    try db.cachedStatement(sql: "INSERT INTO upstreamRetraction(userId, messageID, nextAttemptAt) VALUES (?, ?, ?)")
                        .execute(arguments: [user.rawValue, reportID, now])
                    queued = true
                    if row["report"] == nil { resolved.retracting += 1 }
                } else if row["report"] == nil {
                    resolved.upstream += 1
                }
            }
            let resolveJob = try db.cachedStatement(sql: "UPDATE dropJob SET resolvedAt = ? WHERE id = ? AND state = 'failed'")
            for case let job? in rows.map({ $0["jobId"] as Int64? }) { try resolveJob.execute(arguments: [now, job]) }
            for row in rows {
                guard let box = row["failedBox"] as Int64?, let uid = row["failedUID"] as Int64? else { continue }
                let mailbox = MailboxID(rawValue: box)
                let update = try Self.updateFlags(db, uids: [UInt32(truncatingIfNeeded: uid)], in: mailbox) { flags in
                    flags.contains(DropKeyword.error) ? DropKeyword.marking(flags, DropKeyword.done) : flags
                }
                if update.changed {
                    resolved.cleared += 1
                    touched.insert(mailbox)
                }
            }
            try db.cachedStatement(sql: "DELETE FROM dropReport WHERE userId = ? AND mailKey = ?").execute(arguments: [user.rawValue, mailKey])
            return (resolved, Array(touched), queued)
        }
        if !touched.isEmpty { changes.publish(touched) }
        if queued { upstreamReturns.signal() }
        return resolved
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
    /// Pending drops that failed for a passing reason (the CRM unreachable) and wait for
    /// their next try: how many, the latest reason and the soonest next try.
    public var retrying: (count: Int, lastError: String, nextAttempt: Date?)?
}

extension LocalStore {
    /// Drop counts per account (accounts without drops left out), with the latest failure reasons.
    public func dropSummaries(failuresPerAccount: Int = 5) async throws -> [DropSummary] {
        try await pool.read { db in
            // A pending drop whose message is gone (moved out before processing) counts for nothing.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT u.id, u.email,
                       SUM(j.state = 'pending' AND j.messageId IS NOT NULL) AS pending,
                       SUM(j.state = 'done') AS done, SUM(j.state = 'failed' AND j.resolvedAt IS NULL) AS failed
                FROM dropJob j JOIN user u ON u.id = j.userId
                GROUP BY u.id ORDER BY u.email
                """))
            return try rows.map { row in
                let reasons = try String.fetchAll(db.cachedStatement(sql: """
                    SELECT lastError FROM dropJob WHERE userId = ? AND state = 'failed' AND resolvedAt IS NULL AND lastError IS NOT NULL
                    ORDER BY id DESC LIMIT ?
                    """), arguments: [row["id"] as Int64, failuresPerAccount])
                let waiting = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT COUNT(*) AS count, MIN(nextAttemptAt) AS next,
                           (SELECT lastError FROM dropJob WHERE userId = ?1 AND state = 'pending' AND lastError IS NOT NULL
                            AND messageId IS NOT NULL ORDER BY id DESC LIMIT 1) AS reason
                    FROM dropJob WHERE userId = ?1 AND state = 'pending' AND lastError IS NOT NULL AND messageId IS NOT NULL
                    """), arguments: [row["id"] as Int64])
                let retrying = waiting.flatMap { row -> (count: Int, lastError: String, nextAttempt: Date?)? in
                    guard let reason: String = row["reason"], let count: Int = row["count"], count > 0 else { return nil }
                    return (count, reason, row["next"])
                }
                return DropSummary(email: row["email"], pending: row["pending"], done: row["done"], failed: row["failed"],
                                   recentFailures: reasons, retrying: retrying)
            }
        }
    }
}
