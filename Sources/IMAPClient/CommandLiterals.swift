/// A client command cut where its literals start, so that it can be sent with
/// synchronizing literals (wait for `+` before each) or non-synchronizing ones (RFC 7888).
///
/// Works on the bytes of one complete command as `CommandFramer` or `CommandEncoder`
/// produce them: a literal is announced by `{n}`, `{n+}` or `~{n}` right before a CRLF
/// (quoted strings cannot hold CR or LF, so a CRLF always ends a line).
public struct CommandLiterals: Equatable, Sendable {
    /// Each segment ends with a literal announcement and its CRLF, except the last; the
    /// literal's bytes start the segment after it. Announcements are in synchronizing form `{n}`.
    public private(set) var segments: [[UInt8]]
    /// The literal sizes, one per segment boundary.
    public private(set) var literalSizes: [Int]

    public init(_ command: [UInt8]) {
        var segments: [[UInt8]] = []
        var sizes: [Int] = []
        var current: [UInt8] = []
        var i = 0
        while i < command.count {
            let byte = command[i]
            current.append(byte)
            i += 1
            guard byte == 0x0A else { continue }
            guard let (size, markerStart, plus) = Self.announcement(atEndOf: current) else { continue }
            if plus { current.remove(at: markerStart) }
            segments.append(current)
            sizes.append(size)
            let end = min(command.count, i + size)
            current = Array(command[i..<end])
            i = end
        }
        segments.append(current)
        self.segments = segments
        self.literalSizes = sizes
    }

    /// Whether the literals may go without waiting: LITERAL+ allows any size, LITERAL- up to 4096 bytes.
    public static func mayBeNonSynchronizing(sizes: [Int], capabilities: Set<String>) -> Bool {
        if capabilities.contains("LITERAL+") { return true }
        return capabilities.contains("LITERAL-") && sizes.allSatisfy { $0 <= 4096 }
    }

    /// The whole command with every literal in non-synchronizing form `{n+}`.
    public var nonSynchronizing: [UInt8] {
        var out: [UInt8] = []
        for (index, segment) in segments.enumerated() {
            if index < literalSizes.count {
                // segment ends "…}\r\n": put the "+" before the brace.
                out.append(contentsOf: segment[..<(segment.count - 3)])
                out.append(contentsOf: Array("+}\r\n".utf8))
            } else {
                out.append(contentsOf: segment)
            }
        }
        return out
    }

    /// (n, index of the "+" if any, has "+") for a line ending in `{n}\r\n` or `{n+}\r\n`.
    static func announcement(atEndOf line: [UInt8]) -> (Int, Int, Bool)? {
        var end = line.count
        guard end >= 5, line[end - 1] == 0x0A, line[end - 2] == 0x0D, line[end - 3] == UInt8(ascii: "}") else { return nil }
        end -= 3
        var plus = false
        if line[end - 1] == UInt8(ascii: "+") { plus = true; end -= 1 }
        var value = 0
        var digits = 0
        var i = end - 1
        var multiplier = 1
        while i >= 0, line[i] >= 0x30, line[i] <= 0x39, digits < 12 {
            value += Int(line[i] - 0x30) * multiplier
            multiplier *= 10
            digits += 1
            i -= 1
        }
        guard digits > 0, i >= 0, line[i] == UInt8(ascii: "{") else { return nil }
        return (value, end, plus)
    }
}
