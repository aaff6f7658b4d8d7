import Foundation
import Testing
@testable import MIMECore

@Suite("7-bit conversion of messages with NUL octets")
struct SevenBitConversionTests {
    @Test func aMessageWithoutNULStaysByteForByte() {
        let raw = Array("From: a@example.org\r\nSubject: x\r\n\r\nplain\r\n".utf8)
        #expect(SevenBitConversion.safe(raw) == raw)
    }

    @Test func onlyThePartWithNULBecomesBase64AndDecodesBackToItsOctets() throws {
        let binary: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0x0D, 0x0A]
        let raw = Array("""
            From: a@example.org\r
            Subject: mixed\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            hello\r
            --b\r
            Content-Type: application/octet-stream\r
            Content-Transfer-Encoding:\r
             binary\r
            X-Kept: yes\r
            \r

            """.utf8) + binary + Array("--b--\r\n".utf8)
        let converted = SevenBitConversion.safe(raw)
        #expect(!converted.contains(0))
        let text = String(decoding: converted, as: UTF8.self)
        #expect(text.contains("--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"), "the other part is untouched")
        #expect(text.contains("Content-Type: application/octet-stream\r\nX-Kept: yes\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(!text.contains(" binary"), "the folded old encoding is gone")
        let index = MessageIndex.parse(converted)
        let part = try #require(index.part(at: [2]))
        #expect(part.transferEncoding == "base64")
        let decoded = index.decodedBody([2], window: Array(converted[part.bodyRange]), at: part.bodyRange.lowerBound)
        #expect(decoded == Array(binary.dropLast(2)), "the CRLF before the delimiter belongs to the delimiter")
    }
}
