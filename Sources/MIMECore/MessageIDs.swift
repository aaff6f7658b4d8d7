/// Extracts `msg-id`s from Message-ID, In-Reply-To and References (RFC 5322 §3.6.4).
enum MessageIDs {
    // msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]
    /// Every `<…>` in the value, with whitespace inside removed and the angle brackets kept.
    /// Phrases and comments around them (obsolete syntax) are skipped.
    static func all(_ value: [UInt8]) -> [String] {
        var ids: [String] = []
        var index = 0
        while index < value.count {
            let b = value[index]
            if b == ASCII.openParen {
                ContentTypeParser.skipCFWS(value, &index)
                continue
            }
            if b == ASCII.quote {
                _ = ContentTypeParser.quotedString(value, &index)
                continue
            }
            guard b == ASCII.lessThan else { index += 1; continue }
            guard let close = value[index...].firstIndex(of: ASCII.greaterThan) else { break }
            let inner = value[(index + 1)..<close].filter { !ASCII.isLineSpace($0) }
            if !inner.isEmpty { ids.append("<" + Charset.decodeUndeclared(inner) + ">") }
            index = close + 1
        }
        return ids
    }

    /// The first msg-id; a value without angle brackets is taken whole (trimmed) when non-empty.
    static func first(_ value: [UInt8]) -> String? {
        if let id = all(value).first { return id }
        let trimmed = ASCII.trimmed(value)
        return trimmed.isEmpty ? nil : Charset.decodeUndeclared(trimmed)
    }
}
