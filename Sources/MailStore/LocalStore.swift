import DatabaseSupport
import Foundation
import GRDB

/// The embedded mail store: one SQLite file (WAL) holding accounts, mailboxes and messages.
///
/// Every write is one transaction, committed with `synchronous = FULL` before the
/// call returns, so a caller that answers OK after it can never lose the change.
/// Committed changes are announced on `changes` for sessions and IDLE.
public final class LocalStore: Sendable {
    let pool: DatabaseWriter
    /// Every write goes through here: concurrent ones share a commit (one WAL sync).
    let commits: GroupCommit
    public let changes: ChangeBus
    /// Signals queued drops to the drop processor.
    public let drops = DropSignal()
    /// Signals processed drops due to go back to the upstream server (proxy mode).
    public let upstreamReturns = DropSignal()
    /// Passwords verified lately, so that a re-login is cheap.
    let credentials = CredentialCache()

    /// Opens (creating if needed) the store in `directory`/mail.sqlite.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.maximumReaderCount = Self.readers
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent("mail.sqlite"), configuration: config)
        try pool.requireFullSync()
        try Schema.migrator.migrate(pool)
        self.pool = pool
        self.commits = GroupCommit(pool)
        self.changes = ChangeBus()
    }

    /// Reading connections: GRDB's default of 5 made SELECT and FETCH wait for one another
    /// under 50 clients (a connection is cheap; the cores are the limit, not they).
    static let readers = max(16, 4 * ProcessInfo.processInfo.activeProcessorCount)

    /// An in-memory store, for tests.
    public init(inMemory: Void = ()) throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue)
        self.pool = queue
        self.commits = GroupCommit(queue)
        self.changes = ChangeBus()
    }

    /// Checkpoints the WAL and closes the database file.
    public func close() throws {
        if let pool = pool as? DatabasePool {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        }
    }

    /// Allocates a UIDVALIDITY never used before in this store (RFC 9051 §2.3.1.1).
    static func allocateUIDValidity(_ db: Database) throws -> Int64 {
        let now = Int64(Date().timeIntervalSince1970) & 0x7FFF_FFFF
        let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM counter WHERE name = 'uidvalidity'")) ?? 0
        let next = max(now, last + 1)
        try db.cachedStatement(sql: "INSERT INTO counter(name, value) VALUES('uidvalidity', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").execute(arguments: [next])
        return next
    }
}
