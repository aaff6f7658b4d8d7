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
}
