import Foundation
import Testing
@testable import MIMECore

@Suite("MessageIndex is stored in a binary form")
struct StoredIndexTests {
    /// Every field set, none left at its default.
    static let everyField: MessageIndex = {
        let address = MessageAddress(name: Array("Ann".utf8), adl: Array("@relay.example".utf8), mailbox: Array("ann".utf8), host: Array("x.example".utf8))
        let envelope = MessageEnvelope(date: Array("Mon, 7 Dec 2026 08:00:00 +0000".utf8), subject: [0xE4, 0xF6],
                                       from: [address], sender: [address], replyTo: [address], to: [address, address],
                                       cc: [address], bcc: [MessageAddress(mailbox: nil, host: nil)],
                                       inReplyTo: Array("<a@x>".utf8), messageID: Array("<b@x>".utf8))
        let attachment = MessagePart(headerRange: 300..<380, bodyRange: 380..<900, contentType: "application/pdf",
                                     parameters: ["name": "figures.pdf", "x-mode": "ä"], transferEncoding: "base64", lines: 9,
                                     contentID: Array("<part1@x>".utf8), contentDescription: Array("Figures".utf8),
                                     contentMD5: Array("Q2hlY2sgSW50ZWdyaXR5IQ==".utf8),
                                     disposition: ContentDisposition(kind: "attachment", parameters: ["filename": "figures.pdf"]),
                                     language: ["en", "de"], location: Array("http://x.example/f.pdf".utf8))
        let root = MessagePart(headerRange: 0..<200, bodyRange: 200..<1000, contentType: "multipart/mixed",
                               parameters: ["boundary": "b1"], children: [attachment], lines: 30, envelope: envelope)
        return MessageIndex(root: root, size: 1000, sentDate: Date(timeIntervalSinceReferenceDate: 818_323_200.123_456),
                            messageID: "<b@x>", inReplyTo: "<a@x>", references: ["<0@x>", "<a@x>"])
    }()

    static let indexes = CodableTests.messages.map { MessageIndex.parse($0) } + [everyField]

    @Test(arguments: indexes)
    func theStoredFormReadsBackUnchanged(index: MessageIndex) throws {
        let decoded = try MessageIndex(stored: index.stored)
        #expect(decoded == index)
        #expect(decoded.bodyStructure == index.bodyStructure)
        #expect(decoded.envelope == index.envelope)
    }

    @Test(arguments: indexes)
    func indexesStoredAsJSONByEarlierVersionsStillRead(index: MessageIndex) throws {
        #expect(try MessageIndex(stored: JSONEncoder().encode(index)) == index)
    }

    @Test func theSameIndexAlwaysGivesTheSameBytes() {
        var other = Self.everyField
        other.root.children[0].parameters = Dictionary(uniqueKeysWithValues: Self.everyField.root.children[0].parameters.sorted { $0.key > $1.key })
        #expect(other.stored == Self.everyField.stored)
    }

    @Test func everyCutShortFormIsRefusedWithTheByteItEndsAt() {
        let stored = Self.everyField.stored
        for length in 0..<stored.count {
            #expect(throws: StoredIndexError.self, "cut at \(length)") { try MessageIndex(stored: stored[..<length]) }
        }
        #expect(throws: StoredIndexError(reason: "cut short", offset: 1)) { try MessageIndex(stored: [0xB1]) }
    }

    @Test func bytesAfterTheIndexAreRefused() {
        let stored = MessageIndex.parse(Fixtures.plain).stored
        #expect(throws: StoredIndexError(reason: "1 trailing bytes after the index", offset: stored.count)) { try MessageIndex(stored: stored + [0]) }
    }

    @Test func aCountLargerThanTheBytesLeftIsRefusedBeforeAnythingIsAllocated() {
        // size 0, no date, no Message-ID, no In-Reply-To, then 2^56 references.
        let stored: [UInt8] = [0xB1, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(throws: StoredIndexError(reason: "a count of \(1 << 56) with 0 bytes left", offset: stored.count)) {
            try MessageIndex(stored: stored)
        }
    }

    @Test func anIntegerPastSixtyThreeBitsIsRefused() {
        let stored: [UInt8] = [0xB1] + [UInt8](repeating: 0xFF, count: 8) + [0x80]
        #expect(throws: StoredIndexError(reason: "an integer too large", offset: 9)) { try MessageIndex(stored: stored) }
    }

    @Test func partsNestedTooDeepAreRefusedWithoutExhaustingTheStack() {
        var part = MessagePart(headerRange: 0..<0, bodyRange: 0..<0)
        for _ in 0..<300 { part = MessagePart(headerRange: 0..<0, bodyRange: 0..<0, contentType: "message/rfc822", children: [part]) }
        let stored = MessageIndex(root: part, size: 0).stored
        let error = #expect(throws: StoredIndexError.self) { try MessageIndex(stored: stored) }
        #expect(error?.reason == "parts nested deeper than 256")
    }

    @Test func aFormatThatIsNeitherIsRefused() {
        #expect(throws: StoredIndexError(reason: "unknown format 0", offset: 0)) { try MessageIndex(stored: [0]) }
        #expect(throws: StoredIndexError(reason: "unknown format (empty)", offset: 0)) { try MessageIndex(stored: []) }
    }

    @Test func corruptedBytesAreRefusedOrReadButNeverTrap() {
        let stored = Self.everyField.stored
        var seed: UInt64 = 0x2026_1207
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33)
        }
        for _ in 0..<5_000 {
            var bytes = stored
            for _ in 0...(next() % 3) { bytes[1 + next() % (bytes.count - 1)] = UInt8(truncatingIfNeeded: next()) }
            _ = try? MessageIndex(stored: bytes)
        }
    }
}
