import Foundation
import IMAPCore

/// Builds RFC 5322 messages with MIME bodies: header text RFC 2047-encoded when it is
/// not ASCII, text parts in UTF-8 quoted-printable, attachments in base64, every line
/// CRLF-terminated and at most 78 characters where the data allows. Output is
/// deterministic (boundaries derive from the content), so the same input always gives
/// the same bytes.
public enum MessageBuilder {
    /// A header field; `value` is Unicode text and is encoded as needed.
    public struct Field: Hashable, Sendable {
        public var name: String
        public var value: String
        /// True for fields whose value is already valid header syntax (addresses, Message-ID, dates).
        public var isStructured: Bool

        public init(_ name: String, _ value: String, structured: Bool = false) {
            self.name = name; self.value = value; self.isStructured = structured
        }
    }

    public static func build(fields: [Field], body: MIMEBody) -> [UInt8] {
        var out: [UInt8] = []
        for field in fields {
            let value = field.isStructured ? field.value : encodeHeaderText(field.value)
            out += fold("\(field.name): \(value)")
        }
        out += Array("MIME-Version: 1.0\r\n".utf8)
        writeEntity(body, into: &out)
        return out
    }

    private static func writeEntity(_ body: MIMEBody, into out: inout [UInt8]) {
        switch body {
        case .text(let text, let subtype):
            out += Array("Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
            out += quotedPrintable(crlfLines(text))
        case .multipart(let subtype, let parts):
            var encodedParts: [[UInt8]] = []
            for part in parts {
                var bytes: [UInt8] = []
                writeEntity(part, into: &bytes)
                encodedParts.append(bytes)
            }
            let boundary = makeBoundary(for: encodedParts)
            out += Array("Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\r\n\r\n".utf8)
            for part in encodedParts {
                out += Array("--\(boundary)\r\n".utf8)
                out += part
                if out.last != 0x0A { out += [0x0D, 0x0A] }
            }
            out += Array("--\(boundary)--\r\n".utf8)
        case .attachment(let filename, let contentType, let data):
            let name = encodeParameter(filename)
            out += Array("Content-Type: \(contentType)\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; \(name)\r\n\r\n".utf8)
            let encoded = Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            out += Array(encoded.utf8) + [0x0D, 0x0A]
        case .message(let raw):
            out += Array("Content-Type: message/rfc822\r\n\r\n".utf8)
            out += raw
        }
    }

    /// The UTF-8 of `text` with every line ending (CRLF, LF or a lone CR) as CRLF and a
    /// final line break; one pass over the bytes (summaries are built on every CRM change).
    static func crlfLines(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 32 + 2)
        var afterCR = false
        for byte in text.utf8 {
            switch byte {
            case 0x0D: out += [0x0D, 0x0A]
            case 0x0A where afterCR: break
            case 0x0A: out += [0x0D, 0x0A]
            default: out.append(byte)
            }
            afterCR = byte == 0x0D
        }
        if !(out.count >= 2 && out[out.count - 2] == 0x0D && out[out.count - 1] == 0x0A) { out += [0x0D, 0x0A] }
        return out
    }

    /// Quoted-printable (RFC 2045 §6.7) of CRLF-separated lines, soft-wrapped at 76 characters.
    public static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8 + 2)
        var lineLength = 0
        let hex = Array("0123456789ABCDEF".utf8)
        let equals = UInt8(ascii: "=")
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                out.append(0x0D); out.append(0x0A); lineLength = 0; i += 2; continue
            }
            let atLineEnd = i + 1 == bytes.count || (bytes[i + 1] == 0x0D)
            let literal = (byte >= 33 && byte <= 126 && byte != equals) || ((byte == 0x20 || byte == 0x09) && !atLineEnd)
            let width = literal ? 1 : 3
            if lineLength + width > 75 {
                out.append(equals); out.append(0x0D); out.append(0x0A); lineLength = 0
            }
            if literal {
                out.append(byte)
            } else {
                out.append(equals); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0x0F)])
            }
            lineLength += width; i += 1
        }
        return out
    }

    /// Header text as an RFC 2047 encoded-word sequence when it is not plain ASCII.
    public static func encodeHeaderText(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }), !text.contains("=?") { return text }
        // B-encoded words of whole characters, each at most 75 characters long.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if (chunk.count + bytes.count + 2) / 3 * 4 > 45 {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: " ")
    }

    /// An address as `"Display Name" <address>`, the name encoded when it is not ASCII.
    public static func address(name: String?, _ address: String) -> String {
        guard let name, !name.isEmpty else { return address }
        let ascii = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        let display = ascii ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : encodeHeaderText(name)
        return "\(display) <\(address)>"
    }

    /// A date in RFC 5322 form, in UTC: `Sun, 29 Nov 2026 20:56:43 +0000`.
    public static func date(_ date: Date) -> String {
        // Computed (IMAP's internal-date arithmetic) rather than formatted with a
        // DateFormatter, which cost more than the rest of a summary.
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let c = InternalDate(secondsSince1970: seconds).components
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let weekday = ((days + 4) % 7 + 7) % 7  // 1 January 1970 was a Thursday
        let names = (days: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
                     months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(names.days[Int(weekday)]), \(two(c.day)) \(names.months[c.month - 1]) \(c.year) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// `filename="…"`, or RFC 2231 `filename*=utf-8''…` for a name that is not ASCII.
    static func encodeParameter(_ filename: String) -> String {
        if filename.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }) {
            return "filename=\"\(filename)\""
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~")).subtracting(CharacterSet(charactersIn: "\u{80}"..."\u{10FFFF}"))
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? "attachment"
        return "filename*=utf-8''\(encoded)"
    }

    /// Folds a header line at spaces so that lines stay within 78 characters where possible.
    static func fold(_ line: String) -> [UInt8] {
        var out: [UInt8] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty, current.count + 1 + word.count > 78 {
                out += Array(current.utf8) + [0x0D, 0x0A]
                current = " " + word
            } else {
                current += (current.isEmpty ? "" : " ") + word
            }
        }
        return out + Array(current.utf8) + [0x0D, 0x0A]
    }

    /// A boundary that occurs in none of the parts, derived from their bytes.
    static func makeBoundary(for parts: [[UInt8]]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts { for byte in part { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 } }
        var attempt = 0
        while true {
            let boundary = "=_crmgate_\(String(hash &+ UInt64(attempt), radix: 36))"
            let needle = Array("--\(boundary)".utf8)
            if !parts.contains(where: { contains($0, needle) }) { return boundary }
            attempt += 1
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], Array(haystack[i..<i + needle.count]) == needle { return true }
            i += 1
        }
        return false
    }
}
