import Foundation
import GatewayConfig
import Hummingbird
import HummingbirdTesting
import Logging
import MailStore
import Testing
@testable import Web

@Suite("Web sign-in: failures throttled as IMAP logins are")
struct SignInThrottleTests {
    @Test func afterTooManyWrongPasswordsEvenTheRightOneIsRefusedFor429() async throws {
        let h = try await PageHarness.make()
        let throttle = LoginThrottle(.init(baseDelay: .zero, maxFailuresPerAddress: 3, window: .seconds(300)))
        let app = WebApplication.make(
            configuration: GatewayConfiguration.Web(publicURL: "http://crm.test"),
            dependencies: WebDependencies(crm: h.crm, store: h.store, crmName: "Test CRM", throttle: throttle),
            logger: Logger(label: "signin-test"))
        try await app.test(.router) { client in
            func signIn(_ password: String) async throws -> TestResponse {
                try await client.execute(uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "email=alice%40example.com&password=\(URLText.encode(password))"))
            }
            #expect(try await signIn(PageHarness.password).status == .found)
            for _ in 0..<3 { #expect(try await signIn("guess").status == .unauthorized) }
            let refused = try await signIn(PageHarness.password)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "300")
            #expect(String(buffer: refused.body).contains("Too many failed sign-ins"))
        }
    }
}
