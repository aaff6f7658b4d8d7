import CRM
import Foundation
import GatewayConfig
import Logging
import MailStore
import ServiceLifecycle
import Sync
import Synchronization

/// Keeps every policy user's CRM folders in step with the CRM, on the sync engine: every
/// account at start, after a reload and every `poll_interval`; in between, a CRM change
/// (at once when the CRM notifies) is read from the change feed and synchronises only the
/// accounts it concerns — its owner now and before, the users who see every record of a
/// visible module — so its cost grows with those users, not with all of them.
public final class CRMFolderService: Service {
    /// The name of this consumer of the CRM change feed.
    public static let feedConsumer = "crm-folders"
    /// The scope module of an account's whole folder tree in the sync state.
    static let scopeModule = "folders"

    let store: LocalStore
    let connector: any CRMConnector
    let state: SyncStateStore
    let logger: Logger
    private let users: CRMUserDirectory
    /// When every account was last synchronised; nil: due now.
    private let lastFull = Mutex<ContinuousClock.Instant?>(nil)
    private let current: Mutex<GatewayConfiguration>
    /// Reasons to synchronise again, coalesced: a CRM change, the poll clock, a reload.
    private let loop = WakeUpLoop()
    /// What each summary showed when its version was last computed, across synchronisations.
    private let versions = SummaryVersions()

    public init(store: LocalStore, connector: any CRMConnector, state: SyncStateStore, configuration: GatewayConfiguration, logger: Logger) {
        self.store = store
        self.connector = connector
        self.state = state
        self.users = CRMUserDirectory(connector: connector)
        self.current = Mutex(configuration)
        self.logger = logger
    }

    var configuration: GatewayConfiguration { current.withLock { $0 } }

    /// Takes a reloaded configuration (policies, CRM name) and synchronises everyone with it.
    public func apply(_ configuration: GatewayConfiguration) {
        current.withLock { $0 = configuration }
        users.reset()
        lastFull.withLock { $0 = nil }
        loop.wake()
    }

    /// Under a stream of CRM changes (a burst of drops creating records) folders catch up
    /// at most once a second: a synchronisation reconciles whole trees, so running one per
    /// change would cost more the more records there are.
    static let pauseBetweenSynchronisations = Duration.seconds(1)

    /// Synchronises at start, on every CRM change notification and every `poll_interval`.
    public func run() async throws {
        await loop.run(every: .seconds(configuration.crm.pollInterval), signals: connector.changeNotifications(),
                       pause: Self.pauseBetweenSynchronisations) {
            await self.round()
        }
    }

    /// One round: the CRM's new changes are queued for the accounts they concern; then
    /// every account is synchronised when a full round is due, else those accounts only.
    /// Returns the accounts synchronised.
    @discardableResult
    public func round() async -> [String] {
        let configuration = self.configuration
        let now = ContinuousClock.now
        let full = lastFull.withLock { last in last.map { now - $0 >= .seconds(configuration.crm.pollInterval) } ?? true }
        let targets: [SyncScope: Target]
        var due: Set<SyncScope>
        do {
            targets = try await self.targets(configuration)
            due = try await queueChanges(for: targets)
        } catch {
            logger.warning("CRM unavailable; CRM folders will catch up", metadata: ["error": "\(error)"])
            return []
        }
        if full {
            lastFull.withLock { $0 = now }
            due = Set(targets.keys)
        }
        var synchronised: [String] = []
        for scope in due.sorted(by: { $0.user < $1.user }) {
            guard let target = targets[scope] else { continue }
            do {
                let taken = try await state.pending(scope)
                let report = try await synchronize(account: target.account, email: target.email)
                try await state.save(scope, SyncCheckpoint(remoteToken: nil, crmCursor: "feed", pendingThrough: taken.through,
                                                           counts: report?.counts ?? [:]))
                synchronised.append(target.email)
            } catch let error as CRMError where error.isTransient {
                logger.warning("CRM unavailable; CRM folders will catch up", metadata: ["user": "\(target.email)", "error": "\(error)"])
                return synchronised
            } catch {
                logger.error("CRM folder synchronisation failed", metadata: ["user": "\(target.email)", "error": "\(error)"])
                try? await state.recordFailure(scope, "\(error)")
            }
        }
        return synchronised
    }

    /// An account with CRM folders: it follows a policy and is an active CRM user.
    struct Target: Sendable {
        var account: UserID
        var email: String
        var user: CRMUser
        var policy: GatewayConfiguration.Policy
    }

    private func targets(_ configuration: GatewayConfiguration) async throws -> [SyncScope: Target] {
        var targets: [SyncScope: Target] = [:]
        for account in try await store.accounts() {
            guard let policy = configuration.policy(for: account.email), let user = try await users.user(account.email), user.active else {
                continue
            }
            targets[SyncScope(user: account.email, policy: policy.name, module: Self.scopeModule)] =
                Target(account: account.id, email: account.email, user: user, policy: policy)
        }
        return targets
    }

    /// Reads the change feeds of the displayed modules and of the modules their summaries
    /// name (accounts, contacts …), and queues each change for the accounts it concerns.
    private func queueChanges(for targets: [SyncScope: Target]) async throws -> Set<SyncScope> {
        let modules = Dictionary(try await connector.modules().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let keys: [ModuleKey] = targets.values.flatMap { $0.policy.displayModules.map { ModuleKey($0) } }
        let displayed = Set(keys.filter { modules[$0] != nil })
        var named = Set<ModuleKey>()
        for module in displayed.compactMap({ modules[$0] }) {
            for field in module.fields { if case .reference(let target?) = field.type { named.insert(target) } }
        }
        named.subtract(displayed)
        let feed = CRMChangeFeed(consumer: Self.feedConsumer, connector: connector, store: state)
        var touched = Set<SyncScope>()
        for module in displayed.union(named).sorted(by: { $0.rawValue < $1.rawValue }) {
            let visibleToAll = modules[module]?.visibility == .all
            touched.formUnion(try await feed.drain(module) { change in
                Self.concerned(by: change, displayed: displayed.contains(module), visibleToAll: visibleToAll, targets)
            })
        }
        return touched
    }

    /// The accounts whose folders a change may alter.
    /// - A displayed record: its owners (now and before); everyone who sees every record of
    ///   the module (scope "visible"); everyone showing the module when it was deleted (who
    ///   showed it is not known any more).
    /// - A record summaries only name (an account, a contact): everyone, when it changed —
    ///   its name may be shown anywhere; nobody when it is new or only got an email.
    static func concerned(by change: RecordChange, displayed: Bool, visibleToAll: Bool, _ targets: [SyncScope: Target]) -> Set<SyncScope> {
        let owners = CRMChangeFeed.owners(of: change)
        let module = change.ref.module.rawValue
        return Set(targets.filter { _, target in
            if displayed {
                guard target.policy.displayModules.contains(module) else { return false }
                return change.record == nil || owners.contains(target.user.id) || (visibleToAll && target.policy.scope == "visible")
            }
            switch change.kind {
            case .created, .activity: return false
            default: return true
            }
        }.keys)
    }

    /// Builds the CRM tree of an account that was just created (a first login through the
    /// upstream server); a failure is logged and left to the next synchronisation.
    public func synchronizeNewAccount(_ account: UserID, email: String) async {
        do {
            try await synchronize(account: account, email: email)
        } catch {
            logger.warning("CRM folders of a new account not built yet; the next synchronisation retries",
                           metadata: ["user": "\(email)", "error": "\(error)"])
        }
    }

    /// Synchronises one account; nil when it follows no policy or has no CRM user.
    @discardableResult
    public func synchronize(account: UserID, email: String) async throws -> FolderSyncReport? {
        let configuration = self.configuration
        guard let policy = configuration.policy(for: email) else { return nil }
        guard let crmUser = try await connector.user(email: email), crmUser.active else {
            logger.debug("no CRM user for account; no CRM folders", metadata: ["user": "\(email)"])
            return nil
        }
        let synchronizer = FolderSynchronizer(store: store, connector: connector, crmName: configuration.crm.name, logger: logger,
                                              versions: versions)
        let report = try await synchronizer.synchronize(account: account, crmUser: crmUser, policy: policy)
        if !report.isEmpty {
            logger.info("CRM folders updated", metadata: [
                "user": "\(email)", "created": "\(report.foldersCreated)", "renamed": "\(report.foldersRenamed)",
                "removed": "\(report.foldersRemoved)", "summaries": "\(report.summariesWritten)",
                "summariesRemoved": "\(report.summariesRemoved)",
            ])
        }
        return report
    }
}
