import EmbeddedCRM
import Foundation
import GatewayConfig
import Hummingbird
import HummingbirdTesting
import Logging
import MailStore
import Testing
@testable import Web

@Suite("Web: /metrics")
struct MetricsRouteTests {
    func status(of path: String, metrics: (@Sendable () -> [UInt8])?) async throws -> (HTTPResponse.Status, String, String?) {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "http://crm.test")!)
        let app = WebApplication.make(
            configuration: GatewayConfiguration.Web(publicURL: "http://crm.test"),
            dependencies: WebDependencies(crm: crm, store: try LocalStore(), crmName: "Test CRM", metrics: metrics),
            logger: Logger(label: "metrics-test"))
        return try await app.test(.router) { client in
            let response = try await client.execute(uri: path, method: .get)
            return (response.status, String(buffer: response.body), response.headers[.contentType])
        }
    }

    @Test func metricsAreServedWithoutSignInInThePrometheusTextFormat() async throws {
        let (status, body, type) = try await status(of: "/metrics") { Array("crmgate_drops_total{kind=\"drop\",outcome=\"done\"} 3\n".utf8) }
        #expect(status == .ok && body.contains("crmgate_drops_total") && type?.hasPrefix("text/plain; version=0.0.4") == true)
    }

    @Test func metricsTurnedOffAreNotServed() async throws {
        // The path is then an ordinary page path, which wants a signed-in user.
        let (status, body, type) = try await status(of: "/metrics", metrics: nil)
        #expect(status != .ok && !body.contains("crmgate_") && type?.hasPrefix("text/plain") != true)
    }
}
