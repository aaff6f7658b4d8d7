import Testing
@testable import MIMECore

@Suite("Decoded content for BINARY and SEARCH")
struct DecodedContentTests {
    @Test func base64AttachmentIsDecoded() {
        let raw = Fixtures.mixedWithAttachment
        let decoded = MessageIndex.parse(raw).decodedBody([2], in: raw)
        #expect(decoded == Array("%PDF-1.4 test".utf8))
    }

    @Test func quotedPrintableIsDecoded() {
        let raw = Fixtures.alternative
        #expect(MessageIndex.parse(raw).decodedBody([2], in: raw) == Array("<p>Hello = html</p>".utf8))
    }

    @Test func sevenBitIsReturnedAsStored() {
        let raw = Fixtures.plain
        #expect(MessageIndex.parse(raw).decodedBody([1], in: raw) == Array("Shall we meet at noon?\r\nSee you.\r\n".utf8))
    }

    @Test func multipartAndUnknownEncodingGiveNil() {
        let nested = Fixtures.nested
        #expect(MessageIndex.parse(nested).decodedBody([1], in: nested) == nil)
        let raw = Fixtures.crlf("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n")
        #expect(MessageIndex.parse(raw).decodedBody([1], in: raw) == nil)
        #expect(MessageIndex.parse(raw).decodedBody([2], in: raw) == nil)
    }

    @Test func searchableTextConvertsLatin1QuotedPrintable() {
        let raw = Fixtures.latin1QuotedPrintable
        let text = MessageIndex.parse(raw).searchableText(in: raw)
        #expect(text == "Schöne Grüße aus München, mit einem sehr langen Satz, der umbrochen wird.\r\n")
    }

    @Test func searchableTextCoversAllTextPartsIncludingEncapsulated() {
        let raw = Fixtures.forwarded
        let text = MessageIndex.parse(raw).searchableText(in: raw)
        #expect(text == "Forwarding this.\nnumbers\n<i>numbers</i>")
    }

    @Test func searchableTextSkipsNonTextParts() {
        let raw = Fixtures.mixedWithAttachment
        #expect(MessageIndex.parse(raw).searchableText(in: raw) == "See attached.")
    }

    @Test func headerValuesAreUnfoldedAndDecoded() {
        let raw = Fixtures.mixedWithAttachment
        let index = MessageIndex.parse(raw)
        #expect(index.headerValues("subject", in: raw) == ["Müller report"])
        #expect(index.headerValues("From", in: raw) == ["\"Müller, Jörg\" <joerg@example.de>"])
        #expect(index.headerValues("X-Missing", in: raw) == [])
        let plain = Fixtures.plain
        #expect(MessageIndex.parse(plain).headerValues("References", in: plain) == ["<root@example.org> <earlier@example.org>"])
    }

    @Test func windows1252SearchText() {
        let raw = Array("Content-Type: text/plain; charset=windows-1252\r\n\r\n".utf8) + [0x80, 0x20, 0x93, 0x71, 0x94]
        #expect(MessageIndex.parse(raw).searchableText(in: raw) == "€ “q”")
    }
}
