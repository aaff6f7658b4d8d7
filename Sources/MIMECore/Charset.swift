import Foundation
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// Converts bytes in a MIME charset (RFC 2046 §4.1.2) to a Swift `String`.
///
/// UTF-8, US-ASCII, ISO-8859-1 and Windows-1252 are decoded here; other ISO-8859 and Windows
/// code pages go through Foundation when it knows them. Anything else is read as lossy UTF-8.
enum Charset {
    static func decode<C: Collection>(_ bytes: C, charset: String) -> String where C.Element == UInt8 {
        let name = normalized(charset)
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "l1":
            return latin1(bytes)
        case "windows-1252", "cp1252":
            return windows1252(bytes)
        default:
            if let string = foundationDecode(Array(bytes), name: name) { return string }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Decodes header or parameter bytes whose charset is not declared: UTF-8 when valid,
    /// otherwise Windows-1252, the most common legacy encoding of raw 8-bit headers.
    static func decodeUndeclared<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let string = String(validating: Array(bytes), as: UTF8.self) { return string }
        return windows1252(bytes)
    }

    static func normalized(_ charset: String) -> String {
        let lower = charset.lowercased().trimmingCharacters(in: .whitespaces)
        if lower.hasPrefix("iso8859-") { return "iso-8859-" + lower.dropFirst(8) }
        if lower.hasPrefix("iso_8859-") { return "iso-8859-" + lower.dropFirst(9) }
        return lower
    }

    static func latin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
    }

    /// Code points for Windows-1252 bytes 0x80…0x9F; 0 marks the five unassigned bytes.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    static func windows1252<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for b in bytes {
            if b >= 0x80, b <= 0x9F {
                let code = windows1252High[Int(b - 0x80)]
                scalars.append(Unicode.Scalar(code == 0 ? UInt32(b) : code) ?? "\u{FFFD}")
            } else {
                scalars.append(Unicode.Scalar(b))
            }
        }
        return String(scalars)
    }

    /// CoreFoundation encoding numbers (CFStringEncoding) of the charsets we hand to Foundation.
    private static let coreFoundationEncodings: [String: UInt32] = [
        "iso-8859-2": 0x0202, "iso-8859-3": 0x0203, "iso-8859-4": 0x0204, "iso-8859-5": 0x0205,
        "iso-8859-6": 0x0206, "iso-8859-7": 0x0207, "iso-8859-8": 0x0208, "iso-8859-9": 0x0209,
        "iso-8859-10": 0x020A, "iso-8859-11": 0x020B, "iso-8859-13": 0x020D, "iso-8859-14": 0x020E,
        "iso-8859-15": 0x020F, "iso-8859-16": 0x0210,
        "windows-1250": 0x0501, "windows-1251": 0x0502, "windows-1253": 0x0503, "windows-1254": 0x0504,
        "windows-1255": 0x0505, "windows-1256": 0x0506, "windows-1257": 0x0507, "windows-1258": 0x0508,
        "koi8-r": 0x0A02, "koi8-u": 0x0A08, "shift_jis": 0x0A01, "big5": 0x0A03,
        "euc-jp": 0x0920, "euc-kr": 0x0940, "iso-2022-jp": 0x0820, "gb2312": 0x0930, "gbk": 0x0631,
    ]

    private static func foundationDecode(_ bytes: [UInt8], name: String) -> String? {
        #if canImport(CoreFoundation)
        let key = name.hasPrefix("cp125") ? "windows-" + name.dropFirst(2) : name
        guard let cf = coreFoundationEncodings[key] else { return nil }
        let converted = CFStringConvertEncodingToNSStringEncoding(cf)
        return String(bytes: bytes, encoding: String.Encoding(rawValue: UInt(converted)))
        #else
        return nil
        #endif
    }
}
