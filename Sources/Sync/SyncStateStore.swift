import DatabaseSupport
import Foundation
import GRDB

/// The items of one user's module kept in step under one policy.
public struct SyncScope: Hashable, Sendable {
    public var user: String
    public var policy: String
    /// `contacts`, `leads`, `events` …, or a remote side's own name (`addressbook:contacts`).
    public var module: String

    public init(user: String, policy: String, module: String) {
        self.user = user.lowercased()
        self.policy = policy
        self.module = module
    }
}

/// What a finished run leaves: the links it changed, those it dropped, and where each side
/// is to be read from next time.
public struct SyncCheckpoint: Sendable {
    public var links: [SyncLink]
    public var removed: [String]
    /// The remote side's sync token (nil: none, list in full next time).
    public var remoteToken: String?
    /// The CRM change feed's cursor.
    public var crmCursor: String?
    /// The queued CRM changes this run took in (`pending(_:)`'s `through`): they are
    /// dropped from the queue with the links, not before.
    public var pendingThrough: Int64?
    /// What the run did, for `status`.
    public var counts: [String: Int]

    public init(links: [SyncLink] = [], removed: [String] = [], remoteToken: String?, crmCursor: String?, pendingThrough: Int64? = nil,
                counts: [String: Int] = [:]) {
        self.links = links
        self.removed = removed
        self.remoteToken = remoteToken
        self.crmCursor = crmCursor
        self.pendingThrough = pendingThrough
        self.counts = counts
    }
}

/// The sync engine's durable state, in its own SQLite file (WAL, `synchronous = FULL`): the
/// links of every scope and the two cursors. A run's link changes and its new cursors are
/// saved in one transaction, so a run killed before it saves starts again from the old
/// cursors, finds what it had already written by the CRM id the items carry, and links it
/// again instead of writing it twice.
public final class SyncStateStore: Sendable {
    let database: any DatabaseWriter

    /// Opens (creating if needed) `directory`/sync.sqlite.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent("sync.sqlite"), configuration: configuration)
        try pool.requireFullSync()
        try Self.migrator.migrate(pool)
        database = pool
    }

    /// An in-memory store, for tests.
    public init(inMemory: Void = ()) throws {
        let queue = try DatabaseQueue()
        try Self.migrator.migrate(queue)
        database = queue
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: links and cursors") { db in
            try db.execute(sql: """
                CREATE TABLE syncLink (
                    user TEXT NOT NULL, policy TEXT NOT NULL, module TEXT NOT NULL,
                    crmID TEXT NOT NULL, remoteUID TEXT, href TEXT, etag TEXT, remoteHash TEXT, crmVersion TEXT,
                    PRIMARY KEY (user, policy, module, crmID)
                ) WITHOUT ROWID;
                -- One item is linked to one record at most.
                CREATE UNIQUE INDEX syncLink_href ON syncLink(user, policy, module, href) WHERE href IS NOT NULL;
                CREATE TABLE syncCursor (
                    user TEXT NOT NULL, policy TEXT NOT NULL, module TEXT NOT NULL,
                    remoteToken TEXT, crmCursor TEXT, savedAt DATETIME NOT NULL,
                    PRIMARY KEY (user, policy, module)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: change feed, queued changes, run status") { db in
            try db.execute(sql: """
                CREATE INDEX syncLink_crm ON syncLink(module, crmID);
                -- Where each consumer of the CRM change feed stands, per module.
                CREATE TABLE feedCursor (
                    consumer TEXT NOT NULL, module TEXT NOT NULL, cursor TEXT NOT NULL,
                    PRIMARY KEY (consumer, module)
                ) WITHOUT ROWID;
                -- CRM changes read from the feed and not yet synced, per scope they concern.
                CREATE TABLE syncPending (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    user TEXT NOT NULL, policy TEXT NOT NULL, module TEXT NOT NULL, crmID TEXT NOT NULL
                );
                CREATE INDEX syncPending_scope ON syncPending(user, policy, module, seq);
                CREATE TABLE syncStatus (
                    user TEXT NOT NULL, policy TEXT NOT NULL, module TEXT NOT NULL,
                    lastRunAt DATETIME, counts TEXT, lastError TEXT, lastErrorAt DATETIME,
                    PRIMARY KEY (user, policy, module)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    public func links(_ scope: SyncScope) async throws -> [SyncLink] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT crmID, remoteUID, href, etag, remoteHash, crmVersion FROM syncLink
                WHERE user = ? AND policy = ? AND module = ? ORDER BY crmID
                """, arguments: [scope.user, scope.policy, scope.module]).map { row in
                SyncLink(crmID: row["crmID"], remoteUID: row["remoteUID"], href: row["href"], etag: row["etag"],
                         remoteHash: row["remoteHash"], crmVersion: row["crmVersion"])
            }
        }
    }

    /// Where each side is to be read from next (nil, nil before the first run).
    public func cursors(_ scope: SyncScope) async throws -> (remoteToken: String?, crmCursor: String?) {
        try await database.read { db -> (remoteToken: String?, crmCursor: String?) in
            let row = try Row.fetchOne(db, sql: "SELECT remoteToken, crmCursor FROM syncCursor WHERE user = ? AND policy = ? AND module = ?",
                                       arguments: [scope.user, scope.policy, scope.module])
            return (row?["remoteToken"], row?["crmCursor"])
        }
    }

    /// Saves a run's outcome, all or nothing: links, cursors, the queued changes it took in,
    /// and its counts (clearing the last error).
    public func save(_ scope: SyncScope, _ checkpoint: SyncCheckpoint) async throws {
        let counts = String(decoding: try JSONEncoder.sorted.encode(checkpoint.counts), as: UTF8.self)
        try await database.write { db in
            let key: [(any DatabaseValueConvertible)?] = [scope.user, scope.policy, scope.module]
            if let through = checkpoint.pendingThrough {
                try db.execute(sql: "DELETE FROM syncPending WHERE user = ? AND policy = ? AND module = ? AND seq <= ?",
                               arguments: StatementArguments(key + [through]))
            }
            try db.execute(sql: """
                INSERT INTO syncStatus (user, policy, module, lastRunAt, counts, lastError, lastErrorAt) VALUES (?, ?, ?, ?, ?, NULL, NULL)
                ON CONFLICT (user, policy, module) DO UPDATE SET lastRunAt = excluded.lastRunAt, counts = excluded.counts,
                    lastError = NULL, lastErrorAt = NULL
                """, arguments: StatementArguments(key + [Date(), counts]))
            for crmID in checkpoint.removed {
                try db.execute(sql: "DELETE FROM syncLink WHERE user = ? AND policy = ? AND module = ? AND crmID = ?",
                               arguments: StatementArguments(key + [crmID]))
            }
            for link in checkpoint.links {
                try db.execute(sql: """
                    INSERT INTO syncLink (user, policy, module, crmID, remoteUID, href, etag, remoteHash, crmVersion)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user, policy, module, crmID) DO UPDATE SET remoteUID = excluded.remoteUID,
                        href = excluded.href, etag = excluded.etag, remoteHash = excluded.remoteHash, crmVersion = excluded.crmVersion
                    """, arguments: StatementArguments(key + [link.crmID, link.remoteUID, link.href, link.etag, link.remoteHash, link.crmVersion]))
            }
            try db.execute(sql: """
                INSERT INTO syncCursor (user, policy, module, remoteToken, crmCursor, savedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user, policy, module) DO UPDATE SET remoteToken = excluded.remoteToken,
                    crmCursor = excluded.crmCursor, savedAt = excluded.savedAt
                """, arguments: StatementArguments(key + [checkpoint.remoteToken, checkpoint.crmCursor, Date()]))
        }
    }

    /// Forgets a scope: its next run lists both sides in full and links again by CRM id.
    public func reset(_ scope: SyncScope) async throws {
        try await database.write { db in
            for table in ["syncLink", "syncCursor", "syncPending"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user = ? AND policy = ? AND module = ?",
                               arguments: [scope.user, scope.policy, scope.module])
            }
        }
    }
}

// MARK: - The CRM change feed's queue

extension SyncStateStore {
    /// Where `consumer` stands in `module`'s change feed; nil before it first read it.
    public func feedCursor(consumer: String, module: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT cursor FROM feedCursor WHERE consumer = ? AND module = ?", arguments: [consumer, module])
        }
    }

    /// Queues the changes read from the feed for the scopes they concern and moves the
    /// consumer's cursor past them, in one transaction: a change is queued exactly once.
    public func enqueue(consumer: String, module: String, cursor: String, _ entries: [(scope: SyncScope, crmID: String)]) async throws {
        try await database.write { db in
            for (scope, crmID) in entries {
                try db.execute(sql: "INSERT INTO syncPending (user, policy, module, crmID) VALUES (?, ?, ?, ?)",
                               arguments: [scope.user, scope.policy, scope.module, crmID])
            }
            try db.execute(sql: """
                INSERT INTO feedCursor (consumer, module, cursor) VALUES (?, ?, ?)
                ON CONFLICT (consumer, module) DO UPDATE SET cursor = excluded.cursor
                """, arguments: [consumer, module, cursor])
        }
    }

    /// The records with queued changes for a scope, and the queue position they go up to
    /// (for `SyncCheckpoint.pendingThrough`).
    public func pending(_ scope: SyncScope) async throws -> (crmIDs: [String], through: Int64?) {
        try await database.read { db -> (crmIDs: [String], through: Int64?) in
            let rows = try Row.fetchAll(db, sql: "SELECT seq, crmID FROM syncPending WHERE user = ? AND policy = ? AND module = ? ORDER BY seq",
                                        arguments: [scope.user, scope.policy, scope.module])
            var seen = Set<String>()
            let ids = rows.map { $0["crmID"] as String }.filter { seen.insert($0).inserted }
            return (ids, rows.last?["seq"])
        }
    }

    /// The scopes that have a link to the record (a deleted record's users).
    public func scopesLinking(module: String, crmID: String) async throws -> [SyncScope] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT user, policy, module FROM syncLink WHERE module = ? AND crmID = ?", arguments: [module, crmID]).map {
                SyncScope(user: $0["user"], policy: $0["policy"], module: $0["module"])
            }
        }
    }
}

// MARK: - Status

/// What `crmgate status` and `/metrics` show of one scope.
public struct SyncScopeStatus: Hashable, Sendable {
    public var scope: SyncScope
    public var lastRunAt: Date?
    /// What the last successful run did (`created-remote`, `updated-crm`, … → count).
    public var counts: [String: Int]
    public var lastError: String?
    public var lastErrorAt: Date?
    /// Items linked.
    public var linked: Int
    /// CRM changes queued and not yet synced.
    public var backlog: Int
}

extension SyncStateStore {
    /// A run failed: keeps its (secret-free) message until a run succeeds.
    public func recordFailure(_ scope: SyncScope, _ message: String) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO syncStatus (user, policy, module, lastError, lastErrorAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user, policy, module) DO UPDATE SET lastError = excluded.lastError, lastErrorAt = excluded.lastErrorAt
                """, arguments: [scope.user, scope.policy, scope.module, message, Date()])
        }
    }

    /// Every scope that has run, failed, or has links or queued changes.
    public func status() async throws -> [SyncScopeStatus] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                WITH scopes AS (
                    SELECT user, policy, module FROM syncStatus UNION SELECT user, policy, module FROM syncLink
                    UNION SELECT user, policy, module FROM syncPending)
                SELECT s.user, s.policy, s.module, st.lastRunAt, st.counts, st.lastError, st.lastErrorAt,
                    (SELECT COUNT(*) FROM syncLink l WHERE l.user = s.user AND l.policy = s.policy AND l.module = s.module) AS linked,
                    (SELECT COUNT(DISTINCT crmID) FROM syncPending p WHERE p.user = s.user AND p.policy = s.policy AND p.module = s.module) AS backlog
                FROM scopes s LEFT JOIN syncStatus st USING (user, policy, module)
                ORDER BY s.user, s.policy, s.module
                """)
            return try rows.map { row in
                let counts = try (row["counts"] as String?).map { try JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) } ?? [:]
                return SyncScopeStatus(scope: SyncScope(user: row["user"], policy: row["policy"], module: row["module"]),
                                       lastRunAt: row["lastRunAt"], counts: counts, lastError: row["lastError"], lastErrorAt: row["lastErrorAt"],
                                       linked: row["linked"], backlog: row["backlog"])
            }
        }
    }
}

extension JSONEncoder {
    /// Keys sorted: the same counts always encode the same.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
