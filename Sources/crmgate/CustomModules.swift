import CRM
import GatewayConfig

extension ModuleDefinition {
    /// A custom module as the configuration declares it.
    init(configured module: GatewayConfiguration.CustomModule) throws {
        var closedRule: ClosedRule?
        if !module.closedField.isEmpty {
            do {
                closedRule = try ClosedRule(field: module.closedField, pattern: module.closedPattern)
            } catch {
                throw StartupError("module \(module.key): \(error)")
            }
        }
        self.init(key: ModuleKey(module.key), singular: module.singular, plural: module.plural, nameField: module.nameField,
                  numberPrefix: module.numberPrefix.isEmpty ? nil : module.numberPrefix,
                  fields: module.fields.map { field in
                      FieldDefinition(field.key, field.label, Self.fieldType(field), required: field.required)
                  },
                  closedRule: closedRule, visibility: module.visibility == "all" ? .all : .owned, isCustom: true)
    }

    private static func fieldType(_ field: GatewayConfiguration.CustomModule.Field) -> FieldType {
        switch field.type {
        case "long_text": .longText
        case "text_list": .textList
        case "email": .email
        case "url": .url
        case "phone": .phone
        case "number": .number
        case "money": .money
        case "percent": .percent
        case "bool": .bool
        case "date": .date
        case "datetime": .dateTime
        case "choice": .choice(field.choices)
        case "reference": .reference(field.module.isEmpty ? nil : ModuleKey(field.module))
        default: .text
        }
    }
}
