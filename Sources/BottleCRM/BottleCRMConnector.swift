import AsyncHTTPClient
import CRM
import Crypto
import Foundation
import Logging
import Synchronization

/// The BottleCRM connector: crmgate's CRM folders, drops and DAV bridge on a BottleCRM
/// server (PyPI `django-crm`), over its REST API with one personal access token.
///
/// BottleCRM cannot notify and cannot list what changed, so each module is listed whole
/// (paged) when its copy is older than the poll interval, and `RecordMirror` turns the
/// differences into a change feed. Reads that must be exact (one record) ask BottleCRM;
/// lists, matching and the feed read the copy. A user sees what BottleCRM shows that
/// profile: everything for an admin, else the records they created or are assigned to.
public final class BottleCRMConnector: CRMConnector {
    /// The custom field that carries crmgate's idempotency key on every record it creates.
    static let referenceField = "crmgate_ref"
    /// The custom fields' labels in BottleCRM's UI.
    static let customFieldLabels = [
        referenceField: "crmgate reference", "crmgate_emails": "Other email addresses", "crmgate_domains": "Email domains",
    ]

    public let displayName: String
    public let client: BottleCRMClient
    let mirror: RecordMirror
    let logger: Logger
    let notifier = ChangeNotifier()
    let directory = ProfileDirectory()
    let refreshes = RefreshCoordinator()
    let keys = KeyedSerializer()
    let activities = ActivityCache()
    let ownWrites = OwnWrites()
    private let prepared = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameters:
    ///   - mirrorPath: the file of the copy and its change log (`data/bottlecrm.sqlite`); nil keeps it in memory.
    ///   - http: an HTTP client to share (the caller shuts it down); nil makes one, which
    ///     `shutdown()` ends.
    public init(settings: BottleCRMSettings, mirrorPath: String?, displayName: String = "BottleCRM", http: HTTPClient? = nil,
                logger: Logger = Logger(label: "crmgate.bottlecrm")) throws {
        self.displayName = displayName
        self.client = BottleCRMClient(settings: settings, http: http)
        self.logger = logger
        do {
            mirror = try RecordMirror(path: mirrorPath)
        } catch {
            throw CRMError(.permanent, "cannot open the BottleCRM copy at \(mirrorPath ?? "memory") (\(error)); check that the directory exists and is writable")
        }
    }

    public func shutdown() async throws { try await client.shutdown() }

    var settings: BottleCRMSettings { client.settings }

    public func modules() async throws -> [ModuleDefinition] { ModuleMapping.all.map(\.definition) }

    func mapping(_ key: ModuleKey) throws(CRMError) -> ModuleMapping {
        guard let mapping = ModuleMapping.all.first(where: { $0.key == key }) else { throw .unknownModule(key) }
        return mapping
    }

    /// Learns crmgate's own user and makes sure the custom fields crmgate writes are defined
    /// in BottleCRM (it drops undefined ones silently); once per process, again after a failure.
    func prepare() async throws {
        let task = prepared.withLock { current -> Task<Void, any Error> in
            if let current { return current }
            let task = Task { try await self.defineCustomFields() }
            current = task
            return task
        }
        do {
            try await task.value
        } catch {
            prepared.withLock { $0 = nil }
            throw error
        }
    }

    private func defineCustomFields() async throws {
        ownWrites.setUser(try await client.get("/api/profile/")?["user_obj"]["user_details"]["id"].string)
        var defined = try await definedCustomFields()
        for module in ModuleMapping.all {
            for key in module.customFieldKeys where !defined.contains("\(module.model)/\(key)") {
                var failure: (any Error)?
                do {
                    let answer = try await client.send(.POST, "/api/custom-fields/", body: .object([
                        "target_model": .string(module.model), "key": .string(key),
                        "label": .string(Self.customFieldLabels[key] ?? key), "field_type": .string("text"),
                        "is_filterable": .bool(true),
                    ]))
                    if answer.status == 404 { failure = CRMError(.permanent, "BottleCRM has no custom fields (404 from /api/custom-fields/)") }
                } catch {
                    failure = error
                }
                if let failure {
                    // Another crmgate (or a test beside this one) may have defined it just now:
                    // BottleCRM then answers 400, or 500 when both inserts met in its database.
                    defined = try await definedCustomFields()
                    guard defined.contains("\(module.model)/\(key)") else { throw failure }
                    continue
                }
                logger.notice("defined a custom field in BottleCRM", metadata: ["module": "\(module.model)", "field": "\(key)"])
            }
        }
    }

    /// The custom fields BottleCRM has, as `Model/key`.
    private func definedCustomFields() async throws -> Set<String> {
        let answer = try await client.get("/api/custom-fields/")
        return Set((answer?["definitions"].array ?? []).compactMap { definition -> String? in
            guard let model = definition["target_model"].string, let key = definition["key"].string else { return nil }
            return "\(model)/\(key)"
        })
    }

    // MARK: Users

    public func user(email: String) async throws -> CRMUser? {
        try await directory.profile(email: email, client: client, maxAge: settings.pollInterval)?.user
    }

    public func user(id: CRMUserID) async throws -> CRMUser? {
        try await directory.profile(id: id.rawValue, client: client, maxAge: settings.pollInterval)?.user
    }

    // MARK: Records

    /// From the copy while it is as fresh as a poll would leave it (summaries name accounts
    /// and contacts, so reads are many); else, or when the copy lacks it, from BottleCRM.
    public func record(_ ref: RecordRef) async throws -> CRMRecord? {
        let module = try mapping(ref.module)
        if let listing = try mirror.listing(module.key), Date().timeIntervalSince(listing.at) < pollSeconds,
           let entry = try mirror.entry(module.key, id: ref.id.rawValue) {
            return record(module, entry)
        }
        return try await fetchRecord(module, ref)
    }

    /// One record as BottleCRM has it now, taken into the copy.
    func fetchRecord(_ module: ModuleMapping, _ ref: RecordRef) async throws -> CRMRecord? {
        guard let json = try await fetch(module, id: ref.id.rawValue) else {
            try forget(module.key, id: ref.id.rawValue)
            return nil
        }
        let entry = try entry(module, json)
        try keep(module.key, entry)
        return record(module, entry)
    }

    public func activeRecords(in key: ModuleKey, visibleTo user: CRMUserID) async throws -> [CRMRecord] {
        let module = try mapping(key)
        try await refreshIfStale(module)
        guard let profile = try await directory.profile(id: user.rawValue, client: client, maxAge: settings.pollInterval) else { return [] }
        return try mirror.entries(of: key)
            .filter { !$0.closed && profile.sees($0.json, in: key) }
            .map { record(module, $0) }
            .sorted { $0.createdAt == $1.createdAt ? $0.ref.id.rawValue < $1.ref.id.rawValue : $0.createdAt < $1.createdAt }
    }

    public func findPeople(email: String) async throws -> [PersonMatch] {
        let address = email.lowercased()
        var found: [PersonMatch] = []
        if let user = try await user(email: address) { found.append(.user(user)) }
        for key in [ModuleKey.contacts, .leads] {
            let module = try mapping(key)
            try await refreshIfStale(module)
            for id in try mirror.ids(key, lookingUp: address) {
                guard let entry = try mirror.entry(key, id: id) else { continue }
                let record = record(module, entry)
                found.append(key == .contacts ? .contact(record) : .lead(record))
            }
        }
        return found
    }

    public func findAccounts(domain: String) async throws -> [CRMRecord] {
        let module = try mapping(.accounts)
        try await refreshIfStale(module)
        return try mirror.ids(.accounts, lookingUp: domain.lowercased()).compactMap { id in
            try mirror.entry(.accounts, id: id).map { record(module, $0) }
        }
    }

    // MARK: Links

    public func viewURL(_ ref: RecordRef) -> URL {
        settings.url.appendingPathComponent(ref.module.rawValue).appendingPathComponent(ref.id.rawValue)
    }

    public func editURL(_ ref: RecordRef) -> URL {
        viewURL(ref).appendingPathComponent("edit")
    }

    public func changeNotifications() -> AsyncStream<ModuleKey>? { notifier.subscribe() }

    /// Takes a record as BottleCRM answered it into the copy; a change is told to subscribers.
    func keep(_ module: ModuleKey, _ entry: RecordMirror.Entry) throws {
        if try mirror.upsert(module, entry) { notifier.publish(module) }
    }

    /// Forgets a record BottleCRM no longer has; a change is told to subscribers.
    func forget(_ module: ModuleKey, id: String) throws {
        if try mirror.remove(module, id: id) { notifier.publish(module) }
    }

    // MARK: JSON ↔ records

    /// One record as BottleCRM answers it in a detail GET; nil when it does not exist.
    func fetch(_ module: ModuleMapping, id: String) async throws(CRMError) -> JSONValue? {
        guard UUID(uuidString: id) != nil else { return nil }
        let answer = try await client.send(.GET, module.path + id + "/")
        guard answer.status != 404, let json = answer.json else { return nil }
        return json[module.detailKey] == .null ? json : json[module.detailKey]
    }

    func entry(_ module: ModuleMapping, _ json: JSONValue) throws(CRMError) -> RecordMirror.Entry {
        guard let id = json["id"].string else {
            throw CRMError(.transient, "BottleCRM sent a \(module.definition.singular.lowercased()) without an id")
        }
        let fields = fingerprintFields(module, json)
        let assignees = Self.assignees(json)
        var parts = fields.keys.sorted().map { "\($0)=\(fields[$0]?.displayText ?? "")" }
        parts.append("assigned=\(assignees.joined(separator: ","))")
        parts.append("creator=\(Self.creator(json) ?? "")")
        let fingerprint = SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8)).map { String(format: "%02x", $0) }.joined()
        let record = CRMRecord(ref: RecordRef(module.key, RecordID(id)), owner: assignees.first.map(CRMUserID.init),
                               fields: module.fields(of: json), createdAt: Self.date(json["created_at"]) ?? Date(timeIntervalSince1970: 0),
                               modifiedAt: Date())
        var lookup: [String] = []
        switch module.key {
        case .contacts, .leads: lookup = record.emailAddresses
        case .accounts: lookup = Self.domains(of: record)
        default: break
        }
        return RecordMirror.Entry(id: id, fingerprint: fingerprint, owner: assignees.first,
                                  closed: module.definition.closedRule?.isClosed(record) ?? false, json: json,
                                  lookupKeys: lookup, reference: json["custom_fields"][Self.referenceField].nonEmptyString)
    }

    /// The fields a list row has: all of them, except what slim lists leave out.
    private func fingerprintFields(_ module: ModuleMapping, _ json: JSONValue) -> [String: FieldValue] {
        var fields = module.fields(of: json)
        if module.slimList { fields["description"] = nil }
        return fields
    }

    func record(_ module: ModuleMapping, _ entry: RecordMirror.Entry) -> CRMRecord {
        let json = entry.json
        let created = Self.date(json["created_at"]) ?? Date(timeIntervalSince1970: 0)
        return CRMRecord(ref: RecordRef(module.key, RecordID(entry.id)), owner: entry.owner.map(CRMUserID.init),
                         fields: module.fields(of: json), createdAt: created,
                         modifiedAt: Self.date(json["updated_at"]) ?? Self.date(json["stage_changed_at"]) ?? created)
    }

    /// Profile ids in `assigned_to`, as objects or ids.
    static func assignees(_ json: JSONValue) -> [String] {
        (json["assigned_to"].array ?? []).compactMap(\.id)
    }

    /// The user id of `created_by`, as an object or an id.
    static func creator(_ json: JSONValue) -> String? {
        json["created_by"].id
    }

    /// An account's domains: its own list, else its website's host and its email's domain.
    static func domains(of record: CRMRecord) -> [String] {
        if let list = record.fields["domains"]?.list, !list.isEmpty { return list.map { $0.lowercased() } }
        var found: [String] = []
        if let website = record.fields["website"]?.text {
            let url = URL(string: website.contains("://") ? website : "https://\(website)")
            if var host = url?.host?.lowercased() {
                if host.hasPrefix("www.") { host.removeFirst(4) }
                found.append(host)
            }
        }
        return found
    }

    /// An ISO 8601 time as BottleCRM writes it (`2026-12-06T16:05:58.490308Z`, any number
    /// of fraction digits, `Z` or an offset).
    static func date(_ value: JSONValue?) -> Date? {
        guard let text = value?.nonEmptyString else { return nil }
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            whole = String(text[..<dot]) + String(text[text.index(dot, offsetBy: digits.count + 1)...])
        }
        guard let date = try? Date(whole, strategy: .iso8601) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
