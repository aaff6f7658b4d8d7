import IMAPCore
import Testing

@testable import Upstream

@Suite("UpstreamNames: mailbox names between clients and the upstream")
struct UpstreamNamesTests {
    @Test func slashUpstreamsKeepNamesAndEncodeModifiedUTF7() throws {
        let names = UpstreamNames()
        #expect(try names.upstreamName("Kunden/Müller GmbH") == MailboxName("Kunden/M&APw-ller GmbH"))
        #expect(try names.clientName(MailboxName("Kunden/M&APw-ller GmbH")) == "Kunden/Müller GmbH")
    }

    @Test func dotUpstreamsTranslateTheDelimiterBothWays() throws {
        let names = UpstreamNames(delimiter: UInt8(ascii: "."))
        #expect(try names.upstreamName("Projects/Acme") == MailboxName("Projects.Acme"))
        #expect(try names.clientName(MailboxName("Projects.Acme")) == "Projects/Acme")
        #expect(names.upstreamPattern("Projects/%") == Array("Projects.%".utf8))
    }

    @Test func aNameHoldingTheUpstreamDelimiterIsRefusedWithAdvice() {
        let names = UpstreamNames(delimiter: UInt8(ascii: "."))
        #expect(throws: MailboxNameError.self) { try names.upstreamName("Version 1.2") }
    }

    @Test func utf8UpstreamsTakeUTF8AndInboxIsInboxInAnyCase() throws {
        let names = UpstreamNames(utf8: true)
        #expect(try names.upstreamName("報告") == MailboxName("報告"))
        #expect(try names.clientName(MailboxName("inbox")) == "INBOX")
        #expect(try UpstreamNames().clientName(MailboxName("Inbox")) == "INBOX")
    }
}
