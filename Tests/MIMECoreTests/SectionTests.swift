import IMAPCore
import Testing
@testable import MIMECore

@Suite("BODY[section] bytes")
struct SectionTests {
    private func section(_ raw: [UInt8], _ path: [Int], _ kind: SectionKind) -> String? {
        MessageIndex.parse(raw).section(path, kind, in: raw).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func emptyPathCompleteIsTheWholeMessage() {
        let raw = Fixtures.mixedWithAttachment
        #expect(MessageIndex.parse(raw).section([], .complete, in: raw) == raw)
    }

    @Test func partOneOfMultipartIsItsBody() {
        #expect(section(Fixtures.mixedWithAttachment, [1], .complete) == "See attached.")
    }

    @Test func partOneOfSinglePartMessageIsTheBody() {
        #expect(section(Fixtures.plain, [1], .complete) == "Shall we meet at noon?\r\nSee you.\r\n")
    }

    @Test func mimeHeaderOfPartOne() {
        #expect(section(Fixtures.alternative, [1], .mime) == "Content-Type: text/plain; charset=utf-8\r\n\r\n")
        #expect(section(Fixtures.alternative, [], .mime) == nil)
    }

    @Test func headerOfEncapsulatedMessage() {
        let header = section(Fixtures.forwarded, [2], .header)
        #expect(header?.hasPrefix("From: Carol <carol@example.net>\r\n") == true)
        #expect(header?.hasSuffix("boundary=\"in\"\r\n\r\n") == true)
    }

    @Test func headerOfNonMessagePartIsNil() {
        #expect(section(Fixtures.alternative, [2], .header) == nil)
        #expect(section(Fixtures.alternative, [2], .text) == nil)
        #expect(section(Fixtures.alternative, [9], .complete) == nil)
    }

    @Test func textOfMessageIsItsBody() {
        #expect(section(Fixtures.plain, [], .text) == "Shall we meet at noon?\r\nSee you.\r\n")
        #expect(section(Fixtures.forwarded, [2], .text)?.hasPrefix("--in\r\n") == true)
    }

    @Test func headerFieldsAreMatchedCaseInsensitivelyInMessageOrder() {
        #expect(section(Fixtures.plain, [], .headerFields(["SUBJECT", "from"]))
            == "From: Alice Example <alice@example.com>\r\nSubject: Lunch\r\n\r\n")
    }

    @Test func headerFieldsKeepFoldedLines() {
        #expect(section(Fixtures.plain, [], .headerFields(["References"]))
            == "References: <root@example.org>\r\n <earlier@example.org>\r\n\r\n")
    }

    @Test func headerFieldsNotExcludesNamedFields() {
        let rest = section(Fixtures.plain, [], .headerFieldsNot(["from", "to", "subject", "date", "references"]))
        #expect(rest == "Message-ID: <lunch-1@example.com>\r\nIn-Reply-To: <earlier@example.org>\r\n\r\n")
    }

    @Test func headerFieldsWithNoMatchIsJustTheBlankLine() {
        #expect(section(Fixtures.plain, [], .headerFields(["X-Nothing"])) == "\r\n")
    }

    @Test func headerWithoutBodyGetsBlankLineAppended() {
        let raw = Array("Subject: only header".utf8)
        #expect(section(raw, [], .header) == "Subject: only header\r\n\r\n")
        #expect(section(raw, [], .text) == "")
    }

    @Test func encapsulatedPartsAreReachableThroughTheMessage() {
        #expect(section(Fixtures.forwarded, [2, 1], .complete) == "numbers")
        #expect(section(Fixtures.forwarded, [2, 2], .mime) == "Content-Type: text/html\r\n\r\n")
    }

    @Test func rangesBeyondOtherBytesAreClampedNotTrapped() {
        let index = MessageIndex.parse(Fixtures.mixedWithAttachment)
        let short = Array(Fixtures.mixedWithAttachment.prefix(10))
        #expect(index.section([2], .complete, in: short) == [])
        _ = index.decodedBody([2], in: short)
        _ = index.searchableText(in: short)
    }
}
