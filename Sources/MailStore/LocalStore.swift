import DatabaseSupport
import Foundation
import GRDB
import Synchronization

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
    /// The latest answer per mailbox to what changed since a MODSEQ, shared by the sessions
    /// that ask the same.
    let recentChanges = RecentChanges()
    /// Connections for `readNow` (nil in memory: then the one queue serves all).
    private let inlineReaders: InlineReaders?

    /// Opens (creating if needed) the store in `directory`/mail.sqlite.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.maximumReaderCount = Self.readers
        config.prepareDatabase(Self.limitCache)
        let path = (directory as NSString).appendingPathComponent("mail.sqlite")
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.requireFullSync()
        try Schema.migrator.migrate(pool)
        self.pool = pool
        self.inlineReaders = InlineReaders(path: path)
        self.commits = GroupCommit(pool)
        self.changes = ChangeBus()
    }

    /// SQLite's page cache per connection: 512 KiB rather than its default 2 MB. The store
    /// has some twenty connections (readers, the inline readers, the writer), and a scan of a
    /// big mailbox filled each one's cache for good: 40 MB that stayed after the sessions
    /// were gone. The operating system caches the file anyway; a bigger cache only spares a
    /// scan that fits in it a copy from there.
    static func limitCache(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -512")
    }

    /// Reading connections: GRDB's default of 5 made SELECT and FETCH wait for one another
    /// under 50 clients (a connection is cheap; the cores are the limit, not they).
    static let readers = max(16, 4 * ProcessInfo.processInfo.activeProcessorCount)

    /// A read of a few rows (one user's mailboxes, a handful of messages) on the calling
    /// thread. For an IMAP session that is its event loop, which so skips two thread hops
    /// (to a reader's queue and back) that cost more than such a read; blocking the loop for
    /// it is shorter than the hops would take. Reads that grow with a mailbox go through
    /// `pool.read`, on the readers' own threads.
    ///
    /// These reads use connections of their own (`InlineReaders`): an async read holds one of
    /// GRDB's readers until its task resumes, on the session's event loop, so an event loop
    /// waiting for a free reader of that pool could wait for itself.
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        guard let inlineReaders else { return try pool.read(body) }
        return try inlineReaders.read(body)
    }

    /// A read of more messages than this goes to the readers' threads, not `readNow`.
    static let readNowLimit = 256

    /// How many messages a mailbox held at its last whole read, by key (`sizeKey`): whether
    /// the next read of all of it may run with `readNow`. It decides only where a read runs.
    private let sizes = Mutex<[String: Int]>([:])

    static func sizeKey(_ mailbox: MailboxID) -> String { "#\(mailbox.rawValue)" }
    static func sizeKey(_ user: UserID, _ name: String) -> String { "\(user.rawValue)/\(name)" }

    /// Reads the whole of a mailbox, on the calling thread when it was small at its last read;
    /// `body` returns its result and how many messages the mailbox holds, when it learnt that
    /// (nil: the size known stays).
    func wholeMailboxRead<T: Sendable>(_ keys: [String], _ body: @escaping @Sendable (Database) throws -> (T, Int?)) async throws -> T {
        let small = sizes.withLock { known in keys.first.flatMap { known[$0] }.map { $0 <= Self.readNowLimit } ?? false }
        let (result, count) = small ? try readNow(body) : try await pool.read(body)
        if let count { remember(count, for: keys) }
        return result
    }

    func remember(_ size: Int, for keys: [String]) {
        sizes.withLock { known in for key in keys { known[key] = size } }
    }

    /// An in-memory store, for tests.
    public init(inMemory: Void = ()) throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue)
        self.pool = queue
        self.inlineReaders = nil
        self.commits = GroupCommit(queue)
        self.changes = ChangeBus()
    }

    /// Checkpoints the WAL and closes the database file.
    public func close() throws {
        inlineReaders?.closeAll()
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

/// Read-only connections to the store's file for `LocalStore.readNow`, apart from GRDB's
/// reader pool. One is taken per read and given back after; when none is free another is
/// opened, so a read never waits for one (as many exist as threads ever read at once: the
/// event loops and a few others).
final class InlineReaders: Sendable {
    private let path: String
    private let idle = Mutex<[DatabaseQueue]>([])

    init(path: String) { self.path = path }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let queue = try idle.withLock { $0.popLast() } ?? open()
        defer { idle.withLock { $0.append(queue) } }
        return try queue.read(body)
    }

    /// Closes the idle connections (those in use close when given back and released).
    func closeAll() {
        let queues = idle.withLock { queues in defer { queues = [] }; return queues }
        for queue in queues { try? queue.close() }
    }

    private func open() throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.prepareDatabase(LocalStore.limitCache)
        return try DatabaseQueue(path: path, configuration: config)
    }
}
