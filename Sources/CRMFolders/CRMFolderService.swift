import CRM
import Foundation
import GatewayConfig
import Logging
import MailStore
import ServiceLifecycle
import Sync
import Synchronization

/// Keeps every policy user's CRM folders in step with the CRM: a full synchronisation
/// at start, then again whenever the CRM reports a change (embedded CRM: at once) or,
/// for CRMs that cannot notify, every `poll_interval` seconds.
public final class CRMFolderService: Service {
    let store: LocalStore
    let connector: any CRMConnector
    let logger: Logger
    private let current: Mutex<GatewayConfiguration>
    /// Reasons to synchronise again, coalesced: a CRM change, the poll clock, a reload.
    private let loop = WakeUpLoop()
    /// What each summary showed when its version was last computed, across synchronisations.
    private let versions = SummaryVersions()

    public init(store: LocalStore, connector: any CRMConnector, configuration: GatewayConfiguration, logger: Logger) {
        self.store = store
        self.connector = connector
        self.current = Mutex(configuration)
        self.logger = logger
    }

    var configuration: GatewayConfiguration { current.withLock { $0 } }

    /// Takes a reloaded configuration (policies, CRM name) and synchronises everyone with it.
    public func apply(_ configuration: GatewayConfiguration) {
        current.withLock { $0 = configuration }
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
            await self.synchronizeAll()
        }
    }

    /// Synchronises every account that follows a policy; one account's failure is logged
    /// and does not stop the others.
    public func synchronizeAll() async {
        let accounts: [(id: UserID, email: String)]
        do {
            accounts = try await store.accounts()
        } catch {
            logger.error("cannot list accounts for CRM folders", metadata: ["error": "\(error)"])
            return
        }
        for account in accounts {
            do {
                try await synchronize(account: account.id, email: account.email)
            } catch let error as CRMError where error.isTransient {
                logger.warning("CRM unavailable; CRM folders will catch up", metadata: ["user": "\(account.email)", "error": "\(error)"])
                return
            } catch {
                logger.error("CRM folder synchronisation failed", metadata: ["user": "\(account.email)", "error": "\(error)"])
            }
        }
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
