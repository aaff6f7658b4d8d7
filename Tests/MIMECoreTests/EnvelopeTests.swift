import Foundation
import IMAPCore
import Testing
@testable import MIMECore

@Suite("ENVELOPE and threading headers")
struct EnvelopeTests {
    private func address(_ name: String?, _ mailbox: String?, _ host: String?, adl: String? = nil) -> EnvelopeAddress {
        EnvelopeAddress(name: name.map { Array($0.utf8) }, adl: adl.map { Array($0.utf8) },
                        mailbox: mailbox.map { Array($0.utf8) }, host: host.map { Array($0.utf8) })
    }

    @Test func plainMessageEnvelopeFields() {
        let index = MessageIndex.parse(Fixtures.plain)
        let envelope = index.envelope
        #expect(Fixtures.string(envelope.date) == "Tue, 14 Jun 2022 10:00:00 +0200")
        #expect(Fixtures.string(envelope.subject) == "Lunch")
        #expect(envelope.from == [address("Alice Example", "alice", "example.com")])
        #expect(envelope.to == [address("Bob", "bob", "example.org"), address(nil, "carol", "example.net")])
        #expect(envelope.cc.isEmpty && envelope.bcc.isEmpty)
        #expect(Fixtures.string(envelope.messageID) == "<lunch-1@example.com>")
        #expect(Fixtures.string(envelope.inReplyTo) == "<earlier@example.org>")
    }

    @Test func senderAndReplyToDefaultToFrom() {
        let envelope = MessageIndex.parse(Fixtures.plain).envelope
        #expect(envelope.sender == envelope.from)
        #expect(envelope.replyTo == envelope.from)
    }

    @Test func explicitSenderAndReplyToAreKept() {
        let raw = Fixtures.crlf("From: a@x.com\nSender: s@x.com\nReply-To: r@x.com\n\n")
        let envelope = MessageIndex.parse(raw).envelope
        #expect(envelope.sender == [address(nil, "s", "x.com")])
        #expect(envelope.replyTo == [address(nil, "r", "x.com")])
    }

    @Test func subjectStaysEncodedAndUnfolded() {
        let raw = Fixtures.crlf("Subject: =?utf-8?B?R3LDvMOfZQ==?=\n and more\n\n")
        #expect(Fixtures.string(MessageIndex.parse(raw).envelope.subject) == "=?utf-8?B?R3LDvMOfZQ==?= and more")
    }

    @Test func missingDateAndFromGiveEmptyFields() {
        let raw = Fixtures.crlf("Subject: none\n\nbody\n")
        let index = MessageIndex.parse(raw)
        #expect(index.envelope.date == nil)
        #expect(index.envelope.from.isEmpty && index.envelope.sender.isEmpty && index.envelope.replyTo.isEmpty)
        #expect(index.sentDate == nil)
        #expect(index.messageID == nil)
    }

    @Test func threadingHeadersAreExtracted() {
        let index = MessageIndex.parse(Fixtures.plain)
        #expect(index.messageID == "<lunch-1@example.com>")
        #expect(index.inReplyTo == "<earlier@example.org>")
        #expect(index.references == ["<root@example.org>", "<earlier@example.org>"])
        #expect(index.sentDate == Date(timeIntervalSince1970: 1_655_193_600))
    }

    @Test func encapsulatedMessageHasItsOwnEnvelope() throws {
        let index = MessageIndex.parse(Fixtures.forwarded)
        guard case .multipart(let mixed) = index.bodyStructure,
              case .singlepart(let part) = mixed.parts[1],
              case .message(_, let envelope, _, _) = part.kind else {
            Issue.record("expected message/rfc822 as part 2")
            return
        }
        #expect(Fixtures.string(envelope.subject) == "Quarterly")
        #expect(envelope.from == [address("Carol", "carol", "example.net")])
        #expect(envelope.sender == envelope.from)
    }
}
