import IMAPCore
import Testing
@testable import MIMECore

/// Deterministic pseudo-random numbers (SplitMix64) so mutation tests are reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Mutated and hostile input")
struct RobustnessTests {
    static let fixtures = [Fixtures.plain, Fixtures.alternative, Fixtures.mixedWithAttachment, Fixtures.nested, Fixtures.forwarded]
    private static let fragments: [[UInt8]] = [
        Array("--".utf8), [0x0D], [0x0A], [0x00], [0xFF], Array("\r\n\r\n".utf8), Array("--outer--".utf8),
        Array("=?utf-8?B?".utf8), Array("\"".utf8), Array("(".utf8), Array("<".utf8), Array(":".utf8), Array(";".utf8),
    ]

    /// Every part lies inside its parent's body, header before body, all within the message.
    private func checkRanges(_ part: MessagePart, within bounds: Range<Int>) {
        #expect(part.headerRange.lowerBound >= bounds.lowerBound)
        #expect(part.headerRange.upperBound <= part.bodyRange.lowerBound)
        #expect(part.bodyRange.upperBound <= bounds.upperBound)
        for child in part.children { checkRanges(child, within: part.bodyRange) }
    }

    @Test(arguments: 0..<fixtures.count)
    func mutatedMessagesKeepConsistentRanges(fixture: Int) {
        var random = SplitMix64(state: UInt64(fixture) &+ 42)
        for _ in 0..<150 {
            var raw = Self.fixtures[fixture]
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0...raw.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: raw.insert(contentsOf: Self.fragments.randomElement(using: &random) ?? [], at: position)
                case 1: if position < raw.count { raw.remove(at: position) }
                default: raw.removeSubrange(position..<min(raw.count, position + Int.random(in: 1...40, using: &random)))
                }
            }
            let index = MessageIndex.parse(raw)
            checkRanges(index.root, within: 0..<raw.count)
            _ = index.bodyStructure
            _ = index.searchableText(in: raw)
            for path in [[], [1], [2], [1, 1], [2, 1], [2, 2]] {
                for kind in [SectionKind.complete, .header, .text, .mime, .headerFields(["subject"])] {
                    _ = index.section(path, kind, in: raw)
                }
                _ = index.decodedBody(path, in: raw)
            }
        }
    }

    @Test func headerFieldLimitStopsRecordingFields() {
        var text = ""
        for n in 0..<100 { text += "X-Filler-\(n): y\n" }
        text += "Content-Type: text/html\n\nbody"
        let raw = Fixtures.crlf(text)
        let limited = MessageIndex.parse(raw, limits: MIMELimits(maxHeaderFields: 50))
        #expect(limited.root.contentType == "text/plain")
        #expect(String(decoding: raw[limited.root.bodyRange], as: UTF8.self) == "body")
        #expect(MessageIndex.parse(raw).root.contentType == "text/html")
    }

    @Test func manyDelimiterLookalikeLinesStayFast() {
        var text = "Content-Type: multipart/mixed; boundary=abcdefgh\n\n--abcdefgh\n\n"
        text += String(repeating: "--abcdefg\n--abcdefghX\n", count: 50_000)
        text += "--abcdefgh--\n"
        let raw = Fixtures.crlf(text)
        let index = MessageIndex.parse(raw)
        #expect(index.root.children.count == 1)
        #expect(index.root.children[0].lines == 100_000)
    }
}
