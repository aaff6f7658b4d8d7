import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Hummingbird
import Logging
import MailStore

/// What the web server serves from: the embedded CRM (its pages and API are the View/Edit
/// targets of summary emails; nil with a remote CRM, whose own web UI is the target) and
/// the mail store (accounts and API tokens).
public struct WebDependencies: Sendable {
    public var crm: EmbeddedCRM?
    public var store: LocalStore
    public var crmName: String
    /// The current metrics in the Prometheus text format, for `/metrics`; nil serves none.
    public var metrics: (@Sendable () -> [UInt8])?
    /// Checks a sign-in's password when not the mail store does (proxy mode: the upstream
    /// server); nil checks the store's hashes.
    public var passwordCheck: PasswordCheck?
    /// Failed sign-ins count here, with IMAP's failed logins when the server shares one.
    public var throttle: LoginThrottle
    /// Takes a remote CRM's webhook calls (`POST /hooks/crm`); nil answers them 404.
    public var webhook: WebhookReceiver?
    /// The records an account may reach in the web UI and the API (its policy's scope, or
    /// all for an administrator); by default the CRM's own visibility rule.
    public var access: AccessRule
    /// The time zone of an account's policy (`time_zone`, an IANA name; "" for the server's),
    /// used for times on pages unless the account has its own.
    public var policyTimeZone: @Sendable (_ accountEmail: String) -> String

    /// An account's email address → the records it may reach.
    public typealias AccessRule = @Sendable (_ accountEmail: String) -> RecordAccess

    public typealias PasswordCheck = @Sendable (_ email: String, _ password: String) async throws -> Bool
    /// A webhook call's headers (names lower-cased) and body → the status and a short reason.
    public typealias WebhookReceiver = @Sendable (_ headers: [String: String], _ body: [UInt8]) async -> (status: Int, message: String)

    public init(crm: EmbeddedCRM?, store: LocalStore, crmName: String, metrics: (@Sendable () -> [UInt8])? = nil,
                passwordCheck: PasswordCheck? = nil, throttle: LoginThrottle? = nil, webhook: WebhookReceiver? = nil,
                access: @escaping AccessRule = { _ in RecordAccess(scope: .visible) },
                policyTimeZone: @escaping @Sendable (_ accountEmail: String) -> String = { _ in "" }) {
        self.crm = crm; self.store = store; self.crmName = crmName; self.metrics = metrics
        self.passwordCheck = passwordCheck
        self.webhook = webhook
        self.access = access
        self.policyTimeZone = policyTimeZone
        self.throttle = throttle ?? LoginThrottle(.init(baseDelay: .milliseconds(500), maxFailuresPerAddress: 10, window: .seconds(300)))
    }
}

/// The embedded CRM's web server: sign-in, the record pages, the JSON API under
/// `/api/v1`, `/health` and `/metrics`, as one lifecycle service.
public enum WebApplication {
    public static func make(configuration: GatewayConfiguration.Web, dependencies: WebDependencies,
                            logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: WebContext.self)
        // Outermost: every answer, errors included, carries the security headers.
        router.add(middleware: SecurityHeaders.middleware())
        router.add(middleware: ResponseHardeningMiddleware())
        router.get("health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        if let metrics = dependencies.metrics {
            router.get("metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(bytes: metrics())))
            }
        }
        if let webhook = dependencies.webhook {
            router.post("hooks/crm") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let (status, message) = await webhook(headers, Array(body.readableBytesView))
                return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"status":\#(status),"message":"\#(message)"}"#)))
            }
        }
        if let crm = dependencies.crm {
            let sessions = SessionStore()
            let authenticator = AccountAuthenticator(store: dependencies.store, connector: crm, access: dependencies.access,
                                                     policyTimeZone: dependencies.policyTimeZone,
                                                     passwordCheck: dependencies.passwordCheck)
            let secure = configuration.publicURL.lowercased().hasPrefix("https://")
            let formPost = FormPost(publicURL: URL(string: configuration.publicURL))
            router.get(RouterPath(Stylesheet.path)) { _, _ in Stylesheet.response }
            router.get(RouterPath(PageIcon.path)) { _, _ in PageIcon.response }
            let open = router.group().add(middleware: PageErrorMiddleware(crmName: dependencies.crmName))
            let pages = router.group().add(middleware: SessionMiddleware(sessions: sessions, authenticator: authenticator))
                .add(middleware: PageErrorMiddleware(crmName: dependencies.crmName))
            SignInRoutes(authenticator: authenticator, throttle: dependencies.throttle, sessions: sessions, crmName: dependencies.crmName,
                         secureCookies: secure, formPost: formPost)
                .register(open: open, signedIn: pages)
            let api = router.group("api/v1").add(middleware: TokenMiddleware(store: dependencies.store, authenticator: authenticator))
            APIRoutes(crm: crm, dependencies: dependencies).register(on: api)
            PageRoutes(crm: crm, dependencies: dependencies, formPost: formPost).register(on: pages)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "crmgate"),
            logger: logger)
    }
}
