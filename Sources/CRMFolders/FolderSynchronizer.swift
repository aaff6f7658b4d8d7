import CRM
import Foundation
import GatewayConfig
import Logging
import MailStore
import Sync

/// What one synchronisation of a user changed.
public struct FolderSyncReport: Sendable, Equatable {
    public var foldersCreated = 0
    public var foldersRenamed = 0
    public var foldersRemoved = 0
    public var summariesWritten = 0
    public var summariesRemoved = 0

    public var isEmpty: Bool { self == FolderSyncReport() }

    /// The same, as the sync state keeps a run's counts.
    public var counts: [String: Int] {
        ["folders-created": foldersCreated, "folders-renamed": foldersRenamed, "folders-removed": foldersRemoved,
         "summaries-written": summariesWritten, "summaries-removed": summariesRemoved].filter { $0.value > 0 }
    }
}

/// Makes one user's CRM folders match the CRM: the folder tree of their policy, one
/// summary email per active record in each display folder, one Assign To folder per
/// record. Idempotent: a second run with no CRM change writes nothing.
struct FolderSynchronizer: Sendable {
    let store: LocalStore
    let connector: any CRMConnector
    let crmName: String
    let logger: Logger
    /// Summary versions known from earlier synchronisations (the service keeps one).
    let versions: SummaryVersions

    func synchronize(account: UserID, crmUser: CRMUser, policy: GatewayConfiguration.Policy) async throws -> FolderSyncReport {
        var report = FolderSyncReport()
        let modules = Dictionary(try await connector.modules().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        func resolve(_ keys: [String]) -> [ModuleDefinition] {
            keys.compactMap { key in
                guard let module = modules[ModuleKey(key)] else {
                    logger.debug("policy names a module the CRM does not have", metadata: ["policy": "\(policy.name)", "module": "\(key)"])
                    return nil
                }
                return module
            }
        }
        var shown: [(module: ModuleDefinition, records: [CRMRecord])] = []
        for module in resolve(policy.displayModules) {
            var records = try await connector.activeRecords(in: module.key, visibleTo: crmUser.id)
            if policy.scope == "owned" { records = records.filter { $0.owner == crmUser.id } }
            shown.append((module, records))
        }
        let names = FolderNames(master: policy.masterFolder.isEmpty ? crmName : policy.masterFolder,
                                createEmail: policy.createEmailFolder, createRecord: policy.createRecordFolder,
                                assignTo: policy.assignToFolder, assignToTemplate: policy.assignToTemplate)
        let plan = FolderPlan.plan(names: names, dropModules: resolve(policy.dropModules), displayModules: shown)
        let managed = try await reconcileFolders(plan, account: account, report: &report)
        var lookup = NameLookup(connector: connector, modules: modules)
        let format = DisplayFormat(timeZone: DisplayFormat.timeZone(try await store.timeZone(email: crmUser.email), policy.timeZone))
        for (module, records) in shown {
            guard let display = managed[FolderRole.display(module.key).key] else { continue }
            let options = SummaryOptions(template: policy.summarySubjects[module.key.rawValue].map(SummaryTemplate.init),
                                         display: format, unreadAgain: policy.updatedSummariesUnread)
            try await reconcileSummaries(module: module, records: records, options: options, in: display.mailbox.id,
                                         lookup: &lookup, report: &report)
        }
        return report
    }

    /// Creates, renames and removes managed folders so that they match the plan, and returns
    /// them by role. The folder tree is one more remote side of the sync engine: folders are
    /// linked by role (so a renamed record's Assign To folder keeps its messages), their
    /// name and whether they take messages are the version, and the planner decides.
    private func reconcileFolders(_ plan: [PlannedFolder], account: UserID,
                                  report: inout FolderSyncReport) async throws -> [String: ManagedMailbox] {
        var byRole = try await rolesOfManagedMailboxes(account)
        func version(_ name: String, _ acceptsMessages: Bool) -> String { (acceptsMessages ? "drop:" : "show:") + name }
        let links = byRole.values.map { folder in
            SyncLink(crmID: folder.role, href: folder.mailbox.name, etag: version(folder.mailbox.name, folder.acceptsMessages),
                     crmVersion: version(folder.mailbox.name, folder.acceptsMessages))
        }
        let shown = byRole.values.map { RemoteItem(href: $0.mailbox.name, etag: version($0.mailbox.name, $0.acceptsMessages), crmID: $0.role) }
        let items = plan.map { CRMItem(crmID: $0.role.key, version: version($0.name, $0.role.acceptsMessages)) }
        let actions = SyncPlanner(rules: Self.displayRules).plan(links: links, crm: .full(items), remote: .full(shown)).actions

        // Folders no longer planned go first, deepest first (a closed record's Assign To folder).
        let stale = actions.compactMap { action -> ManagedMailbox? in
            if case .deleteRemote(let role, _, _) = action { byRole[role] } else { nil }
        }
        for folder in stale.sorted(by: { $0.mailbox.name.count > $1.mailbox.name.count }) {
            try await store.removeManagedMailbox(folder.mailbox.id)
            report.foldersRemoved += 1
        }
        if !stale.isEmpty { byRole = try await rolesOfManagedMailboxes(account) }
        var update = Set<String>()
        var create = Set<String>()
        for action in actions {
            switch action {
            case .updateRemote(let role, _, _, _): update.insert(role)
            case .createRemote(let role): create.insert(role)
            default: break
            }
        }
        // In the plan's order, parents before children: a renamed parent moves its children along.
        var missing: [ManagedFolder] = []
        for folder in plan where update.contains(folder.role.key) || create.contains(folder.role.key) {
            let managed = ManagedFolder(name: folder.name, role: folder.role.key, acceptsMessages: folder.role.acceptsMessages,
                                        recordKey: folder.role.recordKey)
            guard let existing = byRole[folder.role.key] else {
                missing.append(managed)
                report.foldersCreated += 1
                continue
            }
            guard existing.mailbox.name != folder.name else {
                // Renamed along with its parent already, or only whether it takes messages changed.
                if existing.acceptsMessages != folder.role.acceptsMessages { missing.append(managed) }
                continue
            }
            do {
                try await store.renameManagedMailbox(of: account, from: existing.mailbox.name, to: folder.name)
                report.foldersRenamed += 1
            } catch MailStoreError.mailboxExists {
                // A user folder has the name we want: keep ours under its old name.
                logger.warning("cannot rename CRM folder: a folder with the new name exists",
                               metadata: ["from": "\(existing.mailbox.name)", "to": "\(folder.name)"])
                continue
            }
            try await store.ensureManagedMailboxes(of: account, [managed])
            // A rename moves the folders below it too: read the names again.
            byRole = try await rolesOfManagedMailboxes(account)
        }
        // New folders (one per new record after a burst of drops) are created a batch per
        // transaction rather than one commit each.
        for start in stride(from: 0, to: missing.count, by: Self.writeBatch) {
            try await store.ensureManagedMailboxes(of: account, Array(missing[start..<min(start + Self.writeBatch, missing.count)]))
        }
        return missing.isEmpty ? byRole : try await rolesOfManagedMailboxes(account)
    }

    /// How many folders or summaries one transaction writes: enough to share commits,
    /// few enough that IMAP writes never wait long behind a synchronisation.
    static let writeBatch = 50

    private func rolesOfManagedMailboxes(_ account: UserID) async throws -> [String: ManagedMailbox] {
        Dictionary(try await store.managedMailboxes(of: account).map { ($0.role, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The display folder as one more remote side of the sync engine: its summaries are the
    /// items (linked by record key, their version as ETag), the module's shown records the
    /// CRM side, and the planner decides per record: a new summary, a replaced one, one
    /// removed. One-way, and without the empty-side guard: the folder is crmgate's own.
    private func reconcileSummaries(module: ModuleDefinition, records: [CRMRecord], options: SummaryOptions, in mailbox: MailboxID,
                                    lookup: inout NameLookup, report: inout FolderSyncReport) async throws {
        var existing: [String: StoredSummary] = [:]
        for summary in try await store.summaries(in: mailbox) {
            if let duplicate = existing[summary.recordKey] {
                try await store.removeSummary(in: mailbox, uid: duplicate.uid)
                report.summariesRemoved += 1
            }
            existing[summary.recordKey] = summary
        }
        let activities = try await connector.archivedEmails(relatedTo: records.map(\.ref), limit: SummaryRenderer.maxActivities)
        var inputs: [String: (record: CRMRecord, input: SummaryInput)] = [:]
        var items: [CRMItem] = []
        for record in records {
            let key = "\(record.ref.module)/\(record.ref.id)"
            let input = try await summaryInput(module: module, record: record, options: options, activities: activities[record.ref] ?? [],
                                               lookup: &lookup)
            inputs[key] = (record, input)
            // A record without a summary gets one whatever it shows, so its version is learnt
            // when that is rendered, not by rendering it twice.
            items.append(CRMItem(crmID: key, version: existing[key] == nil ? "" : versions.version(of: input, key: key)))
        }
        let links = existing.values.map { SyncLink(crmID: $0.recordKey, href: String($0.uid), etag: $0.version, crmVersion: $0.version) }
        let shown = existing.values.map { RemoteItem(href: String($0.uid), etag: $0.version, crmID: $0.recordKey) }
        let plan = SyncPlanner(rules: Self.displayRules).plan(links: links, crm: .full(items), remote: .full(shown))

        var changed: [NewSummary] = []
        for action in plan.actions {
            switch action {
            case .createRemote(let key), .updateRemote(let key, _, _, _):
                guard let (record, input) = inputs[key] else { continue }
                let rendered = SummaryRenderer.render(input)
                versions.remember(input.shown, version: rendered.version, key: key)
                changed.append(NewSummary(recordKey: key, version: rendered.version, raw: rendered.raw, date: record.modifiedAt,
                                          replacing: existing[key], unreadAgain: options.unreadAgain))
                if changed.count == Self.writeBatch {
                    try await store.replaceSummaries(in: mailbox, changed)
                    report.summariesWritten += changed.count
                    changed.removeAll()
                }
            case .deleteRemote(let key, _, _):
                guard let gone = existing[key] else { continue }
                try await store.removeSummary(in: mailbox, uid: gone.uid)
                report.summariesRemoved += 1
            default:
                logger.warning("unexpected plan for a display folder", metadata: ["action": "\(action)"])
            }
        }
        try await store.replaceSummaries(in: mailbox, changed)
        report.summariesWritten += changed.count
    }

    /// Display folders follow the CRM one way; what leaves the CRM leaves the folder at once.
    static let displayRules = SyncRules(direction: .crmToRemote, conflictRule: .crmWins, guardMinimum: .max)

    private func summaryInput(module: ModuleDefinition, record: CRMRecord, options: SummaryOptions, activities: [ArchivedEmail],
                              lookup: inout NameLookup) async throws -> SummaryInput {
        var references: [RecordRef: String] = [:]
        var contacts: [(name: String, email: String?)] = []
        for field in module.fields {
            guard case .reference(let ref)? = record.fields[field.key], let target = try await lookup.record(ref) else { continue }
            references[ref] = target.name
            if ref.module == .contacts { contacts.append((target.name, target.record.emailAddresses.first)) }
        }
        let owner = try await record.owner.asyncMap { try await lookup.userName($0) } ?? nil
        return SummaryInput(crmName: crmName, module: module, record: record, template: options.template, ownerName: owner,
                            referenceNames: references, contacts: contacts, activities: activities,
                            viewURL: connector.viewURL(record.ref), editURL: connector.editURL(record.ref), display: options.display)
    }
}

/// How one user's summaries of one module read and arrive, from their policy and account.
struct SummaryOptions {
    var template: SummaryTemplate?
    /// Times in the account's zone (else the policy's, else the server's).
    var display: DisplayFormat
    /// `updated_summaries_unread`.
    var unreadAgain: Bool
}

/// Names of referenced records and users, each looked up once per synchronisation.
struct NameLookup {
    let connector: any CRMConnector
    let modules: [ModuleKey: ModuleDefinition]
    private var records: [RecordRef: (record: CRMRecord, name: String)?] = [:]
    private var users: [CRMUserID: String?] = [:]

    init(connector: any CRMConnector, modules: [ModuleKey: ModuleDefinition]) {
        self.connector = connector
        self.modules = modules
    }

    mutating func record(_ ref: RecordRef) async throws -> (record: CRMRecord, name: String)? {
        if let cached = records[ref] { return cached }
        var found: (CRMRecord, String)?
        if let record = try await connector.record(ref), let module = modules[ref.module] {
            found = (record, record.name(in: module))
        }
        records[ref] = found
        return found
    }

    mutating func userName(_ id: CRMUserID) async throws -> String? {
        if let cached = users[id] { return cached }
        let name = try await connector.user(id: id)?.name
        users[id] = name
        return name
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
