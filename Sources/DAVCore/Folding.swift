/// Line folding of vCard and iCalendar text (RFC 6350 §3.2, RFC 5545 §3.1): a line break
/// followed by one space or tab continues the line before it.
public enum Folding {
    /// Longest physical line written, in octets, not counting CRLF.
    public static let lineOctets = 75

    /// The logical lines of `text`, each with the number of the physical line it starts on.
    /// Accepts CRLF and bare LF; blank lines (between objects, at the end) are skipped.
    static func unfold(_ text: String) -> [(line: Int, text: Substring)] {
        var lines: [(line: Int, text: Substring)] = []
        var pieces: [Substring] = []
        var start = 0
        var number = 0
        func finish() {
            guard !pieces.isEmpty else { return }
            let joined = pieces.count == 1 ? pieces[0] : Substring(pieces.joined())
            if !joined.isEmpty { lines.append((start, joined)) }
            pieces.removeAll()
        }
        // "\r\n" is one Character in Swift: both it and a bare "\n" end a line.
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var content = physical
            if content.last == "\r" { content.removeLast() }
            if let first = content.first, first == " " || first == "\t", !pieces.isEmpty {
                pieces.append(content.dropFirst())
            } else {
                finish()
                start = number
                pieces = [content]
            }
        }
        finish()
        return lines
    }

    /// `line` as physical lines of at most `lineOctets` octets joined by CRLF + space, never
    /// splitting a UTF-8 sequence; ends with CRLF.
    public static func fold(_ line: String) -> String {
        let bytes = Array(line.utf8)
        guard bytes.count > lineOctets else { return line + "\r\n" }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 70 * 3 + 2)
        var start = 0
        var limit = lineOctets
        while start < bytes.count {
            var end = min(start + limit, bytes.count)
            // Back up to the start of a character: continuation bytes are 10xxxxxx.
            while end < bytes.count, end > start, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            if start > 0 { output += [0x0D, 0x0A, 0x20] }
            output += bytes[start..<end]
            start = end
            limit = lineOctets - 1  // the space that starts a continuation counts
        }
        output += [0x0D, 0x0A]
        return String(decoding: output, as: UTF8.self)
    }
}
