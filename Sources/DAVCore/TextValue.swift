/// TEXT values of vCard and iCalendar (RFC 6350 §3.4, RFC 5545 §3.3.11): `\\`, `\,`, `\;`
/// and `\n` escape a backslash, comma, semicolon and newline. Structured values (N, ADR, ORG)
/// are components separated by `;`, each a list separated by `,`. Unescaped commas matter:
/// some servers cut a value at the first one.
public enum TextValue {
    /// The text a value holds.
    public static func unescape(_ value: some StringProtocol) -> String {
        guard value.contains("\\") else { return String(value) }
        var result = ""
        var escaped = false
        for character in value {
            if escaped {
                switch character {
                case "n", "N": result.append("\n")
                default: result.append(character)  // \\ \, \; and, leniently, anything else
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// `text` as a value: backslash, comma, semicolon and newlines escaped.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ",": result += "\\,"
            case ";": result += "\\;"
            case "\n", "\r\n", "\r": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// A structured value's components, each split into its list items, unescaped.
    public static func components(_ value: String) -> [[String]] {
        split(value, at: ";").map { component in split(component, at: ",").map { unescape($0) } }
    }

    /// Components (each a list) as a structured value.
    public static func structured(_ components: [[String]]) -> String {
        components.map { $0.map(escape).joined(separator: ",") }.joined(separator: ";")
    }

    /// Splits at `separator` where it is not escaped.
    static func split(_ value: some StringProtocol, at separator: Character) -> [Substring] {
        let value = Substring(value)
        var parts: [Substring] = []
        var start = value.startIndex
        var escaped = false
        var index = value.startIndex
        while index < value.endIndex {
            let character = value[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == separator {
                parts.append(value[start..<index])
                start = value.index(after: index)
            }
            index = value.index(after: index)
        }
        parts.append(value[start...])
        return parts
    }
}
