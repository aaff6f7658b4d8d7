import Testing
@testable import MIMECore

@Suite("Part numbering through encapsulated messages")
struct PartNumberingTests {
    static let messageRoot = Fixtures.crlf("""
        Subject: outer
        Content-Type: message/global

        Subject: inner
        Content-Type: multipart/mixed; boundary=m

        --m

        first
        --m

        second
        --m--
        """)

    @Test func rootEncapsulatedMessageIsNumberedThroughPartOne() {
        let raw = Self.messageRoot
        let index = MessageIndex.parse(raw)
        #expect(index.root.isEncapsulatedMessage)
        #expect(index.section([1, 2], .complete, in: raw).map { String(decoding: $0, as: UTF8.self) } == "second")
        #expect(index.section([1], .header, in: raw).map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("Subject: inner") == true)
        #expect(index.section([1], .text, in: raw).map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("--m") == true)
        #expect(index.part(at: [1, 3]) == nil)
    }

    @Test func headerValuesReturnsEveryOccurrence() {
        let raw = Fixtures.crlf("Received: one\nReceived: two\n\n")
        #expect(MessageIndex.parse(raw).headerValues("received", in: raw) == ["one", "two"])
    }
}
