import CRM
import EmbeddedCRM
import Foundation

/// Renders records as the API's JSON:
///
/// ```json
/// {"id": "12", "module": "opportunities", "number": "OPP-0012",
///  "owner": {"id": "1", "name": "Alice Martin", "email": "alice@example.com"},
///  "createdAt": "2026-03-01T09:30:00Z", "modifiedAt": "2026-03-02T10:00:00.250Z", "closed": false,
///  "viewUrl": "https://crm.example.com/opportunities/12", "editUrl": "https://crm.example.com/opportunities/12/edit",
///  "fields": {"name": "Renewal", "amount": 12000.5, "closeDate": "2026-04-30", "account": "7", …}}
/// ```
///
/// Every field of the module appears in `fields`, `null` when it has no value.
struct RecordJSON {
    let module: ModuleDefinition
    /// Owners by id, fetched once per request.
    let users: [CRMUserID: CRMUser]
    let crm: EmbeddedCRM

    func render(_ record: CRMRecord) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for definition in module.fields {
            fields[definition.key] = record.fields[definition.key].map { Self.render($0, as: definition.type) } ?? .null
        }
        // Values of fields a custom module no longer declares still belong to the record.
        for (key, value) in record.fields where !fields.keys.contains(key) {
            fields[key] = Self.render(value, as: nil)
        }
        return [
            "id": .string(record.ref.id.rawValue),
            "module": .string(module.key.rawValue),
            "number": .optional(record.number),
            "owner": record.owner.map(owner) ?? .null,
            "createdAt": .string(APIDates.format(record.createdAt)),
            "modifiedAt": .string(APIDates.format(record.modifiedAt)),
            "closed": .bool(module.closedRule?.isClosed(record) ?? false),
            "viewUrl": .string(crm.viewURL(record.ref).absoluteString),
            "editUrl": .string(crm.editURL(record.ref).absoluteString),
            "fields": .object(fields),
        ]
    }

    private func owner(_ id: CRMUserID) -> JSONValue {
        guard let user = users[id] else { return ["id": .string(id.rawValue), "name": .null, "email": .null] }
        return Self.user(user)
    }

    static func user(_ user: CRMUser) -> JSONValue {
        ["id": .string(user.id.rawValue), "name": .string(user.name), "email": .string(user.email)]
    }

    /// A field value typed by its definition: a reference to a fixed module is the bare id,
    /// a reference to any module is `{"module", "id"}`.
    static func render(_ value: FieldValue, as type: FieldType?) -> JSONValue {
        switch value {
        case .text(let text): .string(text)
        case .list(let list): .array(list.map(JSONValue.string))
        case .number(let number): .number(number)
        case .bool(let bool): .bool(bool)
        case .date(let date): .string(date.description)
        case .dateTime(let date): .string(APIDates.format(date))
        case .reference(let ref):
            if case .reference(let target?)? = type, target == ref.module {
                .string(ref.id.rawValue)
            } else {
                ["module": .string(ref.module.rawValue), "id": .string(ref.id.rawValue)]
            }
        }
    }
}
