import Foundation

/// Any JSON value: what the JSON API reads (its own bounded parser) and writes, and what a
/// remote CRM's REST API answers (`Codable`). Numbers stay `Decimal`, so money amounts
/// round-trip without binary floating-point error; objects keep every key, so unknown
/// fields can be named instead of dropped.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// How the value is called in an error message ("a number", "an object", …).
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "true or false"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A string, or null when absent.
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// The member `key` of an object; null when there is none (or this is no object), so
    /// that paths chain: `answer["user"]["id"].string`.
    public subscript(key: String) -> JSONValue {
        if case .object(let object) = self { object[key] ?? .null } else { .null }
    }

    /// The element at `index` of an array; null when there is none.
    public subscript(index: Int) -> JSONValue {
        if case .array(let array) = self, array.indices.contains(index) { array[index] } else { .null }
    }

    /// The text of a string, or a number written as text.
    public var string: String? {
        switch self {
        case .string(let text): text
        case .number(let number): "\(number)"
        default: nil
        }
    }

    /// The text, or nil when it is missing, null or empty.
    public var nonEmptyString: String? { string.flatMap { $0.isEmpty ? nil : $0 } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// An id given as a string, a number or an object with an `id`.
    public var id: String? { self["id"].string ?? string }

    /// A number given as a number or as text ("1200.50").
    public var decimal: Decimal? {
        switch self {
        case .number(let number): number
        case .string(let text): Decimal(string: text)
        default: nil
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The value as compact JSON with sorted keys: the same value gives the same bytes.
    public var canonicalData: Data { (try? Self.encoder.encode(self)) ?? Data() }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Decimal.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Decimal(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
