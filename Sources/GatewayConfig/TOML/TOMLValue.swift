/// One value of a TOML 1.0 document (https://toml.io/en/v1.0.0).
///
/// Tables keep their keys in document order, so a configuration can be
/// echoed or diagnosed in the order the administrator wrote it.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// An offset or local date-time, local date or local time, kept as written.
    case datetime(TOMLDateTime)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The value's type with its article, for messages: "a string", "an integer".
    public var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .datetime(let value): value.kind.description
        case .array: "an array"
        case .table: "a table"
        }
    }
}

extension TOMLValue: CustomStringConvertible {
    /// The value in TOML syntax (tables inline), e.g. `"abc"`, `1143`, `[1, 2]`.
    public var description: String {
        switch self {
        case .string(let text): Self.quoted(text)
        case .integer(let number): String(number)
        case .float(let number): Self.render(number)
        case .bool(let flag): flag ? "true" : "false"
        case .datetime(let value): value.text
        case .array(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .table(let table):
            table.isEmpty
                ? "{}"
                : "{ " + table.map { "\(Self.renderKey($0.key)) = \($0.value)" }.joined(separator: ", ") + " }"
        }
    }

    static func render(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        return String(number)
    }

    static func renderKey(_ key: String) -> String {
        let isBare = !key.isEmpty && key.utf8.allSatisfy(TOMLKey.isBareKeyByte)
        return isBare ? key : quoted(key)
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
