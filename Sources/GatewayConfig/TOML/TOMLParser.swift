/// A TOML 1.0 parser (https://toml.io/en/v1.0.0) with bounded input size and
/// nesting depth, reporting the first error with its line and column.
///
/// The grammar rules from the TOML ABNF sit above the functions that parse them.
public struct TOMLParser {
    /// Larger documents are refused: 1 MiB.
    public static let maximumInputBytes = 1 << 20
    /// Deepest allowed nesting of tables, arrays and inline tables, key parts included.
    public static let maximumNestingDepth = 64

    /// Parses a whole document into its root table.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // toml = expression *( newline expression )
    // expression =  ws [ comment ]
    // expression =/ ws keyval ws [ comment ]
    // expression =/ ws table ws [ comment ]
    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        guard bytes.count <= Self.maximumInputBytes else {
            throw TOMLError(
                line: 1, column: 1,
                message: "the document is \(bytes.count) bytes long; the limit is \(Self.maximumInputBytes) bytes (1 MiB)")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let root = TOMLTableNode(path: [], origin: .header, definedAt: 0)
        var current = root
        while index < bytes.count {
            skipWhitespace()
            switch peek() {
            case .none, .some(.newline), .some(.carriageReturn), .some(.hash):
                try expectLineEnd(after: nil)
            case .some(.openBracket):
                current = try parseTableHeader(root: root)
                try expectLineEnd(after: "the table header [\(current.dottedPath)]")
            default:
                let key = try parseKey()
                skipWhitespace()
                guard peek() == .equals else {
                    throw error("expected '=' after key \(key.display)")
                }
                index += 1
                skipWhitespace()
                let depth = current.path.count + key.parts.count
                try checkDepth(depth, at: key.parts[0].offset)
                let value = try parseValue(depth: depth)
                try define(key, as: value, in: current)
                try expectLineEnd(after: "the value of \(key.display)")
            }
        }
        return root.frozen()
    }

    // std-table = std-table-open key std-table-close
    // array-table = array-table-open key array-table-close
    mutating func parseTableHeader(root: TOMLTableNode) throws(TOMLError) -> TOMLTableNode {
        let start = index
        index += 1
        let isArray = peek() == .openBracket
        if isArray { index += 1 }
        skipWhitespace()
        let key = try parseKey()
        skipWhitespace()
        try checkDepth(key.parts.count, at: start)
        if isArray {
            guard peek() == .closeBracket, peek(1) == .closeBracket else {
                throw error("expected ']]' to close the array-of-tables header [[\(key.dotted)]]")
            }
            index += 2
            return try appendTableArrayElement(key, in: root, headerAt: start)
        }
        guard peek() == .closeBracket else {
            throw error("expected ']' to close the table header [\(key.dotted)]")
        }
        index += 1
        return try defineTable(key, in: root, headerAt: start)
    }

    // key = simple-key / dotted-key
    // dotted-key = simple-key 1*( dot-sep simple-key )
    // dot-sep = ws %x2E ws
    mutating func parseKey() throws(TOMLError) -> TOMLKey {
        var parts = [try parseSimpleKey()]
        while true {
            let save = index
            skipWhitespace()
            guard peek() == .dot else {
                index = save
                return TOMLKey(parts: parts)
            }
            index += 1
            skipWhitespace()
            parts.append(try parseSimpleKey())
        }
    }

    // simple-key = quoted-key / unquoted-key
    // unquoted-key = 1*( ALPHA / DIGIT / %x2D / %x5F )
    // quoted-key = basic-string / literal-string
    mutating func parseSimpleKey() throws(TOMLError) -> TOMLKey.Part {
        let start = index
        switch peek() {
        case .some(.quote):
            if peek(1) == .quote, peek(2) == .quote {
                throw error("a key cannot be a multi-line string")
            }
            return TOMLKey.Part(name: try parseBasicString(), offset: start)
        case .some(.apostrophe):
            if peek(1) == .apostrophe, peek(2) == .apostrophe {
                throw error("a key cannot be a multi-line string")
            }
            return TOMLKey.Part(name: try parseLiteralString(), offset: start)
        default:
            while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
            guard index > start else {
                throw error("expected a key, found \(describeCurrent())")
            }
            return TOMLKey.Part(name: String(decoding: bytes[start..<index], as: UTF8.self), offset: start)
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    func checkDepth(_ depth: Int, at offset: Int) throws(TOMLError) {
        guard depth <= Self.maximumNestingDepth else {
            throw error("the document nests deeper than \(Self.maximumNestingDepth) levels", at: offset)
        }
    }
}

/// A possibly dotted key with the position of each part, for messages.
struct TOMLKey {
    struct Part {
        var name: String
        var offset: Int
    }

    var parts: [Part]

    var names: [String] { parts.map(\.name) }

    /// The key as TOML spells it: `imap.port`, `"a b".c`.
    var dotted: String { TOMLKey.dotted(names) }

    /// The key for messages: `"imap.port"`, or `"a b".c` when a part needs quotes.
    var display: String { TOMLKey.display(names) }

    static func dotted(_ names: [String]) -> String {
        names.map { TOMLValue.renderKey($0) }.joined(separator: ".")
    }

    static func display(_ names: [String]) -> String {
        let text = dotted(names)
        return text.hasPrefix("\"") ? text : "\"" + text + "\""
    }
}
