import Foundation

/// Everything crmgate needs from a CRM, and nothing specific to one CRM.
///
/// The embedded CRM is the reference implementation; every connector passes the same
/// contract suite (module `CRMContract`, `ConnectorContract.checks`). Every method throws `CRMError`
/// (transient or permanent) for failures of the CRM.
public protocol CRMConnector: Sendable {
    /// The CRM's name as users know it; the default name of the master folder.
    var displayName: String { get }

    /// The modules this CRM offers, built-in and custom.
    func modules() async throws -> [ModuleDefinition]

    // MARK: Users and people

    /// The CRM user with this email address (case-insensitive), if any.
    func user(email: String) async throws -> CRMUser?
    func user(id: CRMUserID) async throws -> CRMUser?

    /// Users, contacts and leads with this email address (case-insensitive).
    func findPeople(email: String) async throws -> [PersonMatch]

    /// Accounts whose domains include `domain` (case-insensitive, exact match).
    func findAccounts(domain: String) async throws -> [CRMRecord]

    // MARK: Records

    /// Records of a module the user may see (its visibility rule) that are not closed.
    func activeRecords(in module: ModuleKey, visibleTo user: CRMUserID) async throws -> [CRMRecord]

    /// One record, or nil when it does not exist.
    func record(_ ref: RecordRef) async throws -> CRMRecord?

    /// Creates a record; validation failures are permanent errors naming the field. With an
    /// `idempotencyKey`, a second create with the same key returns the first record.
    func createRecord(in module: ModuleKey, _ draft: RecordDraft) async throws -> CRMRecord

    /// Changes the given fields (nil clears one) and, if set, the owner.
    func updateRecord(_ ref: RecordRef, _ draft: RecordDraft) async throws -> CRMRecord

    func deleteRecord(_ ref: RecordRef) async throws

    /// Changes of a module after `cursor` (from the beginning when nil), oldest first.
    func changes(in module: ModuleKey, since cursor: ChangeCursor?, limit: Int) async throws -> ChangeBatch

    /// A stream that yields a module key whenever that module changed, for connectors
    /// that can push (the embedded CRM); nil for connectors that must be polled.
    func changeNotifications() -> AsyncStream<ModuleKey>?

    // MARK: Email

    /// Archives an email with its relations. Idempotent by `email.key`: a second call
    /// returns the existing activity with `created == false`.
    func archiveEmail(_ email: EmailArchive) async throws -> ArchivedEmail

    /// The activities archived to a record (or a person), newest first; at most `limit`
    /// when given (a summary shows the latest few).
    func archivedEmails(relatedTo ref: RecordRef, limit: Int?) async throws -> [ArchivedEmail]

    /// The latest `limit` activities of each record, as `archivedEmails(relatedTo:limit:)`
    /// gives them; every ref is a key. The folder sync asks for all records it shows at
    /// once, so a connector can answer in one request (the default asks record by record).
    func archivedEmails(relatedTo refs: [RecordRef], limit: Int) async throws -> [RecordRef: [ArchivedEmail]]

    // MARK: Links

    /// The record's page in the CRM's own web UI, read-only and in edit mode.
    func viewURL(_ ref: RecordRef) -> URL
    func editURL(_ ref: RecordRef) -> URL
}

extension CRMConnector {
    /// Every activity archived to a record (or a person), newest first.
    public func archivedEmails(relatedTo ref: RecordRef) async throws -> [ArchivedEmail] {
        try await archivedEmails(relatedTo: ref, limit: nil)
    }

    public func archivedEmails(relatedTo refs: [RecordRef], limit: Int) async throws -> [RecordRef: [ArchivedEmail]] {
        var found: [RecordRef: [ArchivedEmail]] = [:]
        for ref in refs where found[ref] == nil {
            found[ref] = try await archivedEmails(relatedTo: ref, limit: limit)
        }
        return found
    }
}
