import CRM
import EmbeddedCRM

/// The embedded CRM as one signed-in user may reach it: what their `RecordAccess` leaves
/// out is absent, exactly as if it did not exist (a guessed id reads as unknown).
struct ScopedCRM: Sendable {
    let crm: EmbeddedCRM
    let identity: Identity

    /// The live record, or nil when there is none or it is outside the user's scope.
    func record(_ ref: RecordRef, in module: ModuleDefinition) async throws -> CRMRecord? {
        guard let record = try await crm.record(ref), identity.canSee(record, in: module) else { return nil }
        return record
    }

    /// Refuses a draft that makes a record refer to one outside the user's scope, in the
    /// CRM's words for a record that does not exist: saving must not tell a guessed id that
    /// exists from one that does not. A reference the record already has may stay.
    func checkReferences(of draft: RecordDraft, in module: ModuleDefinition, current: CRMRecord?) async throws {
        guard !identity.access.isAdministrator else { return }
        let modules = try await crm.modules()
        for (key, value) in draft.fields {
            // A reference of the wrong kind is the CRM's to refuse, in its own words.
            guard let ref = value?.reference, current?.fields[key]?.reference != ref, let field = module.field(key),
                  case .reference(let kind) = field.type, kind == nil || kind == ref.module,
                  let target = modules.first(where: { $0.key == ref.module }) else { continue }
            if try await record(ref, in: target) == nil {
                throw CRMError.missingReference(ref, field: field, singular: target.singular)
            }
        }
    }

    /// `query` narrowed to the user's scope; nil when it asks for another owner's records
    /// that the scope hides, so that nothing can match.
    func query(_ query: RecordQuery, in module: ModuleDefinition) -> RecordQuery? {
        guard let owner = identity.requiredOwner(in: module) else { return query }
        if let asked = query.owner, asked != owner { return nil }
        var narrowed = query
        narrowed.owner = owner
        return narrowed
    }

    /// A page of the module's records the user may see, and how many match in all.
    func records(in module: ModuleDefinition, matching query: RecordQuery) async throws -> (records: [CRMRecord], total: Int) {
        guard let scoped = self.query(query, in: module) else { return ([], 0) }
        let page = try await crm.records(in: module.key, matching: scoped)
        return (page.records, page.total)
    }

    /// A page in `order` (the newest change first when the module has no such column).
    func records(in module: ModuleDefinition, matching query: RecordQuery, order: ListOrder) async throws -> (records: [CRMRecord], total: Int) {
        var sorted = query
        sorted.sort = order.recordSort(in: module) ?? RecordSort()
        return try await records(in: module, matching: sorted)
    }

    /// The records of `records` the user may see.
    func visible(_ records: [CRMRecord]) async throws -> [CRMRecord] {
        if identity.access.isAdministrator { return records }
        let modules = try await crm.modules()
        return records.filter { record in
            modules.first { $0.key == record.ref.module }.map { identity.canSee(record, in: $0) } ?? false
        }
    }

    /// Whether the user may read an archived email: they archived it, it names them, or it
    /// is related to a record or person they may see.
    func canSee(_ email: ArchivedEmailContent) async throws -> Bool {
        if identity.access.isAdministrator || email.owner == identity.crmUser.id { return true }
        let modules = try await crm.modules()
        for ref in email.summary.people + email.summary.records {
            if ref.module == .users {
                if ref.id.rawValue == identity.crmUser.id.rawValue { return true }
                continue
            }
            guard let module = modules.first(where: { $0.key == ref.module }) else { continue }
            if try await record(ref, in: module) != nil { return true }
        }
        return false
    }

    /// The archived emails of `emails` the user may read.
    func visible(_ emails: [ArchivedEmailContent]) async throws -> [ArchivedEmailContent] {
        var shown: [ArchivedEmailContent] = []
        for email in emails where try await canSee(email) { shown.append(email) }
        return shown
    }
}
