/// Size limits for incoming commands, in one place (RFC 9051 §4.3 lets servers limit them; RFC 7888 §4 for literals).
public struct FramingLimits: Hashable, Sendable {
    /// Octets per line, excluding CRLF and literal data.
    public var maxLineLength: Int
    /// Octets in one literal.
    public var maxLiteralSize: Int
    /// Octets in a whole command: all lines plus literal data.
    public var maxCommandSize: Int

    public init(maxLineLength: Int = 16 * 1024, maxLiteralSize: Int = 64 * 1024 * 1024, maxCommandSize: Int = 65 * 1024 * 1024) {
        self.maxLineLength = maxLineLength; self.maxLiteralSize = maxLiteralSize; self.maxCommandSize = maxCommandSize
    }
}

/// What the framer found in the input.
public enum FramingEvent: Hashable, Sendable {
    /// A complete command: its lines and inline literal data, exactly as received (CRLFs included).
    case frame([UInt8])
    /// A synchronizing literal `{n}` within limits was announced: send a `+` continuation now.
    case continuationNeeded
    /// A limit was exceeded; the framer has already dropped the command and recovers by itself.
    case error(FramingError)
    /// With `streamLiteralsFrom` set: a literal that large was announced. `head` is the command
    /// so far, announcement and CRLF included; its data follows as `literalData` pieces (after
    /// a `+` for a synchronizing one), and the rest of the command as an ordinary `frame`.
    case literalStart(head: [UInt8], size: Int, synchronizing: Bool)
    case literalData([UInt8])
}

/// A command that broke a limit. `tag` is the command's tag when it could be read (answer `tag BAD`).
public struct FramingError: Error, Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case lineTooLong
        case literalTooLarge(Int)
        case commandTooLarge
    }
    public var tag: String?
    public var kind: Kind
    public var message: String
}

/// Splits the client byte stream into complete commands with bounded memory (RFC 9051 §2.2, §4.3, §7.5).
///
/// Feed it socket bytes with `append`, then call `next` until it returns nil. A line that is too
/// long is discarded up to its CRLF without being buffered; a too-large synchronizing literal is
/// refused (the client will not send it); a too-large non-synchronizing literal (`{n+}`) is counted
/// and skipped. AUTHENTICATE responses and IDLE's `DONE` come out as one-line frames.
public struct CommandFramer {
    public let limits: FramingLimits

    private enum State {
        /// Reading a line of the current command into `frame`.
        case line
        /// Copying `remaining` literal octets into `frame`.
        case literal(remaining: Int)
        /// Dropping a line up to LF; `tail` keeps its last octets to spot a literal announcement.
        case skipLine(tail: [UInt8])
        /// Dropping the data of a non-synchronizing literal of a dropped command.
        case skipLiteral(remaining: UInt64)
        /// Handing `remaining` literal octets out as they come (`literalData`).
        case streamLiteral(remaining: Int)
    }

    /// Literals of at least this many octets are streamed (`literalStart`, `literalData`)
    /// instead of buffered in the frame; nil buffers every literal.
    public var streamLiteralsFrom: Int?

    private var input: [UInt8] = []
    private var inputIndex = 0
    private var frame: [UInt8] = []
    private var lineStart = 0
    private var state: State = .line
    /// Octets of a dropped line kept to recognise a literal announcement at its end.
    private static let tailLength = 32

    public init(limits: FramingLimits = FramingLimits()) { self.limits = limits }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        input.append(contentsOf: bytes)
    }

    /// True when no partial command is buffered (useful before STARTTLS: no pipelined plaintext).
    public var isIdle: Bool {
        if case .line = state { return frame.isEmpty && inputIndex >= input.count }
        return false
    }

    public mutating func next() -> FramingEvent? {
        defer { compact() }
        while inputIndex < input.count {
            switch state {
            case .line:
                if let event = readLine() { return event }
            case .literal(let remaining):
                let take = min(remaining, input.count - inputIndex)
                frame.append(contentsOf: input[inputIndex..<(inputIndex + take)])
                inputIndex += take
                if take == remaining {
                    state = .line
                    lineStart = frame.count
                } else {
                    state = .literal(remaining: remaining - take)
                }
            case .skipLine(let tail):
                skipLine(tail: tail)
            case .skipLiteral(let remaining):
                let take = min(remaining, UInt64(input.count - inputIndex))
                inputIndex += Int(take)
                state = take == remaining ? .skipLine(tail: []) : .skipLiteral(remaining: remaining - take)
            case .streamLiteral(let remaining):
                let take = min(remaining, input.count - inputIndex, 256 * 1024)
                let data = Array(input[inputIndex..<(inputIndex + take)])
                inputIndex += take
                state = take == remaining ? .line : .streamLiteral(remaining: remaining - take)
                return .literalData(data)
            }
        }
        return nil
    }

    /// The consumer refused a streamed literal: a synchronizing one will not come (the
    /// client waits for a `+` it never gets), a non-synchronizing one is skipped.
    public mutating func refuseStreamedLiteral(synchronizing: Bool) {
        guard case .streamLiteral(let remaining) = state else { return }
        state = synchronizing ? .line : .skipLiteral(remaining: UInt64(remaining))
    }

    private mutating func compact() {
        if inputIndex >= input.count {
            input.removeAll(keepingCapacity: input.count <= 64 * 1024)
            inputIndex = 0
        } else if inputIndex > 64 * 1024 {
            input.removeFirst(inputIndex)
            inputIndex = 0
        }
    }

    private mutating func readLine() -> FramingEvent? {
        let lineSoFar = frame.count - lineStart
        // A line may hold at most maxLineLength octets plus CR LF.
        let window = max(0, limits.maxLineLength + 2 - lineSoFar)
        let end = min(input.count, inputIndex + window)
        guard let lf = input[inputIndex..<end].firstIndex(of: 0x0A) else {
            frame.append(contentsOf: input[inputIndex..<end])
            inputIndex = end
            if frame.count - lineStart >= limits.maxLineLength + 2 {
                return dropCommandInLine(kind: .lineTooLong)
            }
            if frame.count > limits.maxCommandSize {
                return dropCommandInLine(kind: .commandTooLarge)
            }
            return nil
        }
        frame.append(contentsOf: input[inputIndex...lf])
        inputIndex = lf + 1
        let hasCR = frame.count - lineStart >= 2 && frame[frame.count - 2] == 0x0D
        let line = frame[lineStart...].dropLast(hasCR ? 2 : 1)
        if line.count > limits.maxLineLength {
            return dropCommandAtLineEnd(kind: .lineTooLong, line: Array(line.suffix(CommandFramer.tailLength)))
        }
        if frame.count > limits.maxCommandSize {
            return dropCommandAtLineEnd(kind: .commandTooLarge, line: Array(line.suffix(CommandFramer.tailLength)))
        }
        guard let announcement = CommandFramer.literalAnnouncement(line) else {
            let complete = frame
            frame = []
            lineStart = 0
            return .frame(complete)
        }
        let tag = CommandFramer.tag(of: frame)
        if announcement.size > UInt64(limits.maxLiteralSize) {
            let size = Int(clamping: announcement.size)
            let error = FramingError(tag: tag, kind: .literalTooLarge(size),
                                     message: "literal of \(announcement.size) octets exceeds the limit of \(limits.maxLiteralSize) octets; command discarded")
            resetFrame()
            state = announcement.synchronizing ? .line : .skipLiteral(remaining: announcement.size)
            return .error(error)
        }
        if UInt64(frame.count) + announcement.size > UInt64(limits.maxCommandSize) {
            let error = commandTooLargeError(tag: tag)
            resetFrame()
            state = announcement.synchronizing ? .line : .skipLiteral(remaining: announcement.size)
            return .error(error)
        }
        if let threshold = streamLiteralsFrom, announcement.size >= UInt64(threshold) {
            let head = frame
            resetFrame()
            state = .streamLiteral(remaining: Int(announcement.size))
            return .literalStart(head: head, size: Int(announcement.size), synchronizing: announcement.synchronizing)
        }
        state = .literal(remaining: Int(announcement.size))
        return announcement.synchronizing ? .continuationNeeded : nil
    }

    private func commandTooLargeError(tag: String?) -> FramingError {
        FramingError(tag: tag, kind: .commandTooLarge, message: "command exceeds the limit of \(limits.maxCommandSize) octets; command discarded")
    }

    private func lineTooLongError(tag: String?) -> FramingError {
        FramingError(tag: tag, kind: .lineTooLong, message: "line exceeds the limit of \(limits.maxLineLength) octets; command discarded")
    }

    /// The limit broke before the line ended: drop what we have and skip to LF.
    private mutating func dropCommandInLine(kind: FramingError.Kind) -> FramingEvent {
        let tag = CommandFramer.tag(of: frame)
        let tail = Array(frame[lineStart...].suffix(CommandFramer.tailLength))
        resetFrame()
        state = .skipLine(tail: tail)
        return .error(kind == .lineTooLong ? lineTooLongError(tag: tag) : commandTooLargeError(tag: tag))
    }

    /// The limit broke on a complete line: drop the command, skipping a following `{n+}` literal if announced.
    private mutating func dropCommandAtLineEnd(kind: FramingError.Kind, line: [UInt8]) -> FramingEvent {
        let tag = CommandFramer.tag(of: frame)
        resetFrame()
        afterDroppedLine(line)
        return .error(kind == .lineTooLong ? lineTooLongError(tag: tag) : commandTooLargeError(tag: tag))
    }

    private mutating func afterDroppedLine(_ line: [UInt8]) {
        if let a = CommandFramer.literalAnnouncement(line[...]), !a.synchronizing {
            state = .skipLiteral(remaining: a.size)
        } else {
            state = .line
        }
    }

    private mutating func skipLine(tail: [UInt8]) {
        if let lf = input[inputIndex...].firstIndex(of: 0x0A) {
            var line = tail + input[inputIndex..<lf]
            inputIndex = lf + 1
            if line.last == 0x0D { line.removeLast() }
            afterDroppedLine(Array(line.suffix(CommandFramer.tailLength)))
        } else {
            let newTail = Array((tail + input[inputIndex...]).suffix(CommandFramer.tailLength))
            inputIndex = input.count
            state = .skipLine(tail: newTail)
        }
    }

    private mutating func resetFrame() {
        frame = []
        lineStart = 0
    }

    // literal         = "{" number64 ["+"] "}" CRLF *CHAR8
    // literal8        = "~{" number64 ["+"] "}" CRLF *OCTET
    /// The literal announced at the end of a line (without CRLF), if any.
    public static func literalAnnouncement(_ line: ArraySlice<UInt8>) -> (size: UInt64, synchronizing: Bool)? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var i = line.endIndex - 2
        guard i >= line.startIndex else { return nil }
        let synchronizing = line[i] != UInt8(ascii: "+")
        if !synchronizing { i -= 1 }
        let digitsEnd = i + 1
        while i >= line.startIndex, isDigit(line[i]) { i -= 1 }
        guard i >= line.startIndex, line[i] == UInt8(ascii: "{"), digitsEnd > i + 1 else { return nil }
        var size: UInt64 = 0
        for d in line[(i + 1)..<digitsEnd] {
            let (m, o1) = size.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d - 0x30))
            if o1 || o2 { return (UInt64.max, synchronizing) }
            size = s
        }
        return (size, synchronizing)
    }

    /// The tag at the start of a command, if it is a valid tag followed by SP.
    static func tag(of frame: [UInt8]) -> String? {
        guard let sp = frame.prefix(256).firstIndex(of: 0x20), sp > 0,
              frame[..<sp].allSatisfy({ isAStringChar($0) && $0 != UInt8(ascii: "+") }) else { return nil }
        return String(decoding: frame[..<sp], as: UTF8.self)
    }
}
