import Testing
@testable import IMAPServer

@Suite("Upstream backend: reading relayed responses")
struct UpstreamBackendTests {
    @Test func mentionsFindsAWordInAnyCaseAndNothingElse() {
        #expect(UpstreamBackend.mentions(Array("* OK [UIDVALIDITY 1700000000] UIDs valid".utf8), "UIDVALIDITY"))
        #expect(UpstreamBackend.mentions(Array("* ok [uidvalidity 5] ok".utf8), "UIDVALIDITY"))
        #expect(!UpstreamBackend.mentions(Array("* OK [UIDNEXT 4] Predicted next UID".utf8), "UIDVALIDITY"))
        #expect(!UpstreamBackend.mentions(Array("* 3 EXISTS".utf8), "UIDVALIDITY"))
        #expect(!UpstreamBackend.mentions([], "UIDVALIDITY"))
    }

    @Test func onlyRelayedCommandWordsAreParsedForAPipeline() {
        for frame in ["a1 FETCH 1:* (FLAGS)\r\n", "a2 uid store 4 +FLAGS (\\Seen)\r\n", "a3 NOOP\r\n", "a4 UID EXPUNGE 3\r\n"] {
            #expect(Session.mayPipeline(Array(frame.utf8)), "\(frame)")
        }
        for frame in ["a5 SELECT INBOX\r\n", "a6 UID MOVE 1 Archive\r\n", "a7 IDLE\r\n", "a8\r\n", ""] {
            #expect(!Session.mayPipeline(Array(frame.utf8)), "\(frame)")
        }
    }
}
