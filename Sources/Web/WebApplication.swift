import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Hummingbird
import Logging
import MailStore

/// What the web server serves from: the embedded CRM (its pages and API are the View/Edit
/// targets of summary emails) and the mail store (accounts and API tokens).
public struct WebDependencies: Sendable {
    public var crm: EmbeddedCRM
    public var store: LocalStore
    public var crmName: String
    /// The current metrics in the Prometheus text format, for `/metrics`; nil serves none.
    public var metrics: (@Sendable () -> [UInt8])?
    /// Checks a sign-in's password when not the mail store does (proxy mode: the upstream
    /// server); nil checks the store's hashes.
    public var passwordCheck: PasswordCheck?
    /// Failed sign-ins count here, with IMAP's failed logins when the server shares one.
    public var throttle: LoginThrottle

    public typealias PasswordCheck = @Sendable (_ email: String, _ password: String) async throws -> Bool

    public init(crm: EmbeddedCRM, store: LocalStore, crmName: String, metrics: (@Sendable () -> [UInt8])? = nil,
                passwordCheck: PasswordCheck? = nil, throttle: LoginThrottle? = nil) {
        self.crm = crm; self.store = store; self.crmName = crmName; self.metrics = metrics
        self.passwordCheck = passwordCheck
        self.throttle = throttle ?? LoginThrottle(.init(baseDelay: .milliseconds(500), maxFailuresPerAddress: 10, window: .seconds(300)))
    }
}

/// The embedded CRM's web server: sign-in, the record pages, the JSON API under
/// `/api/v1`, `/health` and `/metrics`, as one lifecycle service.
public enum WebApplication {
    public static func make(configuration: GatewayConfiguration.Web, dependencies: WebDependencies,
                            logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: WebContext.self)
        router.get("health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        if let metrics = dependencies.metrics {
            router.get("metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(bytes: metrics())))
            }
        }
        let sessions = SessionStore()
        let authenticator = AccountAuthenticator(store: dependencies.store, connector: dependencies.crm,
                                                 passwordCheck: dependencies.passwordCheck)
        let secure = configuration.publicURL.lowercased().hasPrefix("https://")
        SignInRoutes(authenticator: authenticator, throttle: dependencies.throttle, sessions: sessions, crmName: dependencies.crmName, secureCookies: secure)
            .register(on: router)
        let api = router.group("api/v1").add(middleware: TokenMiddleware(store: dependencies.store, authenticator: authenticator))
        let pages = router.group().add(middleware: SessionMiddleware(sessions: sessions))
        APIRoutes(dependencies: dependencies).register(on: api)
        PageRoutes(dependencies: dependencies).register(on: pages)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "crmgate"),
            logger: logger)
    }
}
