import CRM
import Foundation
import Hummingbird
import MailStore

/// Signs a gateway account in: checks the password against the mail store and maps the
/// account to its CRM user by email address.
struct AccountAuthenticator: Sendable {
    let store: LocalStore
    let connector: any CRMConnector
    let access: WebDependencies.AccessRule
    var policyTimeZone: @Sendable (String) -> String = { _ in "" }
    var passwordCheck: WebDependencies.PasswordCheck?

    enum Failure: Error { case invalidCredentials, noCRMUser(String) }

    func identity(email: String, password: String) async throws -> Identity {
        let valid = if let passwordCheck {
            try await passwordCheck(email, password)
        } else {
            try await store.authenticate(email: email, password: password) != nil
        }
        guard valid else { throw Failure.invalidCredentials }
        return try await identity(email: email)
    }

    func identity(email: String) async throws -> Identity {
        guard let user = try await connector.user(email: email), user.active else { throw Failure.noCRMUser(email) }
        return Identity(accountEmail: email, crmUser: user, access: access(email), timeZone: try await timeZone(of: email))
    }

    /// The signed-in identity with the account's scope and time zone as they are now: a
    /// reloaded policy, a changed `[web] admins` or `crmgate user timezone` applies to open
    /// sessions from their next request.
    func current(_ identity: Identity) async throws -> Identity {
        var current = identity
        current.access = access(identity.accountEmail)
        current.timeZone = try await timeZone(of: identity.accountEmail)
        return current
    }

    /// Times on pages read as in the account's summary emails: its zone, its policy's, the server's.
    private func timeZone(of email: String) async throws -> TimeZone {
        DisplayFormat.timeZone(try await store.timeZone(email: email), policyTimeZone(email))
    }
}

/// Web UI pages: a valid session cookie sets the identity; otherwise the browser is sent
/// to the sign-in page and back afterwards. POSTs must carry the session's CSRF token.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let cookieName = "crmgate_session"
    let sessions: SessionStore
    let authenticator: AccountAuthenticator

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard let id = request.cookies[Self.cookieName]?.value, let session = sessions.session(id) else {
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return .redirect(to: "/signin?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"), type: .found)
        }
        var context = context
        context.identity = try await authenticator.current(session.identity)
        context.session = session
        return try await next(request, context)
    }
}

/// JSON API: `Authorization: Bearer <token>` from `crmgate token create`.
struct TokenMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let store: LocalStore
    let authenticator: AccountAuthenticator

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "missing API token: send the header Authorization: Bearer <token> (create one with crmgate token create EMAIL)")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let account = try await store.account(forToken: token) else {
            throw APIError(.unauthorized, "the API token is not valid")
        }
        var context = context
        do {
            context.identity = try await authenticator.identity(email: account.email)
        } catch let error as CRMError where error.isTransient {
            throw APIError(error, module: nil)
        } catch {
            throw APIError(.forbidden, "the account \(account.email) has no active CRM user")
        }
        // Says whom the caller's answers cover: "all" for an administrator.
        let scope = context.identity?.access.label ?? ""
        do {
            var response = try await next(request, context)
            response.headers[.crmgateScope] = scope
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.crmgateScope] = scope
            return response
        }
    }
}

/// An API failure answered as `{"error": {"message": …, "field": …}}` with its status.
public struct APIError: Error, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var message: String
    public var field: String?
    /// Seconds after which a retry may succeed, sent as `Retry-After` (503 answers).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, retryAfter: Int? = nil) {
        self.status = status; self.message = message; self.field = field; self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: String] = ["message": message]
        if let field { error["field"] = field }
        let data = try JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
