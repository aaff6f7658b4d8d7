// The four string forms and their escapes.
extension TOMLParser {
    // basic-string = quotation-mark *basic-char quotation-mark
    // basic-char = basic-unescaped / escaped
    mutating func parseBasicString() throws(TOMLError) -> String {
        let start = index
        index += 1
        var result: [UInt8] = []
        while true {
            guard let byte = peek(), byte != .newline, byte != .carriageReturn else {
                throw error("unterminated string: expected a closing '\"' on the same line (use \"\"\" for a multi-line string)", at: start)
            }
            switch byte {
            case .quote:
                index += 1
                return String(decoding: result, as: UTF8.self)
            case .backslash:
                try parseEscape(into: &result)
            case _ where Self.isControl(byte):
                throw error("\(describeCurrent()) is not allowed in a string; write it as an escape such as \\u\(Self.hex(UInt32(byte)))")
            default:
                result.append(byte)
                index += 1
            }
        }
    }

    // ml-basic-string = ml-basic-string-delim [ newline ] ml-basic-body ml-basic-string-delim
    // ml-basic-body = *mlb-content *( mlb-quotes 1*mlb-content ) [ mlb-quotes ]
    // mlb-escaped-nl = escape ws newline *( wschar / newline )
    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        let start = index
        index += 3
        _ = try skipNewline()
        var result: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error("unterminated multi-line string: expected a closing '\"\"\"'", at: start)
            }
            switch byte {
            case .quote:
                if try closeMultiline(quote: .quote, into: &result) { return String(decoding: result, as: UTF8.self) }
            case .backslash:
                if try !skipLineEndingBackslash() { try parseEscape(into: &result) }
            case .newline, .carriageReturn:
                let lineStart = index
                _ = try skipNewline()
                result.append(contentsOf: bytes[lineStart..<index])
            case _ where Self.isControl(byte):
                throw error("\(describeCurrent()) is not allowed in a string; write it as an escape such as \\u\(Self.hex(UInt32(byte)))")
            default:
                result.append(byte)
                index += 1
            }
        }
    }

    // literal-string = apostrophe *literal-char apostrophe
    mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = index
        index += 1
        while true {
            guard let byte = peek(), byte != .newline, byte != .carriageReturn else {
                throw error("unterminated string: expected a closing \"'\" on the same line (use ''' for a multi-line string)", at: start)
            }
            if byte == .apostrophe {
                index += 1
                return String(decoding: bytes[(start + 1)..<(index - 1)], as: UTF8.self)
            }
            if Self.isControl(byte) {
                throw error("\(describeCurrent()) is not allowed in a literal string")
            }
            index += 1
        }
    }

    // ml-literal-string = ml-literal-string-delim [ newline ] ml-literal-body ml-literal-string-delim
    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        let start = index
        index += 3
        _ = try skipNewline()
        var result: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error("unterminated multi-line string: expected a closing \"'''\"", at: start)
            }
            switch byte {
            case .apostrophe:
                if try closeMultiline(quote: .apostrophe, into: &result) { return String(decoding: result, as: UTF8.self) }
            case .newline, .carriageReturn:
                let lineStart = index
                _ = try skipNewline()
                result.append(contentsOf: bytes[lineStart..<index])
            case _ where Self.isControl(byte):
                throw error("\(describeCurrent()) is not allowed in a literal string")
            default:
                result.append(byte)
                index += 1
            }
        }
    }

    /// At a run of quote characters inside a multi-line string: one or two are
    /// content; three close the string, and up to two more before them are content.
    private mutating func closeMultiline(quote: UInt8, into result: inout [UInt8]) throws(TOMLError) -> Bool {
        var run = 0
        while peek(run) == quote { run += 1 }
        if run < 3 {
            result.append(contentsOf: repeatElement(quote, count: run))
            index += run
            return false
        }
        if run > 5 {
            throw error("too many quotes: at most two may stand before the closing delimiter", at: index + 5)
        }
        result.append(contentsOf: repeatElement(quote, count: run - 3))
        index += run
        return true
    }

    /// `\` followed by optional whitespace and a newline trims all whitespace up to the next content.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var probe = index + 1
        while probe < bytes.count, bytes[probe] == .space || bytes[probe] == .tab { probe += 1 }
        guard probe < bytes.count, bytes[probe] == .newline || bytes[probe] == .carriageReturn else { return false }
        index = probe
        while true {
            skipWhitespace()
            if try !skipNewline() { return true }
        }
    }

    // escaped = escape escape-seq-char
    // escape-seq-char = %x22 / %x5C / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG / %x55 8HEXDIG
    private mutating func parseEscape(into result: inout [UInt8]) throws(TOMLError) {
        let start = index
        index += 1
        guard let code = peek() else {
            throw error("unterminated string: the document ends after '\\'", at: start)
        }
        index += 1
        switch code {
        case .quote: result.append(.quote)
        case .backslash: result.append(.backslash)
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "n"): result.append(.newline)
        case UInt8(ascii: "r"): result.append(.carriageReturn)
        case UInt8(ascii: "t"): result.append(.tab)
        case UInt8(ascii: "u"): try appendScalar(hexDigits: 4, escapeStart: start, into: &result)
        case UInt8(ascii: "U"): try appendScalar(hexDigits: 8, escapeStart: start, into: &result)
        default:
            index -= 1
            throw error(
                "invalid escape sequence '\\\(describeEscapeCode())' in a string; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX",
                at: start)
        }
    }

    private func describeEscapeCode() -> String {
        guard let byte = peek(), byte >= 0x21, byte <= 0x7E else { return "" }
        return String(Character(Unicode.Scalar(byte)))
    }

    private mutating func appendScalar(hexDigits: Int, escapeStart: Int, into result: inout [UInt8]) throws(TOMLError) {
        var value: UInt32 = 0
        for _ in 0..<hexDigits {
            guard let byte = peek(), let digit = Self.hexValue(byte) else {
                throw error("the escape \\\(hexDigits == 4 ? "u" : "U") needs exactly \(hexDigits) hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("the escape \(String(decoding: bytes[escapeStart..<index], as: UTF8.self)) is not a Unicode scalar value", at: escapeStart)
        }
        result.append(contentsOf: String(Character(scalar)).utf8)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
