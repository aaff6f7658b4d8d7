#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ASCII byte constants and small scanning helpers shared by the parsers.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let percent: UInt8 = 0x25
    static let apostrophe: UInt8 = 0x27
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let star: UInt8 = 0x2A
    static let comma: UInt8 = 0x2C
    static let dash: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lessThan: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greaterThan: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F

    static let crlf: [UInt8] = [cr, lf]

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab }

    @inline(__always)
    static func isLineSpace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf }

    @inline(__always)
    static func lowercased(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// Case-insensitive comparison of ASCII bytes with an ASCII string.
    static func equalsIgnoringCase<C: Collection>(_ bytes: C, _ name: String) -> Bool where C.Element == UInt8 {
        let utf8 = name.utf8
        guard bytes.count == utf8.count else { return false }
        return zip(bytes, utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// The bytes with leading and trailing SP, HT, CR and LF removed.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lower = bytes.startIndex
        var upper = bytes.endIndex
        while lower < upper, isLineSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isLineSpace(bytes[upper - 1]) { upper -= 1 }
        return bytes[lower..<upper]
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] { Array(trimmed(bytes[...])) }

    /// Lowercased ASCII string of the bytes; other bytes are decoded leniently.
    static func lowercasedString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes.map(lowercased), as: UTF8.self)
    }
}

/// Fast line scanning over a byte buffer (uses `memchr`, so it stays quick even in debug builds).
enum LineScanner {
    /// Index just past the next LF at or after `from`, or `end` when there is none.
    @inline(__always)
    static func nextLineStart(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int {
        guard from < end, let base = buffer.baseAddress else { return end }
        guard let hit = memchr(base + from, Int32(ASCII.lf), end - from) else { return end }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
    }

    /// Number of lines in `range`: every LF ends a line, and an unterminated last line counts too.
    static func countLines(_ buffer: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int {
        var count = 0
        var position = range.lowerBound
        while position < range.upperBound {
            let next = nextLineStart(buffer, from: position, end: range.upperBound)
            if next <= range.upperBound, buffer[next - 1] == ASCII.lf { count += 1 } else { count += 1; break }
            position = next
        }
        return count
    }
}
