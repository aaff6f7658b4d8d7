import CRM
import Foundation
import GRDB

/// crmgate's copy of the BottleCRM records it shows, and the change log made from it.
///
/// BottleCRM has no change feed and its lists have no modified-since filter, so the
/// connector lists a module now and then and compares each record's fingerprint with the
/// copy kept here: what is new, changed, reassigned, closed or gone becomes an entry of
/// the change log, whose sequence numbers are the feed's cursors. The copy and the log are
/// one SQLite file, so a cursor saved by a reader stays valid across restarts, and changes
/// made while crmgate was down show up at the first listing after it starts. crmgate's
/// own writes enter the copy at once, so its readers see them without waiting for a poll.
final class RecordMirror: Sendable {
    /// One mirrored record: BottleCRM's JSON as it came, and what the comparison needs.
    struct Entry: Sendable {
        var id: String
        var fingerprint: String
        var owner: String?
        var closed: Bool
        var json: JSONValue
        /// What the record is found by: lower-cased email addresses of people, domains of accounts.
        var lookupKeys: [String] = []
        /// crmgate's idempotency key of the record, when it has one.
        var reference: String?
    }

    /// One entry of the change log.
    struct LoggedChange: Sendable {
        var sequence: Int64
        var id: String
        var kind: String
        var previousOwner: String?
    }

    private let queue: DatabaseQueue

    /// Opens (creating) the file at `path`; nil keeps the copy in memory (tests).
    init(path: String?) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        if let path {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } else {
            queue = try DatabaseQueue(configuration: configuration)
        }
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "mirrored") { t in
                t.column("module", .text).notNull()
                t.column("id", .text).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("owner", .text)
                t.column("closed", .boolean).notNull()
                t.column("json", .text).notNull()
                t.column("reference", .text)
                t.primaryKey(["module", "id"])
            }
            try db.create(index: "mirroredByReference", on: "mirrored", columns: ["module", "reference"])
            try db.create(table: "lookup") { t in
                t.column("module", .text).notNull()
                t.column("id", .text).notNull()
                t.column("value", .text).notNull()
            }
            try db.create(index: "lookupByValue", on: "lookup", columns: ["module", "value"])
            try db.create(index: "lookupByRecord", on: "lookup", columns: ["module", "id"])
            // Creates and archives sent to BottleCRM whose outcome is not known yet: a retry
            // looks them up by their key before sending again.
            try db.create(table: "pending") { t in
                t.primaryKey("key", .text)
                t.column("since", .double).notNull()
            }
            // Emails archived by crmgate: the interactions made for each key, and what the
            // archive related them to (BottleCRM keeps one record per interaction).
            try db.create(table: "archived") { t in
                t.primaryKey("key", .text)
                t.column("interactions", .text).notNull()
                t.column("messageID", .text)
                t.column("people", .text).notNull()
                t.column("records", .text).notNull()
            }
            try db.create(table: "changeLog") { t in
                t.autoIncrementedPrimaryKey("sequence")
                t.column("module", .text).notNull()
                t.column("id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("previousOwner", .text)
            }
            try db.create(index: "changeLogByModule", on: "changeLog", columns: ["module", "sequence"])
            // When each module was last brought up to date, last listed whole, and the newest
            // entry of BottleCRM's activity feed seen then.
            try db.create(table: "listed") { t in
                t.primaryKey("module", .text)
                t.column("at", .double).notNull()
                t.column("fullAt", .double).notNull()
                t.column("newestActivity", .text)
            }
        }
        return migrator
    }

    // MARK: Reading

    func entries(of module: ModuleKey) throws -> [Entry] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, fingerprint, owner, closed, json, reference FROM mirrored WHERE module = ?", arguments: [module.rawValue])
                .map(Self.entry)
        }
    }

    func entry(_ module: ModuleKey, id: String) throws -> Entry? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT id, fingerprint, owner, closed, json, reference FROM mirrored WHERE module = ? AND id = ?",
                             arguments: [module.rawValue, id]).map(Self.entry)
        }
    }

    /// Where a module's copy stands.
    struct Listing: Sendable {
        /// Last brought up to date (by a listing or by the activity feed).
        var at: Date
        /// Last listed whole.
        var fullAt: Date
        var newestActivity: String?
    }

    func listing(_ module: ModuleKey) throws -> Listing? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT at, fullAt, newestActivity FROM listed WHERE module = ?", arguments: [module.rawValue]).map {
                Listing(at: Date(timeIntervalSince1970: $0["at"]), fullAt: Date(timeIntervalSince1970: $0["fullAt"]), newestActivity: $0["newestActivity"])
            }
        }
    }

    /// Notes that the module is up to date as of now (listed whole when `full`), with the
    /// newest activity seen before it was read.
    func markUpToDate(_ module: ModuleKey, full: Bool, newestActivity: String?) throws {
        let now = Date().timeIntervalSince1970
        try queue.write { db in
            let fullAt = full ? now : try Double.fetchOne(db, sql: "SELECT fullAt FROM listed WHERE module = ?", arguments: [module.rawValue]) ?? 0
            try db.execute(sql: "INSERT OR REPLACE INTO listed (module, at, fullAt, newestActivity) VALUES (?, ?, ?, ?)",
                           arguments: [module.rawValue, now, fullAt, newestActivity])
        }
    }

    /// Log entries of `module` after `sequence`, oldest first, at most `limit`.
    func changes(of module: ModuleKey, after sequence: Int64, limit: Int) throws -> [LoggedChange] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT sequence, id, kind, previousOwner FROM changeLog
                WHERE module = ? AND sequence > ? ORDER BY sequence LIMIT ?
                """, arguments: [module.rawValue, sequence, limit]).map {
                LoggedChange(sequence: $0["sequence"], id: $0["id"], kind: $0["kind"], previousOwner: $0["previousOwner"])
            }
        }
    }

    /// The newest sequence number of the whole log (0 when empty).
    func lastSequence() throws -> Int64 {
        try queue.read { db in try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM changeLog") ?? 0 }
    }

    // MARK: Writing

    /// The fingerprint of every record of the module in the copy, by id.
    func fingerprints(of module: ModuleKey) throws -> [String: String] {
        try queue.read { db in
            var found: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, fingerprint FROM mirrored WHERE module = ?", arguments: [module.rawValue]) {
                found[row["id"]] = row["fingerprint"]
            }
            return found
        }
    }

    /// Takes a whole listing of `module`: `changed` holds the records whose fingerprint
    /// differs (or that are new), `present` the ids of the others. Logs what differs from the
    /// copy and makes the copy match; records in neither are deleted. Returns how many
    /// changes were logged.
    @discardableResult
    func replace(_ module: ModuleKey, changed: [Entry], present: Set<String>) throws -> Int {
        try queue.write { db in
            var known = Set(try String.fetchAll(db, sql: "SELECT id FROM mirrored WHERE module = ?", arguments: [module.rawValue]))
            var logged = 0
            for entry in changed {
                known.remove(entry.id)
                let old = try Row.fetchOne(db, sql: "SELECT id, fingerprint, owner, closed, json, reference FROM mirrored WHERE module = ? AND id = ?",
                                           arguments: [module.rawValue, entry.id]).map(Self.entry)
                if try Self.apply(entry, over: old, module: module, db) { logged += 1 }
            }
            for id in known.subtracting(present) {
                try Self.remove(id, module: module, db)
                logged += 1
            }
            return logged
        }
    }

    /// Takes one record as BottleCRM answered it (after crmgate wrote it, or a webhook).
    @discardableResult
    func upsert(_ module: ModuleKey, _ entry: Entry) throws -> Bool {
        try queue.write { db in
            let old = try Row.fetchOne(db, sql: "SELECT id, fingerprint, owner, closed, json, reference FROM mirrored WHERE module = ? AND id = ?",
                                       arguments: [module.rawValue, entry.id]).map(Self.entry)
            return try Self.apply(entry, over: old, module: module, db)
        }
    }

    /// Forgets a record BottleCRM no longer has; logs its deletion if it was known.
    @discardableResult
    func remove(_ module: ModuleKey, id: String) throws -> Bool {
        try queue.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM mirrored WHERE module = ? AND id = ?", arguments: [module.rawValue, id]) != nil else {
                return false
            }
            try Self.remove(id, module: module, db)
            return true
        }
    }

    private static func apply(_ entry: Entry, over old: Entry?, module: ModuleKey, _ db: Database) throws -> Bool {
        guard old?.fingerprint != entry.fingerprint else { return false }
        try db.execute(sql: """
            INSERT OR REPLACE INTO mirrored (module, id, fingerprint, owner, closed, json, reference) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [module.rawValue, entry.id, entry.fingerprint, entry.owner, entry.closed,
                             String(decoding: entry.json.canonicalData, as: UTF8.self), entry.reference])
        try db.execute(sql: "DELETE FROM lookup WHERE module = ? AND id = ?", arguments: [module.rawValue, entry.id])
        for value in Set(entry.lookupKeys) {
            try db.execute(sql: "INSERT INTO lookup (module, id, value) VALUES (?, ?, ?)", arguments: [module.rawValue, entry.id, value])
        }
        let kind: String
        var previous: String?
        if let old {
            if old.owner != entry.owner {
                kind = "reassigned"
                previous = old.owner
            } else if entry.closed, !old.closed {
                kind = "closed"
            } else {
                kind = "changed"
            }
        } else {
            kind = "created"
        }
        try db.execute(sql: "INSERT INTO changeLog (module, id, kind, previousOwner) VALUES (?, ?, ?, ?)",
                       arguments: [module.rawValue, entry.id, kind, previous])
        return true
    }

    private static func remove(_ id: String, module: ModuleKey, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM mirrored WHERE module = ? AND id = ?", arguments: [module.rawValue, id])
        try db.execute(sql: "DELETE FROM lookup WHERE module = ? AND id = ?", arguments: [module.rawValue, id])
        try db.execute(sql: "INSERT INTO changeLog (module, id, kind) VALUES (?, ?, 'deleted')", arguments: [module.rawValue, id])
    }

    private static func entry(_ row: Row) -> Entry {
        let text: String = row["json"]
        return Entry(id: row["id"], fingerprint: row["fingerprint"], owner: row["owner"], closed: row["closed"],
                     json: (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null, reference: row["reference"])
    }

    // MARK: Look-ups

    /// Ids of the module's records found by a lower-cased email address or domain.
    func ids(_ module: ModuleKey, lookingUp value: String) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT id FROM lookup WHERE module = ? AND value = ? ORDER BY id",
                                arguments: [module.rawValue, value])
        }
    }

    /// The record crmgate created with this idempotency key, if the copy has it.
    func entry(_ module: ModuleKey, reference: String) throws -> Entry? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT id, fingerprint, owner, closed, json, reference FROM mirrored WHERE module = ? AND reference = ?",
                             arguments: [module.rawValue, reference]).map(Self.entry)
        }
    }

    // MARK: Writes whose outcome may be unknown

    /// Notes, durably, that a write with `key` is about to be sent. False when it was noted
    /// before: an earlier attempt may have written it, so look before sending again.
    func begin(_ key: String) throws -> Bool {
        try queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO pending (key, since) VALUES (?, ?)", arguments: [key, Date().timeIntervalSince1970])
            return db.changesCount == 1
        }
    }

    /// The write with `key` is known to be done (or known not to have happened).
    func finish(_ key: String) throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM pending WHERE key = ?", arguments: [key]) }
    }

    // MARK: Archived emails

    struct Archive: Sendable, Codable {
        var key: String
        var interactions: [String]
        var messageID: String?
        var people: [RecordRef]
        var records: [RecordRef]
    }

    func archive(_ key: String) throws -> Archive? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM archived WHERE key = ?", arguments: [key]).map(Self.archive)
        }
    }

    /// The archives made for these interaction ids, by id.
    func archives(ofInteractions ids: [String]) throws -> [String: Archive] {
        guard !ids.isEmpty else { return [:] }
        return try queue.read { db in
            var found: [String: Archive] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM archived WHERE EXISTS (SELECT 1 FROM json_each(archived.interactions) WHERE value IN (SELECT value FROM json_each(?)))",
                                        arguments: [String(decoding: (try? JSONEncoder().encode(ids)) ?? Data(), as: UTF8.self)]) {
                let archive = Self.archive(row)
                for id in archive.interactions { found[id] = archive }
            }
            return found
        }
    }

    func save(_ archive: Archive) throws {
        let encoder = JSONEncoder()
        try queue.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO archived (key, interactions, messageID, people, records) VALUES (?, ?, ?, ?, ?)",
                           arguments: [archive.key, String(decoding: try encoder.encode(archive.interactions), as: UTF8.self), archive.messageID,
                                       String(decoding: try encoder.encode(archive.people), as: UTF8.self),
                                       String(decoding: try encoder.encode(archive.records), as: UTF8.self)])
            try db.execute(sql: "DELETE FROM pending WHERE key = ?", arguments: [archive.key])
        }
    }

    private static func archive(_ row: Row) -> Archive {
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ column: String, _ type: T.Type) -> T? {
            (row[column] as String?).flatMap { try? decoder.decode(T.self, from: Data($0.utf8)) }
        }
        return Archive(key: row["key"], interactions: decode("interactions", [String].self) ?? [], messageID: row["messageID"],
                       people: decode("people", [RecordRef].self) ?? [], records: decode("records", [RecordRef].self) ?? [])
    }
}
