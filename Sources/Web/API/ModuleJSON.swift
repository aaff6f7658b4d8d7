import CRM

/// Describes a module for API clients (`GET /api/v1/modules`): its names, the closed rule
/// and every field with the JSON type it takes.
///
/// ```json
/// {"key": "opportunities", "singular": "Opportunity", "plural": "Opportunities", "nameField": "name",
///  "numberPrefix": "OPP", "custom": false, "visibility": "owned",
///  "closedRule": {"field": "stage", "pattern": "Closed Won|Closed Lost"},
///  "url": "/api/v1/opportunities",
///  "fields": [{"key": "stage", "label": "Stage", "type": "choice", "required": true,
///              "choices": ["Prospecting", …]}, {"key": "account", "type": "reference", "references": "accounts", …}]}
/// ```
enum ModuleJSON {
    static func render(_ module: ModuleDefinition) -> JSONValue {
        [
            "key": .string(module.key.rawValue),
            "singular": .string(module.singular),
            "plural": .string(module.plural),
            "nameField": .string(module.nameField),
            "numberPrefix": .optional(module.numberPrefix),
            "custom": .bool(module.isCustom),
            "visibility": .string(module.visibility.rawValue),
            "closedRule": module.closedRule.map { rule -> JSONValue in ["field": .string(rule.field), "pattern": .string(rule.pattern)] } ?? .null,
            "url": .string("/api/v1/" + module.key.rawValue),
            "fields": .array(module.fields.map(field)),
        ]
    }

    private static func field(_ field: FieldDefinition) -> JSONValue {
        var object: [String: JSONValue] = [
            "key": .string(field.key),
            "label": .string(field.label),
            "type": .string(typeName(field.type)),
            "required": .bool(field.required),
        ]
        switch field.type {
        case .choice(let choices): object["choices"] = .array(choices.map(JSONValue.string))
        case .reference(let target): object["references"] = .optional(target?.rawValue)
        default: break
        }
        return .object(object)
    }

    /// The type's name on the wire, as in `FieldType`.
    static func typeName(_ type: FieldType) -> String {
        switch type {
        case .text: "text"
        case .longText: "longText"
        case .textList: "textList"
        case .email: "email"
        case .url: "url"
        case .phone: "phone"
        case .number: "number"
        case .money: "money"
        case .percent: "percent"
        case .bool: "bool"
        case .date: "date"
        case .dateTime: "dateTime"
        case .choice: "choice"
        case .reference: "reference"
        }
    }
}
