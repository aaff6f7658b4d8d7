/// Parses structured MIME header values: Content-Type (RFC 2045 §5.1), Content-Disposition
/// (RFC 2183) and their parameters, with RFC 2231 continuations and charsets decoded.
///
/// Lenient on purpose: comments are skipped, unquoted values may hold characters a strict
/// parser rejects (real mail has `boundary=----=_Part_1` unquoted), a bad parameter is skipped.
enum ContentTypeParser {
    // content := "Content-Type" ":" type "/" subtype *(";" parameter)      (RFC 2045 §5.1)
    /// Lowercased type and subtype and the parameters; nil when there is no valid `type/subtype`.
    static func contentType(_ value: [UInt8]) -> (type: String, subtype: String, parameters: [String: String])? {
        var index = 0
        skipCFWS(value, &index)
        guard let type = token(value, &index) else { return nil }
        skipCFWS(value, &index)
        guard index < value.count, value[index] == ASCII.slash else { return nil }
        index += 1
        skipCFWS(value, &index)
        guard let subtype = token(value, &index) else { return nil }
        return (type, subtype, parameters(value, from: index))
    }

    // disposition := "Content-Disposition" ":" disposition-type *(";" disposition-parm)   (RFC 2183 §2)
    /// Lowercased disposition type and the parameters; nil when the value has no type.
    static func disposition(_ value: [UInt8]) -> (kind: String, parameters: [String: String])? {
        var index = 0
        skipCFWS(value, &index)
        guard let kind = token(value, &index) else { return nil }
        return (kind, parameters(value, from: index))
    }

    /// The `*(";" parameter)` tail starting at `start`, merged per RFC 2231.
    static func parameters(_ value: [UInt8], from start: Int) -> [String: String] {
        var raw: [(name: String, value: [UInt8])] = []
        var index = start
        while index < value.count {
            // parameter := attribute "=" value        (RFC 2045 §5.1)
            while index < value.count, value[index] != ASCII.semicolon { index += 1 }
            guard index < value.count else { break }
            index += 1
            skipCFWS(value, &index)
            let nameStart = index
            while index < value.count, value[index] != ASCII.equals, value[index] != ASCII.semicolon { index += 1 }
            guard index < value.count, value[index] == ASCII.equals else { continue }
            let name = ASCII.lowercasedString(ASCII.trimmed(value[nameStart..<index]))
            index += 1
            skipCFWS(value, &index)
            guard !name.isEmpty else { continue }
            raw.append((name, parameterValue(value, &index)))
        }
        return RFC2231.merge(raw)
    }

    // value := token / quoted-string
    private static func parameterValue(_ value: [UInt8], _ index: inout Int) -> [UInt8] {
        if index < value.count, value[index] == ASCII.quote { return quotedString(value, &index) }
        let start = index
        while index < value.count, value[index] != ASCII.semicolon { index += 1 }
        var result = ASCII.trimmed(value[start..<index])
        // A trailing comment such as `us-ascii (Plain text)`.
        if result.last == ASCII.closeParen, let open = result.firstIndex(of: ASCII.openParen), open > result.startIndex,
           ASCII.isWhitespace(result[open - 1]) {
            result = ASCII.trimmed(result[..<open])
        }
        return Array(result)
    }

    // quoted-string = DQUOTE *(qtext / quoted-pair) DQUOTE      (RFC 5322 §3.2.4)
    static func quotedString(_ value: [UInt8], _ index: inout Int) -> [UInt8] {
        var out: [UInt8] = []
        index += 1
        while index < value.count {
            let b = value[index]
            index += 1
            if b == ASCII.quote { break }
            if b == ASCII.backslash, index < value.count {
                out.append(value[index])
                index += 1
            } else {
                out.append(b)
            }
        }
        return out
    }

    // token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>    (RFC 2045 §5.1)
    static func token(_ value: [UInt8], _ index: inout Int) -> String? {
        let start = index
        while index < value.count, isTokenByte(value[index]) { index += 1 }
        return index > start ? ASCII.lowercasedString(value[start..<index]) : nil
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        guard b > 0x20, b != 0x7F else { return false }
        switch b {
        case ASCII.openParen, ASCII.closeParen, ASCII.lessThan, ASCII.greaterThan, ASCII.at, ASCII.comma,
             ASCII.semicolon, ASCII.colon, ASCII.backslash, ASCII.quote, ASCII.slash, ASCII.openBracket,
             ASCII.closeBracket, ASCII.question, ASCII.equals:
            return false
        default:
            return true
        }
    }

    /// Skips whitespace and (nested) comments (RFC 5322 §3.2.2, CFWS).
    static func skipCFWS(_ value: [UInt8], _ index: inout Int) {
        while index < value.count {
            if ASCII.isLineSpace(value[index]) {
                index += 1
            } else if value[index] == ASCII.openParen {
                var depth = 0
                while index < value.count {
                    let b = value[index]
                    index += 1
                    if b == ASCII.backslash { index += 1; continue }
                    if b == ASCII.openParen { depth += 1 }
                    if b == ASCII.closeParen { depth -= 1; if depth == 0 { break } }
                }
            } else {
                return
            }
        }
    }
}

/// RFC 2231 parameter value continuations and character sets.
///
/// <https://www.rfc-editor.org/rfc/rfc2231>
enum RFC2231 {
    private struct Section {
        var number: Int
        var extended: Bool
        var value: [UInt8]
    }

    /// Merges `name*0*=…; name*1=…` and `name*=charset'lang'…` into one decoded value per name.
    /// An RFC 2231 value wins over a plain one of the same name; the first occurrence otherwise.
    static func merge(_ raw: [(name: String, value: [UInt8])]) -> [String: String] {
        var plain: [String: String] = [:]
        var sections: [String: [Section]] = [:]
        for (name, value) in raw {
            guard let star = name.firstIndex(of: "*") else {
                if plain[name] == nil { plain[name] = Charset.decodeUndeclared(value) }
                continue
            }
            let base = String(name[..<star])
            let rest = name[name.index(after: star)...]
            let extended = rest.hasSuffix("*") || rest.isEmpty
            let digits = rest.hasSuffix("*") ? rest.dropLast() : rest
            guard !base.isEmpty, let number = digits.isEmpty ? 0 : Int(digits) else { continue }
            sections[base, default: []].append(Section(number: number, extended: extended, value: value))
        }
        for (base, list) in sections {
            if let decoded = decode(list) { plain[base] = decoded }
        }
        return plain
    }

    private static func decode(_ list: [Section]) -> String? {
        let ordered = list.sorted { $0.number < $1.number }
        guard let first = ordered.first, first.number == 0 else { return nil }
        var bytes: [UInt8] = []
        var charset: String?
        var expected = 0
        for section in ordered {
            guard section.number == expected else { break }
            expected += 1
            var value = section.value[...]
            if section.extended {
                if section.number == 0 {
                    // extended-initial-value := [charset] "'" [language] "'" extended-other-values
                    let parts = value.split(separator: ASCII.apostrophe, maxSplits: 2, omittingEmptySubsequences: false)
                    if parts.count == 3 {
                        charset = ASCII.lowercasedString(parts[0])
                        value = parts[2]
                    }
                }
                bytes += percentDecode(value)
            } else {
                bytes += value
            }
        }
        if let charset, !charset.isEmpty { return Charset.decode(bytes, charset: charset) }
        return Charset.decodeUndeclared(bytes)
    }

    private static func percentDecode(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var index = value.startIndex
        while index < value.endIndex {
            if value[index] == ASCII.percent, index + 2 < value.endIndex,
               let high = ASCII.hexValue(value[index + 1]), let low = ASCII.hexValue(value[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(value[index])
                index += 1
            }
        }
        return out
    }
}
