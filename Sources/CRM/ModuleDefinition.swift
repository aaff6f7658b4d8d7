import Foundation

/// The kind of value a field holds; the web UI and JSON API validate against it.
public enum FieldType: Hashable, Sendable {
    case text
    case longText
    /// Several values, e.g. an account's domains or a contact's email addresses.
    case textList
    case email
    case url
    case phone
    case number
    /// An amount; its currency is the record's `currency` field.
    case money
    case percent
    case bool
    case date
    case dateTime
    /// One of a fixed list of values.
    case choice([String])
    /// A record of one module, or of any module when nil.
    case reference(ModuleKey?)
}

extension FieldType {
    /// The same type, choices aside: a CRM offers its own values for a choice field.
    public func isSameKind(as other: FieldType) -> Bool {
        switch (self, other) {
        case (.choice, .choice): true
        default: self == other
        }
    }
}

/// One field of a module.
public struct FieldDefinition: Hashable, Sendable {
    public var key: String
    public var label: String
    public var type: FieldType
    public var required: Bool

    public init(_ key: String, _ label: String, _ type: FieldType, required: Bool = false) {
        self.key = key; self.label = label; self.type = type; self.required = required
    }
}

/// Which records of a module a user sees: the ones they own, or all.
public enum Visibility: String, Hashable, Sendable, Codable {
    case owned
    case all
}

/// When a record counts as closed: the field's text matches the pattern completely,
/// ignoring case (e.g. opportunities: `stage` matches `Closed Won|Closed Lost`).
/// Closed records have no summary and no Assign To folder.
public struct ClosedRule: Hashable, Sendable {
    public var field: String
    public var pattern: String

    public init(field: String, pattern: String) throws(CRMError) {
        do {
            _ = try Regex(pattern)
        } catch {
            throw CRMError(.permanent, "the closed rule pattern \"\(pattern)\" for field \(field) is not a valid regular expression")
        }
        self.field = field
        self.pattern = pattern
    }

    /// For built-in rules whose patterns are known to compile.
    init(builtIn field: String, _ pattern: String) {
        self.field = field
        self.pattern = pattern
    }

    public func isClosed(_ record: CRMRecord) -> Bool {
        guard let value = record.fields[field]?.displayText else { return false }
        return PatternCache.wholeMatch(pattern, value)
    }
}

/// A module of the CRM: its names, fields, numbering, closed rule and visibility.
/// Built-in modules are defined here; custom modules come from the configuration.
public struct ModuleDefinition: Hashable, Sendable {
    public var key: ModuleKey
    public var singular: String
    public var plural: String
    /// The field that names a record in lists and folder names (`name`, `subject`, …).
    public var nameField: String
    /// Prefix of the auto number (`OPP` gives `OPP-0042`); nil for modules without numbers.
    public var numberPrefix: String?
    public var fields: [FieldDefinition]
    public var closedRule: ClosedRule?
    public var visibility: Visibility
    public var isCustom: Bool

    public init(key: ModuleKey, singular: String, plural: String, nameField: String, numberPrefix: String? = nil,
                fields: [FieldDefinition], closedRule: ClosedRule? = nil, visibility: Visibility = .owned, isCustom: Bool = false) {
        self.key = key; self.singular = singular; self.plural = plural; self.nameField = nameField
        self.numberPrefix = numberPrefix; self.fields = fields; self.closedRule = closedRule
        self.visibility = visibility; self.isCustom = isCustom
    }

    public func field(_ key: String) -> FieldDefinition? { fields.first { $0.key == key } }
}
