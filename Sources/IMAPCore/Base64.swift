/// Standard BASE64 (RFC 4648 §4) as used by AUTHENTICATE and SASL-IR (RFC 9051 §6.2.2, RFC 4959).
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }

    /// Decodes padded BASE64; nil when the input is not valid BASE64.
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var i = 0
        while i < text.count {
            let pads = (text[i + 2] == UInt8(ascii: "=") ? 1 : 0) + (text[i + 3] == UInt8(ascii: "=") ? 1 : 0)
            if pads > 0 && i + 4 != text.count { return nil }
            if pads == 1 && text[i + 2] == UInt8(ascii: "=") { return nil }
            guard let a = value(text[i]), let b = value(text[i + 1]) else { return nil }
            let c = pads >= 2 ? 0 : value(text[i + 2]), d = pads >= 1 ? 0 : value(text[i + 3])
            guard let c, let d else { return nil }
            out.append(a << 2 | b >> 4)
            if pads < 2 { out.append((b & 0x0F) << 4 | c >> 2) }
            if pads < 1 { out.append((c & 0x03) << 6 | d) }
            i += 4
        }
        return out
    }

    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - 65
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - 97 + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48 + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
