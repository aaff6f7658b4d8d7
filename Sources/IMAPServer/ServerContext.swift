import GatewayConfig
import Upstream
import Logging
import MailStore
import NIOSSL
import Synchronization

/// What every session of one server shares.
final class ServerContext: Sendable {
    let configuration: GatewayConfiguration.IMAP
    let store: LocalStore
    let tls: NIOSSLContext
    let logger: Logger
    let sessions = SessionRegistry()
    let throttle: LoginThrottle
    let boundPorts = Mutex<[Int]>([])
    /// Proxy mode: the upstream server, nil when all mail is local.
    let proxy: ProxySettings?

    init(configuration: GatewayConfiguration.IMAP, store: LocalStore, tls: NIOSSLContext, logger: Logger, proxy: ProxySettings?,
         throttle: LoginThrottle) {
        self.configuration = configuration
        self.store = store
        self.tls = tls
        self.logger = logger
        self.proxy = proxy
        self.throttle = throttle
    }
}

/// The live sessions, so that the server's clock and its shutdown reach each of them.
final class SessionRegistry: Sendable {
    /// What the server tells every session: time to check its timeouts, or to end.
    enum Signal: Sendable { case tick, shutdown }

    private struct State {
        var next = 0
        var sessions: [Int: @Sendable (Signal) -> Void] = [:]
        var shuttingDown = false
    }
    private let state = Mutex(State())

    /// Registers a session; nil when the server is shutting down or `limit` sessions are open.
    func register(limit: Int, signal: @escaping @Sendable (Signal) -> Void) -> Int? {
        state.withLock { s in
            guard !s.shuttingDown, s.sessions.count < limit else { return nil }
            s.next += 1
            s.sessions[s.next] = signal
            return s.next
        }
    }

    func unregister(_ token: Int) {
        _ = state.withLock { $0.sessions.removeValue(forKey: token) }
    }

    var count: Int { state.withLock { $0.sessions.count } }
    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// One clock for all sessions (`IMAPService` ticks every few seconds), rather than a
    /// sleeping task in each: an idle connection costs no timer of its own.
    func tickAll() {
        for signal in state.withLock({ Array($0.sessions.values) }) { signal(.tick) }
    }

    func shutdownAll() {
        let signals = state.withLock { s in
            s.shuttingDown = true
            return Array(s.sessions.values)
        }
        for signal in signals { signal(.shutdown) }
    }
}

/// Proxy mode (`[upstream]`): how to reach the server that holds the users' mail, and what
/// to do when an upstream user logs in for the first time (the CRM folders service builds
/// their tree).
public struct ProxySettings: Sendable {
    public var access: UpstreamAccess
    public var accountCreated: @Sendable (UserID, String) async -> Void

    public init(access: UpstreamAccess, accountCreated: @escaping @Sendable (UserID, String) async -> Void) {
        self.access = access
        self.accountCreated = accountCreated
    }
}
