/// A mailbox name exactly as the client sent it (the raw `astring` bytes, RFC 9051 §5.1).
///
/// The session decides how to read it: UTF-8 once `UTF8=ACCEPT` is enabled,
/// modified UTF-7 otherwise (see `MailboxNameCodec`). `INBOX` is case-insensitive;
/// use `isInbox` rather than comparing bytes.
public struct MailboxName: Hashable, Sendable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public static let inbox = MailboxName("INBOX")

    /// True when the name is `INBOX` in any case (RFC 9051 §5.1).
    public var isInbox: Bool { bytes.count == 5 && asciiUppercased(bytes) == Array("INBOX".utf8) }
}

/// Why a mailbox name could not be decoded.
public struct MailboxNameError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

/// Modified UTF-7 (RFC 3501 §5.1.3) and UTF-8 (RFC 6855) mailbox name conversion.
///
/// Decoding is strict: malformed names are rejected with an error that says what is
/// wrong, so a bad client name never silently becomes a different mailbox.
public enum MailboxNameCodec {
    /// Decodes mailbox name bytes: modified UTF-7 when `utf8` is false, validated UTF-8 otherwise.
    public static func decode(_ bytes: [UInt8], utf8: Bool) throws(MailboxNameError) -> String {
        if utf8 {
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw MailboxNameError(message: "mailbox name is not valid UTF-8")
            }
            return s
        }
        return try decodeModifiedUTF7(bytes)
    }

    /// Encodes a mailbox name: modified UTF-7 when `utf8` is false, plain UTF-8 otherwise.
    public static func encode(_ name: String, utf8: Bool) -> [UInt8] {
        if utf8 { return Array(name.utf8) }
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append(UInt8(ascii: "&"))
            out.append(contentsOf: base64Encode(pending))
            out.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            let v = scalar.value
            if v >= 0x20 && v <= 0x7E {
                flush()
                out.append(UInt8(v))
                if v == 0x26 { out.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: Array(String(scalar).utf16))
            }
        }
        flush()
        return out
    }

    // Modified BASE64 alphabet: "," replaces "/".
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    private static func base64Encode(_ units: [UInt16]) -> [UInt8] {
        var bytes: [UInt8] = []
        for u in units { bytes.append(UInt8(u >> 8)); bytes.append(UInt8(u & 0xFF)) }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if i + 1 < bytes.count { out.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]) }
            if i + 2 < bytes.count { out.append(alphabet[Int(b2 & 0x3F)]) }
            i += 3
        }
        return out
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: ","): return 63
        default: return nil
        }
    }

    private static func decodeModifiedUTF7(_ bytes: [UInt8]) throws(MailboxNameError) -> String {
        var result = String.UnicodeScalarView()
        var i = 0
        var previousWasEncoded = false
        while i < bytes.count {
            let c = bytes[i]
            guard c >= 0x20 && c <= 0x7E else {
                throw MailboxNameError(message: "mailbox name contains the raw byte 0x\(hex(c)) at offset \(i); modified UTF-7 allows only printable ASCII (enable UTF8=ACCEPT to send UTF-8)")
            }
            if c != UInt8(ascii: "&") {
                result.append(Unicode.Scalar(c))
                previousWasEncoded = false
                i += 1
                continue
            }
            // "&" starts a shift sequence that ends with "-".
            guard let end = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "-")) else {
                throw MailboxNameError(message: "unterminated '&' shift sequence at offset \(i) in mailbox name (missing '-')")
            }
            if end == i + 1 {
                result.append("&")
                previousWasEncoded = false
                i = end + 1
                continue
            }
            if previousWasEncoded {
                throw MailboxNameError(message: "two adjacent '&...-' sequences at offset \(i) in mailbox name; they must be merged into one")
            }
            let units = try decodeBase64Run(Array(bytes[(i + 1)..<end]), at: i + 1)
            var iterator = units.makeIterator()
            var decoder = UTF16()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let s):
                    if s.value >= 0x20 && s.value <= 0x7E {
                        throw MailboxNameError(message: "printable ASCII character '\(Character(s))' encoded in base64 at offset \(i) in mailbox name; it must be written directly")
                    }
                    result.append(s)
                case .emptyInput: break loop
                case .error:
                    throw MailboxNameError(message: "invalid UTF-16 (unpaired surrogate) in '&...-' sequence at offset \(i) in mailbox name")
                }
            }
            previousWasEncoded = true
            i = end + 1
        }
        return String(result)
    }

    private static func decodeBase64Run(_ run: [UInt8], at offset: Int) throws(MailboxNameError) -> [UInt16] {
        var bits: UInt32 = 0
        var bitCount = 0
        var octets: [UInt8] = []
        for (k, c) in run.enumerated() {
            guard let v = sextet(c) else {
                throw MailboxNameError(message: "invalid modified BASE64 character '\(Character(Unicode.Scalar(c)))' at offset \(offset + k) in mailbox name")
            }
            bits = (bits << 6) | UInt32(v)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                octets.append(UInt8((bits >> UInt32(bitCount)) & 0xFF))
            }
        }
        // Leftover bits must be fewer than 6 and all zero (minimal, canonical encoding).
        if bitCount >= 6 || (bits & ((1 << UInt32(bitCount)) - 1)) != 0 {
            throw MailboxNameError(message: "modified BASE64 sequence at offset \(offset) in mailbox name has non-zero or excess padding bits")
        }
        guard octets.count % 2 == 0 else {
            throw MailboxNameError(message: "modified BASE64 sequence at offset \(offset) in mailbox name does not decode to whole UTF-16 units")
        }
        var units: [UInt16] = []
        var j = 0
        while j < octets.count { units.append(UInt16(octets[j]) << 8 | UInt16(octets[j + 1])); j += 2 }
        return units
    }
}

func hex(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}

func asciiUppercased(_ bytes: [UInt8]) -> [UInt8] {
    bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
}

func asciiUppercased(_ s: String) -> String {
    String(decoding: asciiUppercased(Array(s.utf8)), as: UTF8.self)
}
