import Foundation
import Testing
@testable import MIMECore

@Suite("MessageIndex in its JSON form, which earlier versions stored")
struct CodableTests {
    static let messages: [[UInt8]] = [
        Fixtures.plain, Fixtures.alternative, Fixtures.mixedWithAttachment, Fixtures.nested, Fixtures.forwarded,
        Fixtures.latin1QuotedPrintable,
        Array("Subject: ".utf8) + [0xE4, 0xF6, 0xFC] + Array("\r\nFrom: ".utf8) + [0xC4] + Array(" <a@b.c>\r\n\r\nx".utf8),
    ]

    @Test(arguments: messages)
    func roundTripIsLossless(raw: [UInt8]) throws {
        let index = MessageIndex.parse(raw)
        let data = try JSONEncoder().encode(index)
        let decoded = try JSONDecoder().decode(MessageIndex.self, from: data)
        #expect(decoded == index)
        #expect(decoded.bodyStructure == index.bodyStructure)
        #expect(decoded.envelope == index.envelope)
    }

    @Test func nonUTF8HeaderBytesSurviveTheRoundTrip() throws {
        let raw = Array("Subject: ".utf8) + [0xE4, 0xF6] + Array("\r\n\r\n".utf8)
        let index = MessageIndex.parse(raw)
        let decoded = try JSONDecoder().decode(MessageIndex.self, from: JSONEncoder().encode(index))
        #expect(decoded.envelope.subject == [0xE4, 0xF6])
    }

    @Test func utf8HeaderBytesAreStoredAsJSONStrings() throws {
        let json = try JSONEncoder().encode(MessageIndex.parse(Fixtures.plain))
        #expect(String(decoding: json, as: UTF8.self).contains("\"subject\":\"Lunch\""))
    }
}
