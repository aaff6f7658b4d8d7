import Testing
@testable import IMAPCore

@Suite struct CommandFramerTests {
    static let limits = FramingLimits(maxLineLength: 40, maxLiteralSize: 20, maxCommandSize: 80)

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func events(_ input: [UInt8], chunks: [Int]? = nil, limits: FramingLimits = limits) -> [FramingEvent] {
        var framer = CommandFramer(limits: limits)
        var out: [FramingEvent] = []
        var index = 0
        var chunkIndex = 0
        while index < input.count {
            let size = chunks.map { $0[chunkIndex % $0.count] } ?? input.count
            chunkIndex += 1
            let end = min(input.count, index + max(1, size))
            framer.append(input[index..<end])
            index = end
            while let e = framer.next() { out.append(e) }
        }
        return out
    }

    /// A stream mixing normal commands, all literal kinds, empty lines and every limit violation.
    static let stream: [UInt8] = bytes(
        "a1 NOOP\r\n" +
        "a2 LOGIN {5}\r\nalice {3}\r\npw!\r\n" +
        "a3 LOGIN {5+}\r\nalice pw\r\n" +
        "a4 APPEND INBOX ~{4}\r\nab\r\n\r\n" +
        "\r\n" +
        "a5 SEARCH TEXT " + String(repeating: "x", count: 60) + "\r\n" +
        "a6 NOOP\r\n" +
        "a7 APPEND INBOX {30+}\r\n" + String(repeating: "y", count: 30) + " more\r\n" +
        "a8 APPEND INBOX {30}\r\n" +
        "a9 LOGIN {18+}\r\n" + String(repeating: "z", count: 18) + " {18+}\r\n" + String(repeating: "z", count: 18) + " {18+}\r\n" + String(repeating: "z", count: 18) + "\r\n" +
        "DONE\r\n")

    static let expected: [FramingEvent] = [
        .frame(bytes("a1 NOOP\r\n")),
        .continuationNeeded, .continuationNeeded,
        .frame(bytes("a2 LOGIN {5}\r\nalice {3}\r\npw!\r\n")),
        .frame(bytes("a3 LOGIN {5+}\r\nalice pw\r\n")),
        .continuationNeeded,
        .frame(bytes("a4 APPEND INBOX ~{4}\r\nab\r\n\r\n")),
        .frame(bytes("\r\n")),
        .error(FramingError(tag: "a5", kind: .lineTooLong, message: "line exceeds the limit of 40 octets; command discarded")),
        .frame(bytes("a6 NOOP\r\n")),
        .error(FramingError(tag: "a7", kind: .literalTooLarge(30), message: "literal of 30 octets exceeds the limit of 20 octets; command discarded")),
        .error(FramingError(tag: "a8", kind: .literalTooLarge(30), message: "literal of 30 octets exceeds the limit of 20 octets; command discarded")),
        .error(FramingError(tag: "a9", kind: .commandTooLarge, message: "command exceeds the limit of 80 octets; command discarded")),
        .frame(bytes("DONE\r\n")),
    ]

    @Test func wholeStreamYieldsExpectedEvents() {
        #expect(Self.events(Self.stream) == Self.expected)
    }

    @Test func byteByByteFeedingEqualsWholeFeeding() {
        #expect(Self.events(Self.stream, chunks: [1]) == Self.expected)
    }

    @Test(arguments: [[2], [3], [7], [13], [1, 5, 2, 17], [64]])
    func arbitraryChunksEqualWholeFeeding(_ chunks: [Int]) {
        #expect(Self.events(Self.stream, chunks: chunks) == Self.expected)
    }

    @Test func longLineIsDiscardedAndFramerRecovers() {
        var framer = CommandFramer(limits: Self.limits)
        framer.append(Self.bytes("x1 LOGIN " + String(repeating: "a", count: 100)))
        guard case .error(let e) = framer.next() else { Issue.record("expected an error"); return }
        #expect(e.kind == .lineTooLong)
        #expect(e.tag == "x1")
        #expect(framer.next() == nil)
        framer.append(Self.bytes(String(repeating: "b", count: 1000)))
        #expect(framer.next() == nil)
        framer.append(Self.bytes("bbb\r\nx2 NOOP\r\n"))
        #expect(framer.next() == .frame(Self.bytes("x2 NOOP\r\n")))
        #expect(framer.next() == nil)
    }

    @Test func lineOfExactlyTheLimitIsAccepted() {
        let line = "t " + String(repeating: "N", count: 38)
        #expect(Self.events(Self.bytes(line + "\r\n"), chunks: [1]) == [.frame(Self.bytes(line + "\r\n"))])
        #expect(Self.events(Self.bytes(line + "N\r\n"), chunks: [1]).first.map { if case .error = $0 { true } else { false } } == true)
    }

    @Test func nonSynchronizingLiteralOverLimitIsSkippedWithoutBuffering() {
        let big = String(repeating: "q", count: 5000)
        let input = Self.bytes("s1 APPEND INBOX {5000+}\r\n" + big + "\r\ns2 NOOP\r\n")
        let events = Self.events(input, chunks: [100])
        #expect(events == [
            .error(FramingError(tag: "s1", kind: .literalTooLarge(5000), message: "literal of 5000 octets exceeds the limit of 20 octets; command discarded")),
            .frame(Self.bytes("s2 NOOP\r\n")),
        ])
    }

    @Test func literalThatLooksLikeCommandsIsSkippedWhenTooLarge() {
        let input = Self.bytes("s1 APPEND INBOX {26+}\r\nevil LOGOUT\r\nevil LOGOUT\r\n\r\ns2 NOOP\r\n")
        let frames = Self.events(input).compactMap { if case .frame(let f) = $0 { f } else { nil } }
        #expect(frames == [Self.bytes("s2 NOOP\r\n")])
    }

    @Test func synchronizingLiteralAsksForContinuationExactlyOnce() {
        var framer = CommandFramer(limits: Self.limits)
        framer.append(Self.bytes("c1 LOGIN {5}\r\n"))
        #expect(framer.next() == .continuationNeeded)
        #expect(framer.next() == nil)
        framer.append(Self.bytes("ali"))
        #expect(framer.next() == nil)
        framer.append(Self.bytes("ce secret\r\n"))
        #expect(framer.next() == .frame(Self.bytes("c1 LOGIN {5}\r\nalice secret\r\n")))
        #expect(framer.next() == nil)
    }

    @Test func synchronizingLiteralOverLimitIsRefusedAndNextCommandWorks() {
        var framer = CommandFramer(limits: Self.limits)
        framer.append(Self.bytes("c1 APPEND INBOX {999}\r\nc2 NOOP\r\n"))
        guard case .error(let e) = framer.next() else { Issue.record("expected an error"); return }
        #expect(e.kind == .literalTooLarge(999))
        #expect(e.tag == "c1")
        #expect(framer.next() == .frame(Self.bytes("c2 NOOP\r\n")))
    }

    @Test func errorWithoutReadableTagHasNilTag() {
        let events = Self.events(Self.bytes(String(repeating: "x", count: 100) + "\r\n"))
        guard case .error(let e) = events.first else { Issue.record("expected an error"); return }
        #expect(e.tag == nil)
    }

    @Test func framedCommandsParse() throws {
        var framer = CommandFramer()
        framer.append(Self.bytes("a LOGIN {5}\r\n"))
        #expect(framer.next() == .continuationNeeded)
        framer.append(Self.bytes("alice \"pw\"\r\n"))
        guard case .frame(let frame) = framer.next() else { Issue.record("expected a frame"); return }
        #expect(try CommandParser.parse(frame) == TaggedCommand(tag: "a", command: .login(username: Self.bytes("alice"), password: Self.bytes("pw"))))
    }

    @Test func isIdleOnlyBetweenCommands() {
        var framer = CommandFramer()
        #expect(framer.isIdle)
        framer.append(Self.bytes("a NOOP"))
        _ = framer.next()
        #expect(!framer.isIdle)
        framer.append(Self.bytes("\r\n"))
        _ = framer.next()
        #expect(framer.isIdle)
    }
}
