import AsyncHTTPClient
import CRM
import DAV
import DAVCore
import Foundation
import GatewayConfig
import Logging
import Metrics
import NIOSSL
import ServiceLifecycle
import Sync
import Synchronization

/// Keeps every policy user's CRM contacts and leads in step with their address book, and
/// their CRM events and tasks with their calendar and task list.
///
/// The schedule: a CRM change is read from the change feed at once (embedded CRM) or at
/// the poll interval, and runs only the scopes it concerns; every scope also runs every
/// `sync_interval` of its policy, which is how changes in the address book are found
/// (sync-collection makes such a run one request when nothing changed).
public final class SyncBridge: Service {
    /// The name of this consumer of the CRM change feed.
    public static let feedConsumer = "contacts-bridge"
    /// The CRM modules the bridge syncs.
    static let modules: [ModuleKey] = [.contacts, .leads, .events, .tasks]

    let connector: any CRMConnector
    let state: SyncStateStore
    let logger: Logger
    /// The email addresses of the accounts that may be synced (the mail store's accounts).
    let accounts: @Sendable () async throws -> [String]
    private let current: Mutex<GatewayConfiguration>
    private let http: HTTPClient
    private let loop = WakeUpLoop()
    /// Address books and calendars found or made, per account, type and name: discovery runs once.
    private let collections = Mutex<[String: URL]>([:])
    private let users: CRMUserDirectory
    private let nextDue = Mutex<[SyncScope: ContinuousClock.Instant]>([:])

    /// `http` is the caller's to shut down (`makeHTTPClient` makes one for `[dav]`).
    public init(connector: any CRMConnector, state: SyncStateStore, configuration: GatewayConfiguration, http: HTTPClient, logger: Logger,
                accounts: @escaping @Sendable () async throws -> [String]) {
        self.connector = connector
        self.state = state
        self.logger = logger
        self.accounts = accounts
        self.http = http
        users = CRMUserDirectory(connector: connector)
        current = Mutex(configuration)
    }

    /// An HTTP client for `[dav]`: its certificate authorities, its timeout, redirects left
    /// to the DAV client (a PROPFIND must stay a PROPFIND). Shut it down when done.
    public static func makeHTTPClient(_ dav: GatewayConfiguration.DAV) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !dav.caFile.isEmpty { tls.trustRoots = .file(dav.caFile) }
        var settings = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        settings.timeout = .init(connect: .seconds(10), read: .seconds(Int64(dav.timeout)))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    var configuration: GatewayConfiguration { current.withLock { $0 } }

    /// Takes a reloaded configuration; the next round uses it.
    public func apply(_ configuration: GatewayConfiguration) {
        current.withLock { $0 = configuration }
        users.reset()
        collections.withLock { $0 = [:] }
        loop.wake()
    }

    // MARK: - The schedule

    public func run() async throws {
        let interval = Self.tick(configuration)
        await loop.run(every: interval, signals: connector.changeNotifications()) {
            _ = await self.round(only: nil, dryRun: false)
        }
    }

    /// How often the schedule looks for due work: the shortest policy interval, and the
    /// CRM's poll interval for connectors that cannot notify.
    static func tick(_ configuration: GatewayConfiguration) -> Duration {
        let shortest = (configuration.policies.map(\.syncInterval) + [configuration.crm.pollInterval]).min() ?? 60
        return .seconds(max(1, shortest))
    }

    /// One round: queue the CRM's new changes for the scopes they concern (every account's:
    /// the feed's cursor moves for all of them), then run those scopes and every scope whose
    /// interval has passed — or, as `crmgate sync` asks, all scopes of `only` (one account)
    /// or of everyone (`dryRun`).
    public func round(only user: String?, dryRun: Bool, progress: (@Sendable (SyncScope, Int, Int) -> Void)? = nil) async -> [ScopeOutcome] {
        let configuration = self.configuration
        guard configuration.dav != nil else { return [] }
        let targets: [SyncScope: ScopeSettings]
        var due = Set<SyncScope>()
        do {
            targets = try await self.targets(configuration)
            // Queueing changes writes to neither side, so a dry run does it too (and sees them).
            let feed = CRMChangeFeed(consumer: Self.feedConsumer, connector: connector, store: state)
            for module in Self.modules {
                let touched = try await feed.drain(module) { change in try await self.route(change, targets) }
                if !touched.isEmpty {
                    Recorder(label: "crmgate_sync_scopes_touched", dimensions: [("module", module.rawValue)]).record(touched.count)
                    logger.debug("CRM changes queued", metadata: ["module": "\(module)", "scopes": "\(touched.count)"])
                }
                due.formUnion(touched)
            }
        } catch {
            logger.warning("cannot read the CRM for the DAV bridge; trying again later", metadata: ["error": "\(error)"])
            return []
        }
        let now = ContinuousClock.now
        if let user {
            due = Set(targets.keys.filter { $0.user == user.lowercased() })
        } else {
            due.formUnion(nextDue.withLock { next in targets.keys.filter { dryRun || (next[$0] ?? now) <= now } })
        }
        var outcomes: [ScopeOutcome] = []
        for scope in due.sorted(by: { ($0.user, $0.module) < ($1.user, $1.module) }) {
            guard let settings = targets[scope] else { continue }
            var scopeProgress: (@Sendable (Int, Int) -> Void)?
            if let progress { scopeProgress = { done, total in progress(scope, done, total) } }
            let sharing = targets.filter { $0.key.user == scope.user && $0.value.collection.key == settings.collection.key }.map(\.key)
            let outcome = await run(scope, settings, sharing: sharing, dryRun: dryRun, progress: scopeProgress)
            if !dryRun {
                nextDue.withLock { $0[scope] = ContinuousClock.now + .seconds(settings.interval) }
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// The scopes a CRM change concerns: its owners' (now and before), every user who sees
    /// all records of the module, and whoever has the record linked (a deleted record).
    private func route(_ change: RecordChange, _ targets: [SyncScope: ScopeSettings]) async throws -> Set<SyncScope> {
        var concerned = Set<SyncScope>()
        let owners = CRMChangeFeed.owners(of: change)
        for (scope, settings) in targets where scope.module == change.ref.module.rawValue {
            if owners.contains(settings.target.user.id) || settings.target.visible { concerned.insert(scope) }
        }
        for scope in try await state.scopesLinking(module: change.ref.module.rawValue, crmID: change.ref.description) {
            concerned.insert(scope)
        }
        return concerned
    }

    // MARK: - Who syncs what

    /// Where a scope's items live: an address book, or a calendar that takes `component`
    /// (the user's first such calendar when `useDefault`), made with `components` when missing.
    struct Collection: Hashable, Sendable {
        enum Kind: String, Sendable { case addressBook = "address book", calendar }
        var kind: Kind
        var name: String
        var component = ""
        var components: [String] = []
        var useDefault = false

        /// Scopes with the same key share the collection (and start over together when it is made anew).
        var key: String { kind.rawValue + "\u{0}" + name }
    }

    /// One scope's settings: the run's target, its collection and interval, and a calendar's options.
    struct ScopeSettings: Sendable {
        var target: BridgeScope
        var collection: Collection
        var interval: Int
        var calendar = CalendarOptions()
    }

    /// Every (account, policy, module) that syncs: the account follows a policy with the
    /// module on and is a CRM user.
    func targets(_ configuration: GatewayConfiguration) async throws -> [SyncScope: ScopeSettings] {
        let emails = try await accounts()
        let modules = Dictionary(try await connector.modules().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var targets: [SyncScope: ScopeSettings] = [:]
        for email in emails {
            guard let policy = configuration.policy(for: email), let user = try await users.user(email), user.active else { continue }
            let category = policy.category.isEmpty ? configuration.crm.name : policy.category
            for key in Self.modules {
                guard let direction = policy.syncDirection(of: key.rawValue), let module = modules[key] else { continue }
                let calendarItems = key == .events || key == .tasks
                let rules = SyncRules(direction: Self.direction(direction), conflictRule: Self.conflictRule(policy.conflict),
                                      remoteDeletesCRM: policy.davDeletesCRM, recreateDeleted: !calendarItems)
                let scope = SyncScope(user: email, policy: policy.name, module: key.rawValue)
                let ownBook = key == .leads && !policy.leadsAddressBook.isEmpty
                let target = BridgeScope(scope: scope, module: module, user: user, rules: rules, category: category,
                                         visible: policy.syncScope == "visible", firstSince: Self.date(policy.firstSyncSince),
                                         firstMax: policy.firstSyncMax, createsFromDAV: key != .leads || ownBook)
                var settings = ScopeSettings(target: target, collection: Self.collection(of: key, policy, configuration),
                                             interval: policy.syncInterval)
                if calendarItems { settings.calendar = Self.calendarOptions(policy) }
                targets[scope] = settings
            }
        }
        return targets
    }

    /// The address book or calendar a module's items go to under a policy.
    static func collection(of module: ModuleKey, _ policy: GatewayConfiguration.Policy, _ configuration: GatewayConfiguration) -> Collection {
        let crmName = configuration.crm.name
        switch module {
        case .events, .tasks:
            let calendar = policy.calendar.isEmpty ? crmName : policy.calendar
            let taskList = policy.taskList.isEmpty ? calendar : policy.taskList
            let name = module == .events ? calendar : taskList
            let component = module == .events ? "VEVENT" : "VTODO"
            // One collection for both when they share a name (MKCALENDAR with both components).
            let components = calendar == taskList ? ["VEVENT", "VTODO"] : [component]
            return Collection(kind: .calendar, name: name, component: component, components: components, useDefault: policy.defaultCalendar)
        case .leads where !policy.leadsAddressBook.isEmpty:
            return Collection(kind: .addressBook, name: policy.leadsAddressBook)
        default:
            return Collection(kind: .addressBook, name: policy.addressBook.isEmpty ? crmName : policy.addressBook)
        }
    }

    static func calendarOptions(_ policy: GatewayConfiguration.Policy) -> CalendarOptions {
        CalendarOptions(color: policy.calendarColor, pastDays: policy.calendarPastDays, futureDays: policy.calendarFutureDays,
                        requireCategory: policy.calendarRequireCategory, pushCompletion: policy.taskCompletionToDAV,
                        cancelDeleted: policy.crmDeletedEvents == "cancel", skipPrivate: policy.privateItems == "skip",
                        crmRecurrence: policy.crmRecurrence)
    }

    static func direction(_ text: String) -> SyncRules.Direction {
        switch text {
        case "crm-to-dav": .crmToRemote
        case "dav-to-crm": .remoteToCRM
        default: .twoWay
        }
    }

    static func conflictRule(_ text: String) -> SyncRules.ConflictRule {
        switch text {
        case "crm": .crmWins
        case "dav": .remoteWins
        default: .newestWins
        }
    }

    /// `YYYY-MM-DD` (a policy's `first_sync_since`) as midnight UTC.
    static func date(_ text: String) -> Date? {
        CalendarDate(text).map { ICalLocalTime(year: $0.year, month: $0.month, day: $0.day).date(in: ICalTimeZones.utc) }
    }

    // MARK: - Running a scope

    /// How one scope's run ended.
    public struct ScopeOutcome: Sendable {
        public var scope: SyncScope
        public var report: SyncRunReport?
        /// Why it failed, in words without secrets.
        public var error: String?
    }

    /// Runs one scope; `sharing` are the scopes (this one included) whose items live in the
    /// same collection.
    private func run(_ scope: SyncScope, _ settings: ScopeSettings, sharing: [SyncScope], dryRun: Bool,
                     progress: (@Sendable (Int, Int) -> Void)?) async -> ScopeOutcome {
        let started = DispatchTime.now()
        do {
            let transport = try transport(for: scope.user)
            let (url, created) = try await collection(settings.collection, of: scope.user, transport: transport, create: !dryRun)
            if created {
                // A new collection holds none of the items the state links (the user deleted the
                // old one): those scopes start over and copy the CRM into it again.
                for other in sharing { try await state.reset(other) }
            }
            guard let url else {
                var report = SyncRunReport(scope: scope)
                report.actions = ["create the \(settings.collection.kind.rawValue) \"\(settings.collection.name)\""]
                return ScopeOutcome(scope: scope, report: report)
            }
            let progress = progress ?? { [logger] done, total in
                if done % 1000 == 0 {
                    logger.info("first sync in progress", metadata: ["user": "\(scope.user)", "module": "\(scope.module)",
                                                                     "done": "\(done)", "of": "\(total)"])
                }
            }
            let report: SyncRunReport
            switch ModuleKey(scope.module) {
            case .events:
                let kind = EventsKind(scope: settings.target, connector: connector, client: CalDAVClient(transport: transport), calendar: url,
                                      options: settings.calendar)
                report = try await run(kind, settings.calendar.fingerprint, url, dryRun: dryRun, progress: progress)
            case .tasks:
                let kind = TasksKind(scope: settings.target, client: CalDAVClient(transport: transport), calendar: url, options: settings.calendar)
                report = try await run(kind, settings.calendar.fingerprint, url, dryRun: dryRun, progress: progress)
            default:
                let kind = ContactsKind(scope: settings.target, connector: connector, client: CardDAVClient(transport: transport), book: url)
                report = try await run(kind, [], url, dryRun: dryRun, progress: progress)
            }
            if !dryRun { await record(report, since: started) }
            return ScopeOutcome(scope: scope, report: report)
        } catch {
            if case DAVError.status(404, _, _, _) = error {
                collections.withLock { $0[Self.collectionKey(scope.user, settings.collection)] = nil }
            }
            let message = "\(error)"
            logger.error("sync failed", metadata: ["user": "\(scope.user)", "module": "\(scope.module)", "error": "\(message)"])
            Counter(label: "crmgate_sync_failures_total", dimensions: [("user", scope.user), ("module", scope.module)]).increment()
            if !dryRun { try? await state.recordFailure(scope, message) }
            return ScopeOutcome(scope: scope, error: message)
        }
    }

    private func run<Kind: BridgeKind>(_ kind: Kind, _ settings: [String], _ collection: URL, dryRun: Bool,
                                       progress: @escaping @Sendable (Int, Int) -> Void) async throws -> SyncRunReport {
        let run = BridgeSyncRun(kind: kind, settings: settings, connector: connector, state: state, collection: collection, logger: logger,
                                dryRun: dryRun)
        run.progress = progress
        return try await run.run()
    }

    /// A run's figures for `/metrics`, per user and module: items by action, the time of the
    /// last successful run, the CRM changes still queued.
    private func record(_ report: SyncRunReport, since started: DispatchTime) async {
        let scope = report.scope
        let who = [("user", scope.user), ("module", scope.module)]
        for (action, count) in report.counts {
            Counter(label: "crmgate_sync_items_total", dimensions: who + [("action", action)]).increment(by: count)
        }
        Timer(label: "crmgate_sync_run_duration", dimensions: [("module", scope.module)]).recordInterval(since: started)
        Gauge(label: "crmgate_sync_last_success_timestamp_seconds", dimensions: who).record(Date().timeIntervalSince1970)
        if let backlog = try? await state.pending(scope).crmIDs.count {
            Gauge(label: "crmgate_sync_backlog", dimensions: who).record(backlog)
        }
        if report.total > 0 {
            logger.info("synced", metadata: ["user": "\(scope.user)", "module": "\(scope.module)",
                                                      "counts": "\(report.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"])
        }
    }

    /// The DAV connection of an account, its password read from its file now.
    func transport(for email: String) throws -> DAVTransport {
        guard let dav = configuration.dav else { throw BridgeError("[dav] is not configured") }
        let endpoint = dav.endpoint(for: email)
        guard let url = URL(string: endpoint.url), url.scheme != nil else {
            throw BridgeError("the DAV URL for \(email) is not a URL; check [dav] url")
        }
        var password = endpoint.password
        if !endpoint.passwordFile.isEmpty {
            guard let text = try? String(contentsOfFile: endpoint.passwordFile, encoding: .utf8) else {
                throw BridgeError("cannot read the DAV password file \(endpoint.passwordFile) for \(email)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        let account = DAVAccount(url: url, username: endpoint.username, password: password)
        return DAVTransport(account: account, http: http, timeout: .seconds(Int64(dav.timeout)))
    }

    /// The account's address book or calendar, found by discovery or created (nil when
    /// missing and `create` is off), and whether it was created now.
    private func collection(_ wanted: Collection, of email: String, transport: DAVTransport,
                            create: Bool) async throws -> (url: URL?, created: Bool) {
        let key = Self.collectionKey(email, wanted)
        if let known = collections.withLock({ $0[key] }) { return (known, false) }
        let made: URL
        switch wanted.kind {
        case .addressBook:
            let client = CardDAVClient(transport: transport)
            let home = try await client.addressBookHome()
            if let found = try await client.addressBooks(in: home).first(where: { $0.displayName == wanted.name })?.url {
                collections.withLock { $0[key] = found }
                return (found, false)
            }
            guard create else { return (nil, false) }
            made = try await client.createAddressBook(named: wanted.name, in: home).url
        case .calendar:
            let client = CalDAVClient(transport: transport)
            let home = try await client.calendarHome()
            let calendars = try await client.calendars(in: home)
            let found = wanted.useDefault
                ? calendars.sorted { $0.url.absoluteString < $1.url.absoluteString }.first { $0.accepts(wanted.component) }
                : calendars.first { $0.displayName == wanted.name }
            if let found {
                guard found.accepts(wanted.component) else {
                    throw BridgeError("the calendar \"\(found.displayName ?? wanted.name)\" of \(email) does not take \(wanted.component == "VTODO" ? "tasks" : "events") (\(wanted.component)); name another with calendar or task_list in the policy")
                }
                collections.withLock { $0[key] = found.url }
                return (found.url, false)
            }
            guard create else { return (nil, false) }
            made = try await client.createCalendar(named: wanted.name, components: wanted.components, in: home).url
        }
        logger.notice("\(wanted.kind.rawValue) created", metadata: ["user": "\(email)", "name": "\(wanted.name)"])
        collections.withLock { $0[key] = made }
        return (made, true)
    }

    /// Discovery's cache key: the component too, so each module checks that the collection takes its items.
    private static func collectionKey(_ email: String, _ collection: Collection) -> String {
        email.lowercased() + "\u{0}" + collection.key + "\u{0}" + collection.component
    }
}

/// A bridge failure an administrator can act on.
struct BridgeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
