extension GatewayConfiguration {
    /// `[[module]]`: a custom module of the embedded CRM, beside the built-in ones.
    public struct CustomModule: Sendable, Equatable {
        public static let visibilities = ["owned", "all"]

        /// `key`: the plural key in URLs, the API and policies, e.g. "contracts".
        public var key: String
        /// `singular` and `plural`: the names users see ("Contract", "Contracts").
        public var singular: String
        public var plural: String
        /// `name_field`: the field that names a record.
        public var nameField: String
        /// `number_prefix`: records get numbers like CON-0001; empty for none.
        public var numberPrefix: String
        /// `visibility`: "owned" (users see their own records) or "all".
        public var visibility: String
        /// `closed_field` and `closed_pattern`: a record is closed when the field matches the
        /// pattern (a regular expression, whole value, any case); empty for never.
        public var closedField: String
        public var closedPattern: String
        /// `fields`: the module's fields, in order.
        public var fields: [Field]

        public init(key: String = "", singular: String = "", plural: String = "", nameField: String = "name",
                    numberPrefix: String = "", visibility: String = "owned", closedField: String = "",
                    closedPattern: String = "", fields: [Field] = []) {
            self.key = key; self.singular = singular; self.plural = plural; self.nameField = nameField
            self.numberPrefix = numberPrefix; self.visibility = visibility; self.closedField = closedField
            self.closedPattern = closedPattern; self.fields = fields
        }

        /// One field: `{ key = "status", label = "Status", type = "choice", choices = [...] }`.
        public struct Field: Sendable, Equatable {
            public static let types = ["text", "long_text", "text_list", "email", "url", "phone", "number", "money",
                                       "percent", "bool", "date", "datetime", "choice", "reference"]

            public var key: String
            public var label: String
            public var type: String
            public var required: Bool
            /// For `choice`: the allowed values.
            public var choices: [String]
            /// For `reference`: the module referred to; empty for any module.
            public var module: String

            public init(key: String = "", label: String = "", type: String = "text", required: Bool = false,
                        choices: [String] = [], module: String = "") {
                self.key = key; self.label = label; self.type = type; self.required = required
                self.choices = choices; self.module = module
            }
        }
    }
}

extension GatewayConfiguration.CustomModule: ConfigurationSection {
    static let sectionName = "module"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("key", into: &key, .nonEmpty("the module's plural key, e.g. \"contracts\""))
        table.read("singular", into: &singular, .nonEmpty("the name of one record, e.g. \"Contract\""))
        table.read("plural", into: &plural, .nonEmpty("the name of several records, e.g. \"Contracts\""))
        table.read("name_field", into: &nameField, .nonEmpty("the key of the field that names a record"))
        table.read("number_prefix", into: &numberPrefix, .any)
        table.read("visibility", into: &visibility, .oneOf(noun: "visibility", Self.visibilities))
        table.read("closed_field", into: &closedField, .any)
        table.read("closed_pattern", into: &closedPattern, .any)
        table.read("fields", into: &fields) { Field() }
        for (name, value) in [("key", key), ("singular", singular), ("plural", plural)] where value.isEmpty {
            throw table.error(name, "every [[module]] needs a \(name)")
        }
        guard key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw table.error("key", "\"\(key)\" must be lower-case letters, digits and _ (it appears in URLs)")
        }
        if fields.isEmpty { throw table.error("fields", "a module needs at least one field") }
        if !fields.contains(where: { $0.key == nameField }) {
            throw table.error("name_field", "\"\(nameField)\" is not one of the module's fields")
        }
        if closedField.isEmpty != closedPattern.isEmpty {
            throw table.error(closedField.isEmpty ? "closed_field" : "closed_pattern", "set closed_field and closed_pattern together, or neither")
        }
    }
}

extension GatewayConfiguration.CustomModule.Field: ConfigurationSection {
    static let sectionName = "fields"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("key", into: &key, .nonEmpty("the field's key, e.g. \"status\""))
        table.read("label", into: &label, .nonEmpty("the field's label, e.g. \"Status\""))
        table.read("type", into: &type, .oneOf(noun: "field type", Self.types))
        table.read("required", into: &required)
        table.read("choices", into: &choices, .nonEmpty("a choice"))
        table.read("module", into: &module, .any)
        if key.isEmpty { throw table.error("key", "every field needs a key") }
        if label.isEmpty { label = key }
        if type == "choice" && choices.isEmpty { throw table.error("choices", "a choice field needs its choices") }
    }
}
