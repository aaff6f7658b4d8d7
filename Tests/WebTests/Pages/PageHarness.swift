import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Hummingbird
import HummingbirdTesting
import Logging
import MailStore
import Testing
@testable import Web

/// An in-memory CRM with a small data set (an account, its contact, an opportunity with an
/// archived email and attachment) behind the real web application, and a browser-like
/// client that signs in as Alice and keeps her session cookie.
struct PageHarness {
    let crm: EmbeddedCRM
    let store: LocalStore
    let alice: CRMUser
    let bob: CRMUser
    let account: CRMRecord
    let contact: CRMRecord
    let opportunity: CRMRecord
    let email: ArchivedEmail
    /// Whose session `run` signs in with.
    var signInAccount = "alice@example.com"

    static let password = "correct horse battery staple"

    static func make() async throws -> PageHarness {
        let url = try #require(URL(string: "http://crm.test"))
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: url)
        let store = try LocalStore()
        let alice = try await crm.createUser(name: "Alice Martin", email: "alice@example.com")
        let bob = try await crm.createUser(name: "Bob Chen", email: "bob@example.com")
        _ = try await store.createUser(email: "alice@example.com", password: password)
        let account = try await crm.createRecord(in: .accounts, RecordDraft(owner: alice.id, fields: [
            "name": .text("Acme <Corp>"), "domains": .list(["acme.example"]), "website": .text("https://acme.example"),
        ]))
        let contact = try await crm.createRecord(in: .contacts, RecordDraft(owner: alice.id, fields: [
            "firstName": .text("Rosa"), "lastName": .text("Weber"), "emails": .list(["rosa@acme.example"]),
            "title": .text("Buyer"), "account": .reference(account.ref),
        ]))
        let opportunity = try await crm.createRecord(in: .opportunities, RecordDraft(owner: alice.id, fields: [
            "name": .text("Fleet tracking"), "stage": .text("Proposal"), "amount": .number(12500), "currency": .text("USD"),
            "closeDate": .date(try #require(CalendarDate("2026-03-05"))), "account": .reference(account.ref),
        ]))
        let email = try await crm.archiveEmail(EmailArchive(
            key: "<offer@acme.example>", messageID: "<offer@acme.example>", subject: "Our offer",
            from: EmailAddress(name: "Rosa Weber", address: "rosa@acme.example"), date: Date(timeIntervalSince1970: 1_780_000_000),
            textBody: "See attached.", rawMessage: Array("Subject: Our offer\r\n\r\nSee attached.\r\n".utf8),
            attachments: [EmailAttachment(filename: "Angebot Müller.pdf", contentType: "application/pdf", data: Array("%PDF-1.4".utf8))],
            people: [contact.ref], records: [opportunity.ref], owner: alice.id))
        return PageHarness(crm: crm, store: store, alice: alice, bob: bob, account: account, contact: contact,
                           opportunity: opportunity, email: email)
    }

    /// The same harness signing in with another account (which must have a password).
    func signedIn(as account: String) -> PageHarness {
        var copy = self
        copy.signInAccount = account
        return copy
    }

    /// Runs `body` with a client signed in as Alice (or `account`), who reaches the records `access` gives.
    /// `rule`, when given, is asked at every request instead (a reloaded configuration).
    func run(access: RecordAccess = RecordAccess(scope: .visible), rule: WebDependencies.AccessRule? = nil,
             publicURL: String = "http://crm.test", _ body: @Sendable (PageClient) async throws -> Void) async throws {
        let app = WebApplication.make(
            configuration: GatewayConfiguration.Web(publicURL: publicURL),
            dependencies: WebDependencies(crm: crm, store: store, crmName: "Test CRM", access: rule ?? { _ in access }),
            logger: Logger(label: "page-test"))
        try await app.test(.router) { client in
            let signIn = try await client.execute(
                uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "email=\(URLText.encode(signInAccount))&password=\(URLText.encode(Self.password))&next=%2F"))
            let cookie = try #require(signIn.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            try await body(PageClient(client: client, cookie: cookie, setCookie: signIn.headers[.setCookie]))
        }
    }
}

/// Sends requests with the session cookie; forms are URL-encoded like a browser's.
struct PageClient: Sendable {
    let client: any TestClientProtocol
    let cookie: String?
    /// The `Set-Cookie` header of the sign-in.
    var setCookie: String? = nil

    func get(_ path: String) async throws -> PageResponse {
        try await send(.get, path, body: nil)
    }

    /// POSTs `fields` as a URL-encoded form.
    func post(_ path: String, _ fields: [(String, String)]) async throws -> PageResponse {
        try await send(.post, path, body: URLText.query(fields.map { ($0.0, $0.1) }))
    }

    /// The session's CSRF token, as a form on the page at `path` carries it.
    func csrfToken(from path: String = "/opportunities/new") async throws -> String {
        let page = try await get(path).text
        let match = try #require(page.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/))
        return String(match.1)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, body: String?, extraHeaders: HTTPFields = [:]) async throws -> PageResponse {
        var headers = extraHeaders
        if let cookie { headers[.cookie] = cookie }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return PageResponse(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
    }
}

struct PageResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}
