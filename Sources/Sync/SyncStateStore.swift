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

    public init(links: [SyncLink] = [], removed: [String] = [], remoteToken: String?, crmCursor: String?) {
        self.links = links
        self.removed = removed
        self.remoteToken = remoteToken
        self.crmCursor = crmCursor
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

    /// Saves a run's outcome, all or nothing.
    public func save(_ scope: SyncScope, _ checkpoint: SyncCheckpoint) async throws {
        try await database.write { db in
            let key: [(any DatabaseValueConvertible)?] = [scope.user, scope.policy, scope.module]
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
            for table in ["syncLink", "syncCursor"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user = ? AND policy = ? AND module = ?",
                               arguments: [scope.user, scope.policy, scope.module])
            }
        }
    }
}
