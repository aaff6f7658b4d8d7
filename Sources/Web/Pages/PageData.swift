import CRM
import EmbeddedCRM
import Foundation

/// Reads what pages show from the embedded CRM and turns "not there" into a 404 page.
struct PageData: Sendable {
    let crm: EmbeddedCRM

    /// The module named by a URL segment, or a 404.
    func module(_ key: String) async throws -> ModuleDefinition {
        guard let module = try await crm.modules().first(where: { $0.key.rawValue == key }) else {
            throw PageError.notFound("The CRM has no module \u{201C}\(key)\u{201D}. Pick one from the overview.")
        }
        return module
    }

    /// The live record of `module` with this id, or a 404; also a 404 when it is outside
    /// the user's scope, so that a guessed id tells nothing.
    func record(_ id: String, in module: ModuleDefinition, for identity: Identity) async throws -> CRMRecord {
        let ref = RecordRef(module.key, RecordID(id))
        guard let record = try await ScopedCRM(crm: crm, identity: identity).record(ref, in: module) else {
            throw PageError.notFound("There is no \(module.singular.lowercased()) \(id); it may have been deleted. Find it in the list of \(module.plural.lowercased()).")
        }
        return record
    }

    /// Display names of the records referenced by `records`' reference fields (only those
    /// in `fields` when given: what a page shows), keyed by reference; deleted or unknown
    /// records are left out.
    func referenceNames(in records: [CRMRecord], fields: Set<String>? = nil, for scoped: ScopedCRM) async throws -> [RecordRef: String] {
        let refs = Set(records.flatMap { record in
            record.fields.compactMap { key, value in fields?.contains(key) == false ? nil : value.reference }
        })
        return try await names(of: refs, for: scoped)
    }

    /// Names of the records the user may see; the others read as unknown.
    func names(of refs: Set<RecordRef>, for scoped: ScopedCRM) async throws -> [RecordRef: String] {
        let modules = try await crm.modules()
        var names: [RecordRef: String] = [:]
        for ref in refs {
            guard let module = modules.first(where: { $0.key == ref.module }),
                  let record = try await scoped.record(ref, in: module) else { continue }
            names[ref] = record.name(in: module)
        }
        return names
    }

    /// User names by id, for owner columns and the owner select.
    func users() async throws -> [CRMUser] {
        try await crm.users()
    }
}
