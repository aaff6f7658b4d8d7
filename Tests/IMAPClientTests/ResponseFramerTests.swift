import Testing

@testable import IMAPClient

@Suite("ResponseFramer: a server's byte stream cut into lines and literal chunks")
struct ResponseFramerTests {
    private func frames(_ input: String, splitEvery step: Int, maxChunk: Int = 256 * 1024) throws -> [ResponseFrame] {
        var framer = ResponseFramer(maxLiteralChunk: maxChunk)
        let bytes = Array(input.utf8)
        var out: [ResponseFrame] = []
        var i = 0
        while i < bytes.count {
            framer.append(bytes[i..<min(bytes.count, i + step)])
            i += step
            while let frame = try framer.next() { out.append(frame) }
        }
        return out
    }

    /// Literal chunks of one literal joined, so that any way of splitting the input compares equal.
    private func joined(_ frames: [ResponseFrame]) -> [ResponseFrame] {
        var out: [ResponseFrame] = []
        for frame in frames {
            if case .literal(let bytes, let remaining) = frame, case .literal(let previous, _)? = out.last {
                out[out.count - 1] = .literal(previous + bytes, remaining: remaining)
            } else {
                out.append(frame)
            }
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func framesAResponseWithALiteralHoweverTheBytesArrive(_ step: Int) throws {
        let input = "* 1 FETCH (UID 7 BODY[] {12}\r\nHello\r\nWorld FLAGS (\\Seen))\r\nA1 OK done\r\n"
        let expected: [ResponseFrame] = [
            .line(Array("* 1 FETCH (UID 7 BODY[] {12}\r\n".utf8), first: true, last: false),
            .literal(Array("Hello\r\nWorld".utf8), remaining: 0),
            .line(Array(" FLAGS (\\Seen))\r\n".utf8), first: false, last: true),
            .line(Array("A1 OK done\r\n".utf8), first: true, last: true),
        ]
        #expect(joined(try frames(input, splitEvery: step)) == expected)
    }

    @Test func bigLiteralsComeInBoundedChunks() throws {
        let body = String(repeating: "x", count: 10_000)
        let out = try frames("* 1 FETCH (BODY[] {10000}\r\n\(body))\r\n", splitEvery: 4096, maxChunk: 1000)
        let chunks = out.compactMap { frame -> Int? in if case .literal(let b, _) = frame { return b.count } else { return nil } }
        #expect(chunks.allSatisfy { $0 <= 1000 } && chunks.reduce(0, +) == 10_000)
        #expect(out.last == .line(Array(")\r\n".utf8), first: false, last: true))
    }

    @Test func literal8AndEmptyLiteralsAreLiterals() throws {
        let out = try frames("* 1 FETCH (BINARY[] ~{3}\r\na\u{0}b BODY[TEXT] {0}\r\n)\r\n", splitEvery: 100)
        #expect(out.count == 4)
        #expect(out[1] == .literal([0x61, 0, 0x62], remaining: 0))
        #expect(out[3] == .line(Array(")\r\n".utf8), first: false, last: true))
    }

    @Test func anOverlongLineIsAnErrorNotUnboundedMemory() {
        var framer = ResponseFramer(maxLineLength: 100)
        framer.append(Array(repeating: UInt8(ascii: "a"), count: 101))
        #expect(throws: ResponseFramingError.self) { try framer.next() }
    }

    @Test func tagsAndContinuations() {
        #expect(ResponseFramer.tag(of: Array("A12 OK done\r\n".utf8)) == "A12")
        #expect(ResponseFramer.tag(of: Array("* 3 EXISTS\r\n".utf8)) == nil)
        #expect(ResponseFramer.tag(of: Array("+ idling\r\n".utf8)) == nil)
        #expect(ResponseFramer.isContinuation(Array("+ Ready\r\n".utf8)))
    }
}

@Suite("CommandLiterals: commands sent with synchronizing or non-synchronizing literals")
struct CommandLiteralsTests {
    let command = Array("A1 APPEND \"Drafts\" (\\Seen) {5}\r\nHello FLAGGED {3+}\r\nabc\r\n".utf8)

    @Test func cutsAfterEachAnnouncement() {
        let literals = CommandLiterals(command)
        #expect(literals.literalSizes == [5, 3])
        #expect(literals.segments.map { String(decoding: $0, as: UTF8.self) } == [
            "A1 APPEND \"Drafts\" (\\Seen) {5}\r\n", "Hello FLAGGED {3}\r\n", "abc\r\n",
        ])
    }

    @Test func nonSynchronizingFormMarksEveryLiteral() {
        let text = String(decoding: CommandLiterals(command).nonSynchronizing, as: UTF8.self)
        #expect(text == "A1 APPEND \"Drafts\" (\\Seen) {5+}\r\nHello FLAGGED {3+}\r\nabc\r\n")
    }

    @Test func literalBytesThatLookLikeAnnouncementsAreData() {
        let tricky = Array("A2 APPEND x {7}\r\n{1}\r\nab\r\n".utf8)
        #expect(CommandLiterals(tricky).literalSizes == [7])
    }

    @Test func literalPlusAllowsAnySizeLiteralMinusOnlySmallOnes() {
        #expect(CommandLiterals.mayBeNonSynchronizing(sizes: [10_000], capabilities: ["LITERAL+"]))
        #expect(CommandLiterals.mayBeNonSynchronizing(sizes: [4096], capabilities: ["LITERAL-"]))
        #expect(!CommandLiterals.mayBeNonSynchronizing(sizes: [4097], capabilities: ["LITERAL-"]))
        #expect(!CommandLiterals.mayBeNonSynchronizing(sizes: [1], capabilities: []))
    }
}
