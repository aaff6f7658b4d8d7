import Foundation
import GatewayConfig
import IMAPClient
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// How crmgate reaches the upstream server of proxy mode, for a user's session and for
/// background work (returning processed drops) when that user is not connected.
///
/// Background work logs in either as the configured master user (Dovecot's `user*master`:
/// works at any time, but crmgate holds a password that opens every mailbox) or with the
/// password of one of the user's live sessions, kept in memory only while one is open
/// (nothing secret on disk, but work waits until the user next connects).
public final class UpstreamAccess: Sendable {
    public let settings: GatewayConfiguration.Upstream
    private let masterPassword: String?
    /// Passwords of users with a live session, in memory only.
    public let sessions = SessionCredentials()
    /// The upstream's hierarchy delimiter, asked once: it is the server's, not the user's.
    private let discoveredNames = Mutex<UpstreamNames?>(nil)
    /// The TLS context for the upstream, made at the first connection and kept.
    private let tls = Mutex<NIOSSLContext?>(nil)

    /// `masterPassword` is the content of `master_password_file`, read at start.
    public init(settings: GatewayConfiguration.Upstream, masterPassword: String? = nil) {
        self.settings = settings
        self.masterPassword = masterPassword
    }

    /// Reads the master password named by the configuration; a clear error if it cannot.
    public static func masterPassword(for settings: GatewayConfiguration.Upstream) throws -> String? {
        guard !settings.masterUser.isEmpty else { return nil }
        guard let text = try? String(contentsOfFile: settings.masterPasswordFile, encoding: .utf8) else {
            throw UpstreamAccessError("upstream.master_password_file \(settings.masterPasswordFile) cannot be read; it holds the password of master_user \(settings.masterUser)")
        }
        let password = text.trimmingCharacters(in: .newlines)
        guard !password.isEmpty else {
            throw UpstreamAccessError("upstream.master_password_file \(settings.masterPasswordFile) is empty")
        }
        return password
    }

    /// The client configuration for the upstream.
    public var client: IMAPClientConfiguration {
        let security: IMAPClientConfiguration.Security = switch settings.security {
        case .imaps: .implicitTLS
        case .starttls: .startTLS
        case .none: .none
        }
        return IMAPClientConfiguration(host: settings.host, port: settings.effectivePort, security: security,
                                       caFile: settings.caFile.isEmpty ? nil : settings.caFile,
                                       verifyCertificate: settings.verify,
                                       connectTimeout: .seconds(settings.connectTimeout), tagPrefix: "crmgate")
    }

    /// "host:port", for logs.
    public var server: String { "\(settings.host):\(settings.effectivePort)" }

    /// A new connection to the upstream, on `eventLoop` when given (a session's connection
    /// shares its client's event loop, so bytes pass between the two on one thread).
    public func connect(logger: Logger, eventLoop: (any EventLoop)? = nil) async throws -> IMAPClientConnection {
        try await IMAPClientConnection.connect(client, tls: try tlsContext(), logger: logger, group: eventLoop)
    }

    /// The TLS context every connection to the upstream shares (nil for `tls = "none"`):
    /// reading the trust roots for each login cost more than its handshake. Made at the first
    /// connection, so a `ca_file` that could not be read is read again at the next.
    func tlsContext() throws -> NIOSSLContext? {
        guard settings.security != .none else { return nil }
        if let made = tls.withLock({ $0 }) { return made }
        let made = try IMAPClientConnection.makeTLSContext(client)
        return tls.withLock { kept in
            if kept == nil { kept = made }
            return kept
        }
    }

    /// How names translate on this upstream (a LIST "" "" on the first connection only).
    public func names(on connection: IMAPClientConnection) async throws -> UpstreamNames {
        if let known = discoveredNames.withLock({ $0 }) { return known }
        let names = try await UpstreamNames.discover(on: connection)
        discoveredNames.withLock { $0 = names }
        return names
    }

    /// Whether `password` is `email`'s on the upstream (a login there and out again), for
    /// sign-ins that are not IMAP sessions (the web UI). Throws when the upstream cannot say.
    public func checkPassword(of email: String, _ password: String, logger: Logger) async throws -> Bool {
        let connection = try await connect(logger: logger)
        defer { connection.close() }
        do {
            try await connection.login(user: email, password: password)
        } catch IMAPClientError.rejected(_, let status) where status.code == .authenticationFailed || status.code == nil {
            return false
        }
        await connection.logout()
        return true
    }

    /// True when background work for `email` can log in now.
    public func canWorkInBackground(for email: String) -> Bool {
        masterPassword != nil || sessions.password(for: email) != nil
    }

    /// A connection logged in to `email`'s mailbox for background work; nil when there is no
    /// way to log in now (no master user and no live session of the user).
    public func backgroundConnection(for email: String, logger: Logger) async throws -> IMAPClientConnection? {
        let login: (user: String, password: String)
        if let masterPassword {
            login = ("\(email)\(settings.masterSeparator)\(settings.masterUser)", masterPassword)
        } else if let password = sessions.password(for: email) {
            login = (email, password)
        } else {
            return nil
        }
        let connection = try await connect(logger: logger)
        do {
            try await connection.login(user: login.user, password: login.password)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }
}

public struct UpstreamAccessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Passwords of users with at least one live proxied session, so that background work can
/// log in as them; forgotten when their last session ends. Never written anywhere.
public final class SessionCredentials: Sendable {
    private struct Entry { var password: String; var sessions: Int }
    private let entries = Mutex<[String: Entry]>([:])
    private let listeners = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let nextListener = Atomic<Int>(0)

    public init() {}

    /// A session of `email` logged in with `password`; pair it with `release`. Listeners hear
    /// of it when it makes a difference to them: the user's first live session, or a new password.
    public func retain(_ email: String, password: String) {
        let news = entries.withLock { table in
            let key = email.lowercased()
            let old = table[key]
            table[key] = Entry(password: password, sessions: (old?.sessions ?? 0) + 1)
            return old?.password != password
        }
        guard news else { return }
        for listener in listeners.withLock({ Array($0.values) }) { listener.yield() }
    }

    public func release(_ email: String) {
        entries.withLock { table in
            let key = email.lowercased()
            guard var entry = table[key] else { return }
            entry.sessions -= 1
            table[key] = entry.sessions > 0 ? entry : nil
        }
    }

    public func password(for email: String) -> String? {
        entries.withLock { $0[email.lowercased()]?.password }
    }

    /// Yields when a user's password becomes known: a first live session, or a new password
    /// (background work waiting for them can start).
    public func logins() -> AsyncStream<Void> {
        let token = nextListener.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in _ = self?.listeners.withLock { $0.removeValue(forKey: token) } }
        listeners.withLock { $0[token] = continuation }
        return stream
    }
}
