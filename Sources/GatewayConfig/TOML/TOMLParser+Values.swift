// Values: the dispatch on the first character, arrays and inline tables.
extension TOMLParser {
    // val = string / boolean / array / inline-table / date-time / float / integer
    mutating func parseValue(depth: Int) throws(TOMLError) -> TOMLValue {
        switch peek() {
        case .some(.quote):
            if peek(1) == .quote, peek(2) == .quote { return .string(try parseMultilineBasicString()) }
            return .string(try parseBasicString())
        case .some(.apostrophe):
            if peek(1) == .apostrophe, peek(2) == .apostrophe { return .string(try parseMultilineLiteralString()) }
            return .string(try parseLiteralString())
        case .some(.openBracket):
            return try parseArray(depth: depth)
        case .some(.openBrace):
            return try parseInlineTable(depth: depth)
        case .some(UInt8(ascii: "t")) where bytes[index...].starts(with: "true".utf8):
            index += 4
            return .bool(true)
        case .some(UInt8(ascii: "f")) where bytes[index...].starts(with: "false".utf8):
            index += 5
            return .bool(false)
        case .some(UInt8(ascii: "0")...UInt8(ascii: "9")), .some(UInt8(ascii: "+")), .some(UInt8(ascii: "-")),
            .some(UInt8(ascii: "i")), .some(UInt8(ascii: "n")):
            return try parseNumberOrDateTime()
        case .some(let byte) where Self.isBareKeyByte(byte):
            var end = index
            while end < bytes.count, Self.isBareKeyByte(bytes[end]) { end += 1 }
            let word = String(decoding: bytes[index..<end], as: UTF8.self)
            throw error("expected a value, found '\(word)'; strings must be quoted, as in \"\(word)\"")
        default:
            throw error("expected a value, found \(describeCurrent())")
        }
    }

    // array = array-open [ array-values ] ws-comment-newline array-close
    // array-values =  ws-comment-newline val ws-comment-newline array-sep array-values
    // array-values =/ ws-comment-newline val ws-comment-newline [ array-sep ]
    mutating func parseArray(depth: Int) throws(TOMLError) -> TOMLValue {
        let start = index
        try checkDepth(depth + 1, at: start)
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek() == .closeBracket { break }
            if peek() == nil { throw error("unterminated array: expected ']'", at: start) }
            if peek() == .comma { throw error("expected a value in the array, found ','") }
            elements.append(try parseValue(depth: depth + 1))
            try skipWhitespaceCommentsAndNewlines()
            if peek() == .comma {
                index += 1
                continue
            }
            if peek() == .closeBracket { break }
            if peek() == nil { throw error("unterminated array: expected ']'", at: start) }
            throw error("expected ',' or ']' after an array element, found \(describeCurrent())")
        }
        index += 1
        return .array(elements)
    }

    // inline-table = inline-table-open [ inline-table-keyvals ] inline-table-close
    // inline-table-keyvals = keyval [ inline-table-sep inline-table-keyvals ]
    // (TOML 1.0: no newlines inside, no trailing comma)
    mutating func parseInlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        let start = index
        try checkDepth(depth + 1, at: start)
        index += 1
        let node = TOMLTableNode(path: [], origin: .inline, definedAt: start)
        skipWhitespace()
        if peek() == .closeBrace {
            index += 1
            return .table(node.frozen())
        }
        while true {
            skipWhitespace()
            try checkInlineTableContinues(start: start)
            let key = try parseKey()
            skipWhitespace()
            guard peek() == .equals else {
                throw error("expected '=' after key \(key.display)")
            }
            index += 1
            skipWhitespace()
            try checkInlineTableContinues(start: start)
            let valueDepth = depth + key.parts.count
            try checkDepth(valueDepth, at: key.parts[0].offset)
            try define(key, as: try parseValue(depth: valueDepth), in: node)
            skipWhitespace()
            switch peek() {
            case .some(.comma):
                index += 1
                skipWhitespace()
                if peek() == .closeBrace {
                    throw error("a trailing comma is not allowed in an inline table")
                }
            case .some(.closeBrace):
                index += 1
                return .table(node.frozen())
            default:
                try checkInlineTableContinues(start: start)
                throw error("expected ',' or '}' in the inline table, found \(describeCurrent())")
            }
        }
    }

    private func checkInlineTableContinues(start: Int) throws(TOMLError) {
        switch peek() {
        case .none:
            throw error("unterminated inline table: expected '}'", at: start)
        case .some(.newline), .some(.carriageReturn), .some(.hash):
            throw error("an inline table must close on the line it opens; expected '}'")
        default:
            return
        }
    }
}
