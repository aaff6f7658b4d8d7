import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Hummingbird
import HummingbirdTesting
import Logging
import MailStore
@testable import Web

/// An in-memory CRM and mail store behind the real web application, driven through
/// HummingbirdTesting's router framework (no sockets), with a real API token.
struct APIHarness {
    let crm: EmbeddedCRM
    let store: LocalStore
    let token: String
    let alice: CRMUser
    let bob: CRMUser
    /// An account that contacts, opportunities, … can refer to.
    let account: CRMRecord

    static let publicURL = "http://crm.test"

    static func make(customModules: [ModuleDefinition] = []) async throws -> APIHarness {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: publicURL)!, customModules: customModules)
        let store = try LocalStore()
        let alice = try await crm.createUser(name: "Alice Martin", email: "alice@example.com")
        let bob = try await crm.createUser(name: "Bob Chen", email: "bob@example.com")
        _ = try await store.createUser(email: "alice@example.com", password: "correct horse battery staple")
        let token = try await store.createToken(email: "alice@example.com")
        let account = try await crm.createRecord(in: .accounts, RecordDraft(owner: alice.id, fields: ["name": .text("Globex")]))
        return APIHarness(crm: crm, store: store, token: token, alice: alice, bob: bob, account: account)
    }

    /// Runs `body` against the application, every request authenticated as Alice unless told otherwise.
    func run(access: RecordAccess = RecordAccess(scope: .visible), _ body: @Sendable (APIClient) async throws -> Void) async throws {
        let app = WebApplication.make(
            configuration: GatewayConfiguration.Web(publicURL: Self.publicURL),
            dependencies: WebDependencies(crm: crm, store: store, crmName: "Test CRM", access: { _ in access }),
            logger: Logger(label: "api-test"))
        try await app.test(.router) { client in
            try await body(APIClient(client: client, token: token))
        }
    }

    /// How many live records the module has, read from the CRM itself.
    func count(_ module: ModuleKey) async throws -> Int {
        try await crm.records(in: module, matching: RecordQuery(limit: 1)).total
    }
}

/// Sends API requests and decodes the answers.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let token: String

    /// `authorization` nil sends the caller's token; pass "" to send none.
    func send(_ method: HTTPRequest.Method, _ path: String, body: String? = nil, contentType: String? = "application/json",
              authorization: String? = nil) async throws -> APIResponse {
        var headers: HTTPFields = [:]
        let auth = authorization ?? "Bearer \(token)"
        if !auth.isEmpty { headers[.authorization] = auth }
        if body != nil, let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: path, method: method, headers: headers,
                                                body: body.map { ByteBuffer(string: $0) })
        return APIResponse(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
    }

    func get(_ path: String) async throws -> APIResponse { try await send(.get, path) }
    func post(_ path: String, _ body: String) async throws -> APIResponse { try await send(.post, path, body: body) }
    func patch(_ path: String, _ body: String) async throws -> APIResponse { try await send(.patch, path, body: body) }
    func delete(_ path: String) async throws -> APIResponse { try await send(.delete, path) }
}

struct APIResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// `error.field` of an error answer.
    var errorField: String? { json["error"]["field"].string }
    var errorMessage: String { json["error"]["message"].string ?? "" }
}

extension JSONValue {
    var number: Decimal? { if case .number(let n) = self { n } else { nil } }
    var int: Int? { number.map { NSDecimalNumber(decimal: $0).intValue } }
    var isNull: Bool { self == .null }
}
