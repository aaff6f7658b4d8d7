import Foundation

/// Makes a message that holds NUL octets safe to send in an IMAP literal (RFC 9051 §4.3
/// forbids NUL there; RFC 3516 §4.3 lets a server convert what came as binary).
///
/// Every leaf part whose body holds a NUL is re-encoded as base64, its
/// Content-Transfer-Encoding header rewritten; everything else stays byte for byte. BINARY
/// FETCH then decodes the part back to the very octets that were appended, while BODY[]
/// and RFC822.SIZE describe the stored, 7-bit-safe form (Dovecot behaves the same way).
public enum SevenBitConversion {
    /// `raw` unchanged when it has no NUL, else converted.
    public static func safe(_ raw: [UInt8]) -> [UInt8] {
        guard raw.contains(0) else { return raw }
        let index = MessageIndex.parse(raw)
        var edits: [(range: Range<Int>, bytes: [UInt8])] = []
        collect(index.root, raw, into: &edits)
        var out = raw
        // Last first, so earlier ranges keep their offsets.
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            out.replaceSubrange(edit.range, with: edit.bytes)
        }
        return out
    }

    private static func collect(_ part: MessagePart, _ raw: [UInt8], into edits: inout [(range: Range<Int>, bytes: [UInt8])]) {
        if !part.children.isEmpty {
            for child in part.children { collect(child, raw, into: &edits) }
            return
        }
        guard raw[part.bodyRange].contains(0) else { return }
        let header = Array(raw[part.headerRange])
        edits.append((part.headerRange, rewrittenHeader(header)))
        let encoded = Data(raw[part.bodyRange]).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        edits.append((part.bodyRange, Array(encoded.utf8) + [0x0D, 0x0A]))
    }

    /// The header without its Content-Transfer-Encoding field (folded lines included), and
    /// `Content-Transfer-Encoding: base64` before the empty line that ends it.
    static func rewrittenHeader(_ header: [UInt8]) -> [UInt8] {
        var lines: [[UInt8]] = []
        var start = 0
        for i in header.indices where header[i] == 0x0A {
            lines.append(Array(header[start...i]))
            start = i + 1
        }
        if start < header.count { lines.append(Array(header[start...])) }
        var kept: [[UInt8]] = []
        var dropping = false
        var separator: [UInt8] = []
        for line in lines {
            let isBlank = line.allSatisfy { $0 == 0x0D || $0 == 0x0A }
            if isBlank { separator = line; break }
            if line.first == 0x20 || line.first == 0x09 {
                if !dropping { kept.append(line) }
                continue
            }
            dropping = ASCII.lowercasedString(line.prefix { $0 != ASCII.colon }[...]).trimmingCharacters(in: .whitespaces) == "content-transfer-encoding"
            if !dropping { kept.append(line) }
        }
        if let last = kept.last, last.last != 0x0A { kept[kept.count - 1] += [0x0D, 0x0A] }
        return kept.flatMap { $0 } + Array("Content-Transfer-Encoding: base64\r\n".utf8) + (separator.isEmpty ? [0x0D, 0x0A] : separator)
    }
}
