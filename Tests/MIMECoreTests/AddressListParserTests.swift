import Testing
@testable import MIMECore

@Suite("RFC 5322 address lists")
struct AddressListParserTests {
    private func parse(_ s: String) -> [MessageAddress] { AddressListParser.parse(Array(s.utf8)) }
    private func a(_ name: String?, _ mailbox: String?, _ host: String?, adl: String? = nil) -> MessageAddress {
        MessageAddress(name: name.map { Array($0.utf8) }, adl: adl.map { Array($0.utf8) },
                       mailbox: mailbox.map { Array($0.utf8) }, host: host.map { Array($0.utf8) })
    }

    @Test func emptyGroupBecomesStartAndEnd() {
        #expect(parse("undisclosed-recipients:;") == [a(nil, "undisclosed-recipients", nil), a(nil, nil, nil)])
    }

    @Test func groupWithMembers() {
        #expect(parse("Team: ann@x.org, \"Ben B.\" <ben@x.org>; , zed@y.org") == [
            a(nil, "Team", nil), a(nil, "ann", "x.org"), a("Ben B.", "ben", "x.org"), a(nil, nil, nil), a(nil, "zed", "y.org"),
        ])
    }

    @Test func quotedNameWithCommaStaysOneAddress() {
        #expect(parse("\"Doe, John\" <john@example.com>") == [a("Doe, John", "john", "example.com")])
    }

    @Test func commentBecomesNameWhenThereIsNone() {
        #expect(parse("john@example.com (John Doe)") == [a("John Doe", "john", "example.com")])
    }

    @Test func commentsInsideAngleAddressAreIgnored() {
        #expect(parse("Jane <jane(at work)@example.com>") == [a("Jane", "jane", "example.com")])
    }

    @Test func obsoleteRouteGoesToADL() {
        #expect(parse("<@relay1.org,@relay2.org:user@host.org>") == [a(nil, "user", "host.org", adl: "@relay1.org,@relay2.org")])
    }

    @Test func encodedWordNameIsKeptEncoded() {
        #expect(parse("=?utf-8?Q?J=C3=B6rg?= <j@x.de>") == [a("=?utf-8?Q?J=C3=B6rg?=", "j", "x.de")])
    }

    @Test func mailboxWithoutDomainGetsEmptyHostNotNil() {
        #expect(parse("MAILER-DAEMON") == [a(nil, "MAILER-DAEMON", "")])
    }

    @Test func emptyAngleAddressIsDropped() {
        #expect(parse("<>").isEmpty)
        #expect(parse(" , ,a@b.c,,").count == 1)
    }
}
