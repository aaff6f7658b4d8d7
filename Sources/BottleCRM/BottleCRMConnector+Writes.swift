import CRM
import Foundation

extension BottleCRMConnector {
    public func createRecord(in key: ModuleKey, _ draft: RecordDraft) async throws -> CRMRecord {
        let module = try mapping(key)
        try await prepare()
        var body = try await requestBody(module, draft, creating: true)
        let reference = draft.idempotencyKey.map { "\(key)|\($0)" } ?? "\(key)|\(UUID().uuidString)"
        var custom = body["custom_fields"]?.object ?? [:]
        custom[Self.referenceField] = .string(reference)
        body["custom_fields"] = .object(custom)
        let request = body
        return try await keys.run(reference) {
            if let known = try mirror.entry(key, reference: reference),
               let fresh = try await fetchRecord(module, RecordRef(key, RecordID(known.id))) {
                return fresh
            }
            // An earlier attempt that ended without an answer (a timeout, a 5xx, a crash) may
            // have created it: look it up by its key before sending it again.
            if try !mirror.begin(reference), let found = try await lookUp(module, reference: reference) {
                try mirror.finish(reference)
                return found
            }
            let answer = try await translatingFields(module) { () async throws(CRMError) in try await post(module, request) }
            var id = answer?.json?["id"].string
            if id == nil { id = try await lookUp(module, reference: reference)?.ref.id.rawValue }
            if let id { ownWrites.noteWrite(of: id, answeredAt: answer?.date) }
            guard let id, let json = try await fetch(module, id: id) else {
                throw CRMError(.transient, "BottleCRM said it created the \(module.definition.singular.lowercased()) but does not show it yet; will retry")
            }
            let entry = try entry(module, json)
            try keep(key, entry)
            try mirror.finish(reference)
            // A record made just now has no emails yet: its summary need not ask.
            await activities.store(RecordRef(key, RecordID(id)), limit: Int.max, complete: true, [])
            return record(module, entry)
        }
    }

    public func updateRecord(_ ref: RecordRef, _ draft: RecordDraft) async throws -> CRMRecord {
        let module = try mapping(ref.module)
        try await prepare()
        let body = try await requestBody(module, draft, creating: false)
        let answer = UUID(uuidString: ref.id.rawValue) == nil ? nil : try await translatingFields(module, { () async throws(CRMError) in
            try await client.send(.PATCH, module.path + ref.id.rawValue + "/", body: .object(body))
        })
        ownWrites.noteWrite(of: ref.id.rawValue, answeredAt: answer?.date)
        guard let answer, answer.status != 404, let json = try await fetch(module, id: ref.id.rawValue) else {
            try forget(module.key, id: ref.id.rawValue)
            throw CRMError.notFound(ref)
        }
        let entry = try entry(module, json)
        try keep(module.key, entry)
        return record(module, entry)
    }

    public func deleteRecord(_ ref: RecordRef) async throws {
        let module = try mapping(ref.module)
        let answer = UUID(uuidString: ref.id.rawValue) == nil ? nil : try await client.send(.DELETE, module.path + ref.id.rawValue + "/")
        ownWrites.noteWrite(of: ref.id.rawValue, answeredAt: answer?.date)
        guard let answer, answer.status != 404 else {
            try forget(module.key, id: ref.id.rawValue)
            throw CRMError.notFound(ref)
        }
        try forget(module.key, id: ref.id.rawValue)
    }

    /// Creates; BottleCRM keeps account and opportunity names unique, so a name it already
    /// has gets a number ("Quote request (2)") rather than failing the drop.
    private func post(_ module: ModuleMapping, _ body: [String: JSONValue]) async throws(CRMError) -> BottleCRMClient.Answer? {
        let nameKey = module.mapping(module.definition.nameField)?.apiKey
        var body = body
        let base = nameKey.flatMap { body[$0]?.string }
        for number in 1...Self.maxNameNumber {
            if let nameKey, let base, number > 1 { body[nameKey] = .string("\(base) (\(number))") }
            let answer = try await client.send(.POST, module.path, body: .object(body), refusalIsAnswer: true)
            if answer.status == 400, base != nil, BottleCRMClient.validationMessage(in: answer.json).field == nameKey,
               BottleCRMClient.message(in: answer.json)?.contains("already exists") == true, number < Self.maxNameNumber {
                continue
            }
            try BottleCRMClient.check(answer, method: .POST, path: module.path, refusalIsAnswer: false)
            return answer
        }
        return nil
    }

    static let maxNameNumber = 20

    /// Runs a request, naming crmgate's field instead of BottleCRM's in a refusal.
    private func translatingFields<T>(_ module: ModuleMapping, _ body: () async throws(CRMError) -> T) async throws(CRMError) -> T {
        do {
            return try await body()
        } catch {
            guard let field = error.field else { throw error }
            var translated = error
            if field == "assigned_to" {
                translated.field = "owner"
            } else {
                translated.field = module.fields.first { $0.mapping.apiKey == field }?.key ?? field
            }
            throw translated
        }
    }

    /// The record crmgate created with this key, asked of BottleCRM.
    func lookUp(_ module: ModuleMapping, reference: String) async throws -> CRMRecord? {
        let answer = try await client.get(module.path, query: [("cf_\(Self.referenceField)", reference), ("limit", "5")])
        guard let row = module.rows(in: answer ?? .null).joined().first, let id = row.id,
              let json = try await fetch(module, id: id) else { return nil }
        let entry = try entry(module, json)
        try keep(module.key, entry)
        return record(module, entry)
    }

    /// The JSON body of a create or a PATCH; checks what BottleCRM would take silently or
    /// refuse vaguely (unknown fields, required ones, owners, the types) and names the field.
    private func requestBody(_ module: ModuleMapping, _ draft: RecordDraft, creating: Bool) async throws -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        var custom: [String: JSONValue] = [:]
        for (field, value) in draft.fields.sorted(by: { $0.key < $1.key }) {
            guard let mapping = module.mapping(field), let definition = module.definition.field(field) else {
                throw CRMError(.permanent, "\(module.definition.plural) in BottleCRM have no field \"\(field)\"", field: field)
            }
            if !creating, module.createOnly.contains(field) {
                throw CRMError(.permanent, "BottleCRM sets the \(definition.label.lowercased()) of a \(module.definition.singular.lowercased()) only when it is created", field: field)
            }
            if definition.required, value == nil || value?.text?.trimmingCharacters(in: .whitespaces).isEmpty == true {
                throw CRMError(.permanent, "\(definition.label) is required", field: field)
            }
            try mapping.write(value, field: field, into: &body, custom: &custom)
        }
        if creating {
            for definition in module.definition.fields where definition.required && draft.fields[definition.key] == nil {
                throw CRMError(.permanent, "\(definition.label) is required", field: definition.key)
            }
        }
        if let owner = draft.owner {
            guard try await user(id: owner) != nil else {
                throw CRMError(.permanent, "\(owner) is not a user of BottleCRM", field: "owner")
            }
            body["assigned_to"] = .array([.string(owner.rawValue)])
        }
        if !custom.isEmpty { body["custom_fields"] = .object(custom) }
        return body
    }
}
