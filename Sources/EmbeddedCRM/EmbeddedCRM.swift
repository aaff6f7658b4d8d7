import CRM
import DatabaseSupport
import Foundation
import GRDB
import Synchronization

/// crmgate's own CRM: users, records of every module, a change log and archived
/// emails in one SQLite file, and the reference implementation of `CRMConnector`.
///
/// Every write is one transaction committed with `synchronous = FULL` before the call
/// returns; after the commit, subscribers of `changeNotifications()` hear which module
/// changed. All database work runs on GRDB's own queues, never on the caller's thread.
///
/// Sendable: every stored property is immutable and itself `Sendable` (the GRDB writer,
/// the module catalog value, and two types that guard their state with a `Mutex`).
public final class EmbeddedCRM: CRMConnector {
    /// Whether the CRM answers; tests switch it off to exercise retry paths.
    public enum Availability: Sendable {
        case available
        case unavailable
    }

    public let displayName: String
    /// The base of View and Edit links: the embedded web UI's public address.
    public let publicURL: URL

    let writer: any DatabaseWriter
    /// Every write goes through here: concurrent ones share a commit (one WAL sync).
    let commits: GroupCommit
    let catalog: ModuleCatalog
    let notifier = ChangeNotifier()
    private let availability = Mutex<Availability>(.available)

    /// Opens (creating if needed) the CRM database file at `path` and migrates it. Opening
    /// and `close()` block: call them at startup and shutdown, not on an event loop.
    ///
    /// - Parameters:
    ///   - publicURL: where the embedded web UI is reachable; View/Edit links start with it.
    ///   - customModules: modules declared in the configuration, besides the built-ins.
    /// - Throws: `CRMError` (permanent) when a custom module is malformed or the file
    ///   cannot be opened or migrated.
    public init(path: String, publicURL: URL, customModules: [ModuleDefinition] = [],
                displayName: String = "Embedded CRM") throws {
        self.catalog = try ModuleCatalog(custom: customModules)
        self.publicURL = publicURL
        self.displayName = displayName
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            var config = Configuration()
            config.busyMode = .timeout(10)
            let pool = try DatabasePool(path: path, configuration: config)
            try pool.requireFullSync()
            try Schema.migrator.migrate(pool)
            self.writer = pool
            self.commits = GroupCommit(pool)
        } catch {
            throw CRMError(.permanent, "cannot open the embedded CRM database at \(path) (\(error)); check that the directory exists and is writable")
        }
    }

    /// A CRM that lives in memory only, for tests: nothing survives the instance.
    public init(inMemoryWithPublicURL publicURL: URL, customModules: [ModuleDefinition] = [],
                displayName: String = "Embedded CRM") throws {
        self.catalog = try ModuleCatalog(custom: customModules)
        self.publicURL = publicURL
        self.displayName = displayName
        do {
            let queue = try DatabaseQueue()
            try Schema.migrator.migrate(queue)
            self.writer = queue
            self.commits = GroupCommit(queue)
        } catch {
            throw CRMError(.permanent, "cannot create the in-memory embedded CRM database (\(error))")
        }
    }

    /// Checkpoints the write-ahead log and closes the file; the instance is unusable afterwards.
    public func close() throws {
        guard let pool = writer as? DatabasePool else { return }
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        } catch {
            throw CRMError(.transient, "could not close the embedded CRM database cleanly (\(error)); it will recover on the next open")
        }
    }

    /// Simulates an outage: while `.unavailable`, every connector call throws a transient error.
    public func setAvailability(_ newValue: Availability) {
        availability.withLock { $0 = newValue }
    }

    public func modules() async throws -> [ModuleDefinition] {
        try checkAvailable()
        return catalog.all
    }

    public func changeNotifications() -> AsyncStream<ModuleKey>? {
        notifier.subscribe()
    }

    public func viewURL(_ ref: RecordRef) -> URL {
        publicURL.appendingPathComponent(ref.module.rawValue).appendingPathComponent(ref.id.rawValue)
    }

    public func editURL(_ ref: RecordRef) -> URL {
        viewURL(ref).appendingPathComponent("edit")
    }

    // MARK: Plumbing shared by the extensions

    func checkAvailable() throws(CRMError) {
        if availability.withLock({ $0 }) == .unavailable {
            throw CRMError(.transient, "the embedded CRM is unavailable at the moment (switched off for maintenance or a test); the action will be retried")
        }
    }

    /// Runs a read transaction, with errors classified as `CRMError`.
    func read<T: Sendable>(gated: Bool = true, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if gated { try checkAvailable() }
        do {
            return try await writer.read(body)
        } catch {
            throw DatabaseFailure.classify(error)
        }
    }

    /// Runs a write transaction, with errors classified as `CRMError`; after it commits,
    /// subscribers hear about every module in `touched`.
    func write<T: Sendable>(gated: Bool = true, notifying touched: @escaping @Sendable (T) -> [ModuleKey] = { _ in [] },
                            _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if gated { try checkAvailable() }
        let result: T
        do {
            result = try await commits.write(body)
        } catch {
            throw DatabaseFailure.classify(error)
        }
        for module in touched(result) { notifier.publish(module) }
        return result
    }

    func definition(_ key: ModuleKey) throws(CRMError) -> ModuleDefinition {
        guard let module = catalog.definition(key) else { throw CRMError.unknownModule(key) }
        return module
    }
}
