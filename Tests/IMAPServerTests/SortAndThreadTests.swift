import Foundation
import IMAPCore
import Testing
@testable import IMAPServer

@Suite("SORT and THREAD: base subjects and thread output (RFC 5256)")
struct SortAndThreadTests {
    @Test(arguments: [
        ("Re: Budget", "BUDGET", true), ("RE: re: Fwd: budget", "BUDGET", true), ("[list] Re: [list] Budget", "BUDGET", true),
        ("[list] Budget", "BUDGET", false), ("Budget (fwd)", "BUDGET", true), ("[Fwd: Re: Budget]", "BUDGET", true),
        ("Fw:Budget  \t planning", "BUDGET PLANNING", true), ("=?utf-8?q?Re=3A_Gr=C3=BC=C3=9Fe?=", "GRüßE", true),
        ("[only a tag]", "[ONLY A TAG]", false), ("Report: numbers", "REPORT: NUMBERS", false), ("", "", false),
        ("Re[2]: Budget", "BUDGET", true),
    ])
    func baseSubjectsLoseTheirReplyMarksAndListTags(_ raw: String, _ base: String, _ reply: Bool) {
        let subject = BaseSubject(Array(raw.utf8))
        #expect(subject.text == base, "\(raw)")
        #expect(subject.isReplyOrForward == reply, "\(raw)")
    }

    @Test func anESORTResultKeepsItsOrderAndRangesOnlyAscendingRuns() {
        var result = ESearchResponse(tag: "a1", uid: true, min: 9, max: 3, count: 6)
        result.sortedAll = [9, 1, 2, 3, 7, 3]
        #expect(String(decoding: ResponseEncoder.encode(.untagged(.esearch(result))), as: UTF8.self)
            == "* ESEARCH (TAG \"a1\") UID MIN 9 MAX 3 ALL 9,1:3,7,3 COUNT 6\r\n")
    }

    @Test(arguments: [
        ("/INBOX;UIDVALIDITY=385759045/;UID=20", "INBOX", 385_759_045, 20, "[]", nil),
        ("imap://joe@example.com/Sent%20Items/;UID=7/;SECTION=1.2.MIME/;PARTIAL=10.200", "Sent Items", nil, 7, "[1.2.MIME]", 10),
        ("/Archive/;UID=3/;SECTION=HEADER", "Archive", nil, 3, "[HEADER]", nil),
    ] as [(String, String, UInt32?, UInt32, String, Int?)])
    func imapURLsNameAMessageAndItsSection(_ text: String, _ mailbox: String, _ validity: UInt32?, _ uid: UInt32, _ section: String, _ offset: Int?) throws {
        let url = try #require(IMAPURL(text))
        #expect(url.mailbox == mailbox && url.uidValidity == validity && url.uid == uid && url.partial?.offset == offset)
        #expect(url.section == SectionSpec(text: String(section.dropFirst().dropLast())))
    }

    @Test(arguments: ["INBOX/;UID=1", "/INBOX", "/INBOX/;UID=0", "/INBOX/;UID=1/;SECTION=9.FOO", "/INBOX;UIDVALIDITY=x/;UID=1", "/INBOX/;ORDER=1"])
    func urlsThatLeadNowhereAreRefused(_ text: String) {
        #expect(IMAPURL(text) == nil, "\(text)")
    }

    @Test func threadsAreWrittenAsRFC5256Lists() {
        let chain = ThreadNode(1, [ThreadNode(2, [ThreadNode(3)])])
        #expect(chain.text == "(1 2 3)")
        let branches = ThreadNode(3, [ThreadNode(6, [ThreadNode(4, [ThreadNode(23)]), ThreadNode(44, [ThreadNode(7, [ThreadNode(96)])])])])
        #expect(branches.text == "(3 6 (4 23)(44 7 96))", "the RFC's example")
        #expect(ThreadNode(nil, [ThreadNode(5), ThreadNode(6)]).text == "((5)(6))", "a missing parent")
        #expect(String(decoding: ResponseEncoder.encode(.untagged(.thread([ThreadNode(2), branches]))), as: UTF8.self)
            == "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n")
        #expect(String(decoding: ResponseEncoder.encode(.untagged(.thread([]))), as: UTF8.self) == "* THREAD\r\n", "an empty result")
        #expect(String(decoding: ResponseEncoder.encode(.untagged(.sort([]))), as: UTF8.self) == "* SORT\r\n")
    }
}
