import GatewayConfig
import IMAPClient
import Testing

@testable import Upstream

@Suite("SessionCredentials: passwords of live sessions, in memory")
struct SessionCredentialsTests {
    @Test func passwordIsKnownWhileASessionLivesAndForgottenAfterTheLast() {
        let credentials = SessionCredentials()
        credentials.retain("Alice@Example.com", password: "one")
        credentials.retain("alice@example.com", password: "one")
        #expect(credentials.password(for: "alice@example.com") == "one")
        credentials.release("alice@example.com")
        #expect(credentials.password(for: "ALICE@example.com") == "one")
        credentials.release("alice@example.com")
        #expect(credentials.password(for: "alice@example.com") == nil)
    }

    /// Background work waits for a password; another session with the one it has changes nothing,
    /// so a busy server's logins do not wake it each time.
    @Test func listenersHearOfAFirstSessionOrANewPasswordOnly() async throws {
        let credentials = SessionCredentials()
        var logins = credentials.logins().makeAsyncIterator()
        credentials.retain("alice@example.com", password: "one")
        #expect(await logins.next() != nil)

        credentials.retain("alice@example.com", password: "one")
        credentials.retain("alice@example.com", password: "two")
        #expect(await logins.next() != nil)

        // Nothing new since: the next yield is the one for Bob's first session.
        credentials.retain("alice@example.com", password: "two")
        let bob = Task {
            try await Task.sleep(for: .milliseconds(50))
            credentials.retain("bob@example.com", password: "b")
        }
        #expect(await logins.next() != nil)
        #expect(credentials.password(for: "bob@example.com") == "b")
        try await bob.value
    }
}

@Suite("UpstreamAccess: what every connection to the upstream shares")
struct UpstreamAccessTests {
    @Test func oneTLSContextServesEveryConnectionAndNoneWithoutTLS() throws {
        let secured = UpstreamAccess(settings: GatewayConfiguration.Upstream(host: "mail.example.com", security: .imaps))
        let first = try #require(try secured.tlsContext())
        #expect(try secured.tlsContext() === first)
        let plain = UpstreamAccess(settings: GatewayConfiguration.Upstream(host: "127.0.0.1", security: .none))
        #expect(try plain.tlsContext() == nil)
    }

    @Test func anUnreadableCAFileIsAClearErrorAtConnectionTimeNotCached() throws {
        let access = UpstreamAccess(settings: GatewayConfiguration.Upstream(host: "mail.example.com", security: .imaps,
                                                                            caFile: "/nonexistent/ca.pem"))
        #expect(throws: IMAPClientError.self) { try access.tlsContext() }
        #expect(throws: IMAPClientError.self) { try access.tlsContext() }
    }
}
