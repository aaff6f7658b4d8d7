import Foundation
import Testing
@testable import MIMECore

@Suite("MessageIndex.parse builds the MIME tree")
struct MessageIndexParseTests {
    private func text(_ raw: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: raw[range], as: UTF8.self)
    }

    @Test func plainMessageHasOneTextBodyWithDefaults() {
        let raw = Fixtures.plain
        let index = MessageIndex.parse(raw)
        #expect(index.root.contentType == "text/plain")
        #expect(index.root.parameters == ["charset": "us-ascii"])
        #expect(index.root.transferEncoding == "7bit")
        #expect(index.root.children.isEmpty)
        #expect(text(raw, index.root.bodyRange) == "Shall we meet at noon?\r\nSee you.\r\n")
        #expect(index.root.headerRange.lowerBound == 0)
        #expect(index.root.headerRange.upperBound == index.root.bodyRange.lowerBound)
        #expect(text(raw, index.root.headerRange).hasSuffix("<earlier@example.org>\r\n\r\n"))
        #expect(index.root.lines == 2)
        #expect(index.size == raw.count)
    }

    @Test func multipartAlternativeSplitsIntoTwoParts() {
        let raw = Fixtures.alternative
        let index = MessageIndex.parse(raw)
        #expect(index.root.contentType == "multipart/alternative")
        #expect(index.root.parameters["boundary"] == "alt")
        #expect(index.root.children.map(\.contentType) == ["text/plain", "text/html"])
        #expect(text(raw, index.root.children[0].bodyRange) == "Hello plain")
        #expect(text(raw, index.root.children[1].bodyRange) == "<p>Hello =3D html</p>")
        #expect(index.root.children[1].transferEncoding == "quoted-printable")
        #expect(text(raw, index.root.children[0].headerRange) == "Content-Type: text/plain; charset=utf-8\r\n\r\n")
    }

    @Test func attachmentParametersAreRFC2231Decoded() throws {
        let index = MessageIndex.parse(Fixtures.mixedWithAttachment)
        let attachment = try #require(index.part(at: [2]))
        #expect(attachment.contentType == "application/pdf")
        #expect(attachment.parameters["name"] == "Müller.pdf")
        #expect(attachment.disposition == ContentDisposition(kind: "attachment", parameters: ["filename": "Müller.pdf"]))
        #expect(Fixtures.string(attachment.contentID) == "<pdf1@example.de>")
        #expect(Fixtures.string(attachment.contentDescription) == "The report")
        #expect(index.part(at: [1])?.language == ["en", "de"])
    }

    @Test func nestedMultipartKeepsItsShape() throws {
        let raw = Fixtures.nested
        let index = MessageIndex.parse(raw)
        #expect(index.root.children.count == 2)
        let alternative = try #require(index.part(at: [1]))
        #expect(alternative.contentType == "multipart/alternative")
        #expect(alternative.children.count == 2)
        #expect(index.part(at: [1, 2]).map { text(raw, $0.bodyRange) } == "<b>inner html</b>")
        #expect(index.part(at: [2]).map { text(raw, $0.bodyRange) } == "iVBORw0KGgo=")
        #expect(index.part(at: [3]) == nil)
        #expect(index.part(at: [2, 1]) == nil)
    }

    @Test func encapsulatedMessageIsOneChildCoveringTheWholeMessage() throws {
        let raw = Fixtures.forwarded
        let index = MessageIndex.parse(raw)
        let attached = try #require(index.part(at: [2]))
        #expect(attached.isEncapsulatedMessage)
        let inner = try #require(attached.children.first)
        #expect(inner.headerRange.lowerBound == attached.bodyRange.lowerBound)
        #expect(inner.bodyRange.upperBound == attached.bodyRange.upperBound)
        #expect(inner.contentType == "multipart/alternative")
        #expect(Fixtures.string(inner.envelope?.subject) == "Quarterly")
        #expect(index.part(at: [2, 1]).map { text(raw, $0.bodyRange) } == "numbers")
        #expect(index.part(at: [2, 2]).map { text(raw, $0.bodyRange) } == "<i>numbers</i>")
        #expect(index.part(at: [2, 3]) == nil)
    }

    @Test func nonMultipartBodyIsPartOne() {
        let index = MessageIndex.parse(Fixtures.plain)
        #expect(index.part(at: []) == index.root)
        #expect(index.part(at: [1]) == index.root)
        #expect(index.part(at: [2]) == nil)
        #expect(index.part(at: [1, 1]) == nil)
        #expect(index.part(at: [0]) == nil)
    }

    @Test func missingClosingBoundaryEndsLastPartAtEndOfMessage() {
        let raw = Fixtures.crlf("""
            Content-Type: multipart/mixed; boundary=x

            --x
            Content-Type: text/plain

            one
            --x

            two
            """)
        let index = MessageIndex.parse(raw)
        #expect(index.root.children.count == 2)
        #expect(index.part(at: [2]).map { text(raw, $0.bodyRange) } == "two")
        #expect(index.part(at: [2])?.contentType == "text/plain")
        #expect(index.root.bodyRange.upperBound == raw.count)
    }

    @Test func outerDelimiterClosesInnerMultipartWithoutItsCloseDelimiter() {
        let raw = Fixtures.crlf("""
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner

            a
            --outer

            b
            --outer--
            """)
        let index = MessageIndex.parse(raw)
        #expect(index.root.children.count == 2)
        #expect(index.part(at: [1, 1]).map { text(raw, $0.bodyRange) } == "a")
        #expect(index.part(at: [2]).map { text(raw, $0.bodyRange) } == "b")
    }

    @Test func bareLineFeedMessageIsParsed() {
        let raw = Array("""
            Subject: bare\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain\n\nline one\nline two\n--z--\n
            """.utf8)
        let index = MessageIndex.parse(raw)
        #expect(index.root.children.count == 1)
        #expect(index.part(at: [1]).map { text(raw, $0.bodyRange) } == "line one\nline two")
        #expect(index.part(at: [1])?.lines == 2)
        #expect(index.headerValues("subject", in: raw) == ["bare"])
    }

    @Test func missingHeadersStillYieldATextBody() {
        let raw = Fixtures.crlf("just a body line\nand another\n")
        let index = MessageIndex.parse(raw)
        #expect(index.root.contentType == "text/plain")
        #expect(index.root.bodyRange == 0..<raw.count)
        #expect(index.envelope.from.isEmpty)
        #expect(index.sentDate == nil)
    }

    @Test(arguments: [
        [UInt8](),
        [0x00, 0x00, 0x0A],
        Array("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n".utf8),
        Array("Content-Type: multipart/mixed\r\n\r\nno boundary parameter".utf8),
        Array("Content-Type: message/rfc822\r\n\r\n".utf8),
        Array("Subject: \u{00}\r\n\tcontinued\r\n\r\n--".utf8),
        Array("\r\n".utf8),
        Array("Content-Type: text/plain; charset*0*=utf-8''%C3; charset*2=x\r\n\r\n".utf8),
        [0xFF, 0xFE, 0x3A, 0x0D, 0x0A, 0x0D],
    ])
    func brokenInputNeverTraps(raw: [UInt8]) {
        let index = MessageIndex.parse(raw)
        #expect(index.root.bodyRange.upperBound <= raw.count)
        _ = index.bodyStructure
        _ = index.envelope
        _ = index.section([1], .mime, in: raw)
        _ = index.section([], .header, in: raw)
        _ = index.searchableText(in: raw)
    }

    @Test func eightBitUTF8HeadersAreKept() {
        let raw = Fixtures.crlf("""
            From: Jörg Müller <joerg@example.de>
            Subject: Grüße aus Köln

            Hallo
            """)
        let index = MessageIndex.parse(raw)
        #expect(Fixtures.string(index.envelope.subject) == "Grüße aus Köln")
        #expect(Fixtures.string(index.envelope.from.first?.name) == "Jörg Müller")
        #expect(index.headerValues("Subject", in: raw) == ["Grüße aus Köln"])
    }

    @Test func nestingBeyondMaxDepthStopsSplitting() {
        let depth = 40
        var text = "Subject: deep\n"
        for level in 0..<depth {
            text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n"
        }
        text += "Content-Type: text/plain\n\ncore\n"
        for level in (0..<depth).reversed() { text += "--b\(level)--\n" }
        let raw = Fixtures.crlf(text)
        let index = MessageIndex.parse(raw, limits: MIMELimits(maxDepth: 32))
        var levels = 0
        var node = index.root
        while let child = node.children.first {
            levels += 1
            node = child
        }
        #expect(levels == 32)
        #expect(node.bodyRange.upperBound <= raw.count)
        _ = index.bodyStructure
    }

    @Test func partCountIsLimited() {
        var text = "Content-Type: multipart/mixed; boundary=p\n\n"
        for n in 0..<50 { text += "--p\n\npart \(n)\n" }
        text += "--p--\n"
        let index = MessageIndex.parse(Fixtures.crlf(text), limits: MIMELimits(maxParts: 10))
        #expect(index.root.children.count == 9)
    }

    @Test func digestPartsDefaultToMessageRFC822() {
        let raw = Fixtures.crlf("""
            Content-Type: multipart/digest; boundary=d

            --d

            Subject: first

            body
            --d--
            """)
        let index = MessageIndex.parse(raw)
        #expect(index.part(at: [1])?.contentType == "message/rfc822")
        #expect(Fixtures.string(index.part(at: [1])?.children.first?.envelope?.subject) == "first")
    }

    @Test func twentyMegabyteBase64AttachmentParsesWithCorrectOffsets() throws {
        let line = Array(String(repeating: "QUJD", count: 19).utf8) + [0x0D, 0x0A]  // 76 chars + CRLF
        let lineCount = 20 * 1024 * 1024 / line.count
        var raw = Fixtures.crlf("""
            From: big@example.com
            Subject: big
            Content-Type: multipart/mixed; boundary="big-boundary"

            --big-boundary
            Content-Type: text/plain

            see attachment
            --big-boundary
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            """)
        let bodyStart = raw.count
        raw.reserveCapacity(raw.count + lineCount * line.count + 100)
        for _ in 0..<lineCount { raw.append(contentsOf: line) }
        let bodyEnd = raw.count - 2
        raw += Fixtures.crlf("--big-boundary--\n")

        let clock = ContinuousClock()
        var index: MessageIndex?
        let elapsed = clock.measure { index = MessageIndex.parse(raw) }
        let attachment = try #require(index?.part(at: [2]))
        #expect(attachment.bodyRange == bodyStart..<bodyEnd)
        #expect(attachment.lines == lineCount)
        #expect(elapsed < .seconds(10))
        let decoded = try #require(index?.decodedBody([2], in: raw))
        #expect(decoded.count == lineCount * 57)
        #expect(decoded.prefix(3) == [0x41, 0x42, 0x43])
    }
}
