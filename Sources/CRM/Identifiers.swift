/// A CRM user's id as the connector knows it (e.g. an embedded row id or a Salesforce 005… id).
public struct CRMUserID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// A record's id within its module, as the connector knows it.
public struct RecordID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// Names a module: the plural, lower-case key used in config, URLs and the JSON API
/// (`opportunities`, `cases`, `contacts`, or a custom module's key).
public struct ModuleKey: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let users: ModuleKey = "users"
    public static let accounts: ModuleKey = "accounts"
    public static let contacts: ModuleKey = "contacts"
    public static let leads: ModuleKey = "leads"
    public static let opportunities: ModuleKey = "opportunities"
    public static let cases: ModuleKey = "cases"
    public static let quotes: ModuleKey = "quotes"
    public static let projects: ModuleKey = "projects"
    public static let tasks: ModuleKey = "tasks"
    public static let events: ModuleKey = "events"
    public static let emails: ModuleKey = "emails"
}

/// A reference to any record: its module and id.
public struct RecordRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public var module: ModuleKey
    public var id: RecordID
    public init(_ module: ModuleKey, _ id: RecordID) { self.module = module; self.id = id }
    /// Reads the `module/id` form of `description`; nil when either part is missing.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), slash != text.startIndex, text.index(after: slash) != text.endIndex else { return nil }
        self.init(ModuleKey(String(text[..<slash])), RecordID(String(text[text.index(after: slash)...])))
    }
    public var description: String { "\(module)/\(id)" }
}
