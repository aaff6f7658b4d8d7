import Foundation
import IMAPCore
import Testing
@testable import MIMECore

@Suite("Building messages")
struct MessageBuilderTests {
    private func build(subject: String, body: MIMEBody) -> [UInt8] {
        MessageBuilder.build(fields: [
            .init("From", MessageBuilder.address(name: "Embedded CRM", "crm@crmgate.invalid"), structured: true),
            .init("Subject", subject),
            .init("Date", MessageBuilder.date(Date(timeIntervalSince1970: 1_796_000_000)), structured: true),
        ], body: body)
    }

    @Test(arguments: ["Plain subject", "Website redesign — Acme Corp · Proposal · $12,000 · closes 15 Dec",
                      "Müller GmbH: Angebot für Grüße aus Köln und noch viel mehr Text, der lang genug ist, um umzubrechen"])
    func subjectsRoundTripThroughTheParser(_ subject: String) {
        let raw = build(subject: subject, body: .text("Hi"))
        let index = MessageIndex.parse(raw)
        #expect(index.headerValues("Subject", in: raw) == [subject])
        #expect(raw.split(separator: 0x0A).allSatisfy { $0.count <= 998 })
    }

    @Test func alternativeBodyHasTextAndHTMLPartsThatDecode() {
        let text = "Stage: Proposal\nAmount: 12 000 €\n" + String(repeating: "long line ", count: 20)
        let html = "<p style=\"color:#333\">Stage: <b>Proposal</b> — 12 000 €</p>"
        let raw = build(subject: "S", body: .multipart(subtype: "alternative", parts: [.text(text), .text(html, subtype: "html")]))
        let index = MessageIndex.parse(raw)
        guard case .multipart(let multipart) = index.bodyStructure else {
            Issue.record("expected a multipart body"); return
        }
        #expect(multipart.subtype.uppercased() == "ALTERNATIVE" && multipart.parts.count == 2)
        let plain = String(decoding: index.decodedBody([1], in: raw) ?? [], as: UTF8.self)
        let rich = String(decoding: index.decodedBody([2], in: raw) ?? [], as: UTF8.self)
        // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1).
        #expect(Array((plain + "\r\n").utf8) == MessageBuilder.crlfLines(text))
        #expect(Array((rich + "\r\n").utf8) == MessageBuilder.crlfLines(html))
        #expect(raw.split(separator: 0x0A).allSatisfy { $0.count <= 78 })
    }

    @Test func everyLineEndingBecomesCRLFWithAFinalLineBreak() {
        let cases: [(String, String)] = [
            ("", "\r\n"), ("a", "a\r\n"), ("a\n", "a\r\n"), ("a\r\n", "a\r\n"), ("a\rb", "a\r\nb\r\n"),
            ("a\n\nb", "a\r\n\r\nb\r\n"), ("a\r\rb", "a\r\n\r\nb\r\n"), ("a\n\r\nb\r", "a\r\n\r\nb\r\n"), ("ü €\n", "ü €\r\n"),
        ]
        for (text, expected) in cases {
            #expect(MessageBuilder.crlfLines(text) == Array(expected.utf8), "\(text.debugDescription)")
        }
    }

    @Test func attachmentsKeepTheirBytesAndNonASCIIFilenames() {
        let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let raw = build(subject: "S", body: .multipart(subtype: "mixed", parts: [
            .text("see attached"), .attachment(filename: "Angebot Müller.pdf", contentType: "application/pdf", data: data),
        ]))
        let index = MessageIndex.parse(raw)
        #expect(index.decodedBody([2], in: raw) == data)
        #expect(index.part(at: [2])?.disposition?.parameters["filename"] == "Angebot Müller.pdf")
    }

    @Test func sameInputGivesTheSameBytes() {
        let body = MIMEBody.multipart(subtype: "alternative", parts: [.text("a"), .text("<p>a</p>", subtype: "html")])
        #expect(build(subject: "x", body: body) == build(subject: "x", body: body))
    }

    @Test func quotedPrintableEscapesTrailingSpaceAndEquals() {
        let encoded = String(decoding: MessageBuilder.quotedPrintable(Array("a = b \r\nc".utf8)), as: UTF8.self)
        #expect(encoded == "a =3D b=20\r\nc")
    }

    @Test func quotedPrintableRoundTripsAndKeepsLinesShort() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let lines = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    .filter { $0 != 0x0D && $0 != 0x0A }
            }
            let text = Array(lines.joined(separator: [0x0D, 0x0A]))
            let encoded = MessageBuilder.quotedPrintable(text)
            #expect(TransferDecoding.quotedPrintable(encoded) == text)
            #expect(encoded.split(separator: 0x0A, omittingEmptySubsequences: false).allSatisfy { $0.count <= 77 })
        }
    }

    @Test func datesAreWrittenAsAFormatterWritesThem() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var generator = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, -1, -86_400, 86_399.9, 951_782_400, 951_868_799, 1_796_000_000, 4_107_542_399, -2_208_988_800]
        for seconds in fixed + (0..<2000).map({ _ in TimeInterval(Int64.random(in: -4_000_000_000...8_000_000_000, using: &generator)) }) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(MessageBuilder.date(date) == formatter.string(from: date), "\(seconds)")
        }
    }
}
