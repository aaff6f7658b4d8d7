/// One piece of a server's response stream, as `ResponseFramer` cuts it.
///
/// A response (RFC 9051 §7) is a line, or a line ending in a literal announcement `{n}`
/// followed by n bytes and the rest of the response, and so on. Lines come whole; literals
/// come in chunks as they arrive, so a 20 MB body is never held in memory at once.
public enum ResponseFrame: Equatable, Sendable {
    /// A line with its CRLF. `first`: it starts a response; `last`: it ends one (no literal follows).
    case line([UInt8], first: Bool, last: Bool)
    /// Bytes of a literal; `remaining` bytes of it are still to come after these.
    case literal([UInt8], remaining: Int)

    /// The bytes as they came on the wire.
    public var bytes: [UInt8] {
        switch self {
        case .line(let b, _, _), .literal(let b, _): b
        }
    }
}

/// Why the upstream's response stream cannot be framed.
public struct ResponseFramingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Cuts a server's byte stream into `ResponseFrame`s: pure, no I/O, bounded memory
/// (a line longer than `maxLineLength` is an error; literals are never buffered whole).
public struct ResponseFramer: Sendable {
    public let maxLineLength: Int
    public let maxLiteralChunk: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var literalRemaining = 0
    private var atResponseStart = true
    /// Where the search for the current line's LF resumes.
    private var scanned = 0

    public init(maxLineLength: Int = 16 * 1024 * 1024, maxLiteralChunk: Int = 256 * 1024) {
        self.maxLineLength = maxLineLength
        self.maxLiteralChunk = maxLiteralChunk
    }

    /// True when no partial frame is buffered.
    public var isEmpty: Bool { start == buffer.count }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            scanned -= start
            start = 0
        } else if start > 64 * 1024, start * 2 > buffer.count {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(ResponseFramingError) -> ResponseFrame? {
        if literalRemaining > 0 {
            let available = buffer.count - start
            guard available > 0 else { return nil }
            let take = min(available, literalRemaining, maxLiteralChunk)
            let chunk = Array(buffer[start..<(start + take)])
            start += take
            literalRemaining -= take
            scanned = start
            return .literal(chunk, remaining: literalRemaining)
        }
        scanned = max(scanned, start)
        guard let lf = buffer[scanned...].firstIndex(of: 0x0A) else {
            scanned = buffer.count
            if buffer.count - start > maxLineLength {
                throw ResponseFramingError(message: "a response line from the server is longer than \(maxLineLength) bytes")
            }
            return nil
        }
        let line = Array(buffer[start...lf])
        start = lf + 1
        scanned = start
        let first = atResponseStart
        if let size = Self.literalSize(atEndOf: line) {
            literalRemaining = size
            atResponseStart = false
            return .line(line, first: first, last: false)
        }
        atResponseStart = true
        return .line(line, first: first, last: true)
    }

    /// The n of a line ending in `{n}` or `~{n}` (literal8) before CRLF, if it does.
    static func literalSize(atEndOf line: [UInt8]) -> Int? {
        var end = line.count
        if end > 0, line[end - 1] == 0x0A { end -= 1 }
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        guard end >= 3, line[end - 1] == UInt8(ascii: "}") else { return nil }
        var i = end - 2
        var value = 0
        var multiplier = 1
        while i >= 0, line[i] >= 0x30, line[i] <= 0x39 {
            value += Int(line[i] - 0x30) * multiplier
            multiplier *= 10
            if multiplier > 1_000_000_000_000 { return nil }
            i -= 1
        }
        guard i >= 0, i < end - 2, line[i] == UInt8(ascii: "{") else { return nil }
        return value
    }
}

extension ResponseFramer {
    /// The tag of a response's first line: nil for untagged (`*`) and continuation (`+`) lines.
    public static func tag(of line: [UInt8]) -> String? {
        guard let first = line.first, first != UInt8(ascii: "*"), first != UInt8(ascii: "+") else { return nil }
        guard let space = line.firstIndex(of: 0x20) else { return nil }
        return String(decoding: line[..<space], as: UTF8.self)
    }

    /// True for a continuation request line (`+ …`).
    public static func isContinuation(_ line: [UInt8]) -> Bool { line.first == UInt8(ascii: "+") }
}
