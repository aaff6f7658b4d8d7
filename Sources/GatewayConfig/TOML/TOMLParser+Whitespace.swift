// Whitespace, comments, line ends, and how errors point at the input.
extension TOMLParser {
    func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    // ws = *wschar
    // wschar = %x20 / %x09
    mutating func skipWhitespace() {
        while let byte = peek(), byte == .space || byte == .tab { index += 1 }
    }

    // comment = comment-start-symbol *non-eol
    // non-eol = %x09 / %x20-7F / non-ascii   (minus DEL, per the 1.0 text)
    mutating func skipComment() throws(TOMLError) {
        index += 1
        while let byte = peek(), byte != .newline {
            if byte == .carriageReturn, peek(1) == .newline { return }
            if Self.isControl(byte) {
                throw error("\(describeCurrent()) is not allowed in a comment")
            }
            index += 1
        }
    }

    // newline = %x0A / %x0D.0A
    /// Consumes a newline at the cursor, if any.
    mutating func skipNewline() throws(TOMLError) -> Bool {
        switch peek() {
        case .some(.newline):
            index += 1
            return true
        case .some(.carriageReturn):
            guard peek(1) == .newline else {
                throw error("a carriage return must be followed by a line feed")
            }
            index += 2
            return true
        default:
            return false
        }
    }

    /// Whitespace, an optional comment, then a newline or the end of the input.
    mutating func expectLineEnd(after what: String?) throws(TOMLError) {
        skipWhitespace()
        if peek() == .hash { try skipComment() }
        if index >= bytes.count { return }
        if try skipNewline() { return }
        if let what {
            throw error("unexpected \(describeCurrent()) after \(what); expected a new line or a comment")
        }
        throw error("unexpected \(describeCurrent()); expected a new line or a comment")
    }

    /// Whitespace, comments and newlines, as allowed between array elements.
    // ws-comment-newline = *( wschar / [ comment ] newline )
    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek() == .hash { try skipComment() }
            if try !skipNewline() { return }
        }
    }

    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != .tab) || byte == 0x7F
    }

    // MARK: Errors

    func error(_ message: String) -> TOMLError {
        error(message, at: index)
    }

    func error(_ message: String, at offset: Int) -> TOMLError {
        let (line, column) = position(of: offset)
        return TOMLError(line: line, column: column, message: message)
    }

    /// 1-based line and column (in Unicode scalars) of a byte offset.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == .newline {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    func line(of offset: Int) -> Int { position(of: offset).line }

    /// What sits at the cursor, for messages: `'x'`, "the end of the line", "U+0007".
    func describeCurrent() -> String {
        guard let byte = peek() else { return "the end of the document" }
        switch byte {
        case .newline, .carriageReturn: return "the end of the line"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case .space: return "a space"
        case .tab: return "a tab"
        case ..<0x80: return "the control character U+" + Self.hex(UInt32(byte))
        default:
            var end = index + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'" + String(decoding: bytes[index..<end], as: UTF8.self) + "'"
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func quote(_ text: String) -> String { "\"" + text + "\"" }
}

extension UInt8 {
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let hash = UInt8(ascii: "#")
    static let equals = UInt8(ascii: "=")
    static let dot = UInt8(ascii: ".")
    static let comma = UInt8(ascii: ",")
    static let backslash = UInt8(ascii: "\\")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
}
