import Testing
@testable import IMAPCore

@Suite("CommandFramer: big literals streamed instead of buffered (proxy mode)")
struct CommandFramerStreamingTests {
    static func run(_ input: String, chunk: Int, threshold: Int = 10, refuse: Bool = false) -> [FramingEvent] {
        var framer = CommandFramer(limits: FramingLimits(maxLineLength: 100, maxLiteralSize: 1000, maxCommandSize: 2000))
        framer.streamLiteralsFrom = threshold
        let bytes = Array(input.utf8)
        var out: [FramingEvent] = []
        var i = 0
        while i < bytes.count {
            framer.append(bytes[i..<min(bytes.count, i + chunk)])
            i += chunk
            while let event = framer.next() {
                if refuse, case .literalStart(_, _, let synchronizing) = event { framer.refuseStreamedLiteral(synchronizing: synchronizing) }
                out.append(event)
            }
        }
        return out
    }

    /// Literal pieces joined, so that every way of cutting the input compares equal.
    static func joined(_ events: [FramingEvent]) -> [FramingEvent] {
        var out: [FramingEvent] = []
        for event in events {
            if case .literalData(let more) = event, case .literalData(let before)? = out.last {
                out[out.count - 1] = .literalData(before + more)
            } else {
                out.append(event)
            }
        }
        return out
    }

    @Test(arguments: [1, 3, 7, 500])
    func aBigLiteralComesAsHeadDataAndTail(_ chunk: Int) {
        let events = Self.joined(Self.run("a1 APPEND INBOX {12}\r\nHello World!\r\na2 NOOP\r\n", chunk: chunk))
        #expect(events == [
            .literalStart(head: Array("a1 APPEND INBOX {12}\r\n".utf8), size: 12, synchronizing: true),
            .literalData(Array("Hello World!".utf8)),
            .frame(Array("\r\n".utf8)),
            .frame(Array("a2 NOOP\r\n".utf8)),
        ])
    }

    @Test func smallLiteralsAreStillBufferedInTheFrame() {
        let events = Self.run("a1 LOGIN {5+}\r\nalice pw\r\n", chunk: 100)
        #expect(events == [.frame(Array("a1 LOGIN {5+}\r\nalice pw\r\n".utf8))])
    }

    @Test func aRefusedNonSynchronizingLiteralIsSkipped() {
        let events = Self.run("a1 APPEND INBOX {12+}\r\nHello World!\r\na2 NOOP\r\n", chunk: 100, refuse: true)
        #expect(events.first == .literalStart(head: Array("a1 APPEND INBOX {12+}\r\n".utf8), size: 12, synchronizing: false))
        #expect(events.last == .frame(Array("a2 NOOP\r\n".utf8)))
        #expect(!events.contains { if case .literalData = $0 { true } else { false } })
    }

    @Test func limitsStillApplyBeforeStreaming() {
        let events = Self.run("a1 APPEND INBOX {5000}\r\na2 NOOP\r\n", chunk: 100)
        guard case .error(let error)? = events.first else { Issue.record("expected an error, got \(events)"); return }
        #expect(error.tag == "a1" && error.kind == .literalTooLarge(5000))
        #expect(events.last == .frame(Array("a2 NOOP\r\n".utf8)))
    }
}
