import Testing
@testable import IMAPCore

@Suite struct MailboxNameCodecTests {
    static let vectors: [(String, String)] = [
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("台北", "&U,BTFw-"),
        ("Müller GmbH", "M&APw-ller GmbH"),
        ("- Create New Opportunity", "- Create New Opportunity"),
        ("&", "&-"),
        ("Tom & Jerry", "Tom &- Jerry"),
        ("📧", "&2D3c5w-"),
        ("INBOX", "INBOX"),
        ("", ""),
    ]

    @Test(arguments: vectors)
    func modifiedUTF7EncodesAndDecodes(_ name: String, _ wire: String) throws {
        #expect(MailboxNameCodec.encode(name, utf8: false) == Array(wire.utf8))
        #expect(try MailboxNameCodec.decode(Array(wire.utf8), utf8: false) == name)
    }

    @Test(arguments: ["Ünïcödé 📧 mixed & more", "a&b&c", "日本語/台北/Grüße"])
    func modifiedUTF7RoundTrips(_ name: String) throws {
        #expect(try MailboxNameCodec.decode(MailboxNameCodec.encode(name, utf8: false), utf8: false) == name)
    }

    static let malformed: [(String, String)] = [
        ("&Jjo", "unterminated"),
        ("&Jj!o-", "invalid modified BASE64 character '!'"),
        ("&AGE-", "printable ASCII character 'a' encoded in base64"),
        ("&U,BTFw-&ZeVnLIqe-", "adjacent"),
        ("&2D0-", "unpaired surrogate"),
        ("&U,BTFx-", "padding bits"),
        ("&U/BTFw-", "invalid modified BASE64 character '/'"),
        ("&AA-", "whole UTF-16 units"),
        ("tab\there", "raw byte 0x09"),
    ]

    @Test(arguments: malformed)
    func malformedModifiedUTF7IsRejected(_ wire: String, _ fragment: String) {
        #expect {
            _ = try MailboxNameCodec.decode(Array(wire.utf8), utf8: false)
        } throws: { error in
            (error as? MailboxNameError)?.message.contains(fragment) == true
        }
    }

    @Test func rawUTF8IsRejectedInModifiedUTF7() {
        #expect(throws: MailboxNameError.self) { try MailboxNameCodec.decode(Array("Müller".utf8), utf8: false) }
    }

    @Test func utf8ModeValidatesUTF8() throws {
        #expect(try MailboxNameCodec.decode(Array("Müller 台北 📧".utf8), utf8: true) == "Müller 台北 📧")
        #expect(MailboxNameCodec.encode("台北", utf8: true) == Array("台北".utf8))
        #expect(throws: MailboxNameError.self) { try MailboxNameCodec.decode([0x4D, 0xC3, 0x28], utf8: true) }
    }

    @Test func inboxIsCaseInsensitive() {
        #expect(MailboxName("inBox").isInbox)
        #expect(!MailboxName("INBOX2").isInbox)
    }
}
