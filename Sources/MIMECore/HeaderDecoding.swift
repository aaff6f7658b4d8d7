/// Decodes header text for display and search: RFC 2047 encoded words, any charset `Charset` knows.
///
/// <https://www.rfc-editor.org/rfc/rfc2047>
public enum HeaderDecoding {
    /// Decodes every `=?charset?B|Q?text?=` word in an (unfolded) header value.
    ///
    /// Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2), and adjacent
    /// words in the same charset are joined before charset conversion, so a multi-byte character
    /// split across words survives. Text outside encoded words is UTF-8 when valid, else Windows-1252.
    public static func decodeEncodedWords(_ s: [UInt8]) -> String {
        var result = ""
        var literal: [UInt8] = []
        var pending: [UInt8] = []
        var pendingCharset: String?
        var afterEncodedWord = false
        var index = 0

        func flushPending() {
            if let charset = pendingCharset { result += Charset.decode(pending, charset: charset) }
            pending.removeAll(keepingCapacity: true)
            pendingCharset = nil
        }

        while index < s.count {
            if s[index] == ASCII.equals, index + 1 < s.count, s[index + 1] == ASCII.question,
               let word = EncodedWord.parse(s, at: index) {
                if afterEncodedWord, literal.allSatisfy(ASCII.isLineSpace) { literal.removeAll() }
                if !literal.isEmpty {
                    flushPending()
                    result += Charset.decodeUndeclared(literal)
                    literal.removeAll()
                }
                if pendingCharset != word.charset { flushPending(); pendingCharset = word.charset }
                pending += word.bytes
                afterEncodedWord = true
                index = word.end
                continue
            }
            literal.append(s[index])
            index += 1
        }
        flushPending()
        if !literal.isEmpty { result += Charset.decodeUndeclared(literal) }
        return result
    }
}

/// One RFC 2047 encoded word, already transfer-decoded to bytes in `charset`.
struct EncodedWord {
    var charset: String
    var bytes: [UInt8]
    /// Index just past the closing `?=`.
    var end: Int

    // encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="   (RFC 2047 §2, RFC 2231 §5)
    static func parse(_ s: [UInt8], at start: Int) -> EncodedWord? {
        var index = start + 2
        let charsetStart = index
        while index < s.count, s[index] != ASCII.question {
            if ASCII.isLineSpace(s[index]) { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < s.count, s[index + 2] == ASCII.question else { return nil }
        var charsetBytes = s[charsetStart..<index]
        if let star = charsetBytes.firstIndex(of: ASCII.star) { charsetBytes = charsetBytes[..<star] }
        let encoding = ASCII.lowercased(s[index + 1])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }  // "b" or "q"
        let textStart = index + 3
        var textEnd = textStart
        while textEnd + 1 < s.count, !(s[textEnd] == ASCII.question && s[textEnd + 1] == ASCII.equals) {
            if ASCII.isLineSpace(s[textEnd]) { return nil }
            textEnd += 1
        }
        guard textEnd + 1 < s.count else { return nil }
        let text = s[textStart..<textEnd]
        let bytes = encoding == 0x62 ? TransferDecoding.base64(text) : qDecode(text)
        return EncodedWord(charset: ASCII.lowercasedString(charsetBytes), bytes: bytes, end: textEnd + 2)
    }

    /// The "Q" encoding: like quoted-printable, with "_" meaning space (RFC 2047 §4.2).
    static func qDecode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let b = text[index]
            if b == ASCII.underscore {
                out.append(ASCII.space)
            } else if b == ASCII.equals, index + 2 < text.endIndex,
                      let high = ASCII.hexValue(text[index + 1]), let low = ASCII.hexValue(text[index + 2]) {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(b)
            }
            index += 1
        }
        return out
    }
}
