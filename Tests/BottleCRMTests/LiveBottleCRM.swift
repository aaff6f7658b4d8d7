import AsyncHTTPClient
import BottleCRM
import CRM
import CRMContract
import Foundation

/// The BottleCRM server the tests run against: the one `scripts/bottlecrm start` describes
/// in the JSON file `CRMGATE_BOTTLECRM` names (scripts/test starts one). Without the
/// variable these tests are off; with it, a server that does not answer fails them.
struct LiveBottleCRM: Sendable {
    struct Description: Decodable {
        struct User: Decodable {
            var token_file: String
            var profile_id: String
            var role: String
        }
        var url: String
        var admin_email: String
        var admin_token_file: String
        var users: [String: User]
    }

    static let variable = "CRMGATE_BOTTLECRM"
    static var wanted: Bool { ProcessInfo.processInfo.environment[variable] != nil }

    let description: Description
    let url: URL

    init() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.variable] else {
            throw LiveError("\(Self.variable) is not set; scripts/test starts a BottleCRM and sets it")
        }
        description = try JSONDecoder().decode(Description.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let url = URL(string: description.url) else { throw LiveError("\(description.url) is not a URL") }
        self.url = url
    }

    func token(of email: String) throws -> String {
        guard let user = description.users[email] else { throw LiveError("the test BottleCRM has no user \(email)") }
        return try String(contentsOfFile: user.token_file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A connector with the admin's token and its copy in memory.
    func connector(token: String? = nil, pollInterval: Duration = .seconds(60), pageSize: Int = 500) throws -> BottleCRMConnector {
        let settings = BottleCRMSettings(url: url, token: try token ?? self.token(of: description.admin_email), timeout: .seconds(30),
                                         pollInterval: pollInterval, pageSize: pageSize)
        return try BottleCRMConnector(settings: settings, mirrorPath: nil, http: .shared)
    }

    /// The contract's fixture: alice and bob, two USER profiles.
    func fixture(_ connector: BottleCRMConnector) async throws -> ContractFixture {
        guard let alice = try await connector.user(email: "alice@example.com"),
              let bob = try await connector.user(email: "bob@example.com") else {
            throw LiveError("the test BottleCRM lacks alice@example.com or bob@example.com; start it with --users alice@example.com,bob@example.com")
        }
        return ContractFixture(connector: connector, alice: alice, bob: bob)
    }
}

struct LiveError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
