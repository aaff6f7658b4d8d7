import Foundation
import IMAPClient
import IMAPCore
import MailStore
import NIOCore
import NIOSSL

extension Session {
    /// STARTTLS (RFC 9051 §6.2.1). The TLS handler goes in front of the pipeline in the
    /// same event-loop tick as the OK is written, so the next byte read is the TLS
    /// handshake; anything the client pipelined after STARTTLS is refused.
    func startTLS(tag: String) async throws {
        if isTLS { throw CommandFailure(status: .bad, text: "TLS is already active") }
        if !framer.isIdle {
            throw CommandFailure(status: .bad, text: "Do not send commands after STARTTLS before the TLS handshake")
        }
        try await flush()
        let ok = ByteBuffer(bytes: ResponseEncoder.encode(.tagged(tag: tag, StatusResponse(status: .ok, text: "Begin TLS negotiation now"))))
        let channel = connection.channel
        let tls = context.tls
        try await channel.eventLoop.submit {
            channel.writeAndFlush(ok, promise: nil)
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
        }.get()
        isTLS = true
        logger.debug("STARTTLS completed")
    }

    private var authenticationAllowed: Bool { isTLS || configuration.allowPlaintextAuth }

    /// LOGIN (RFC 9051 §6.2.3).
    func login(tag: String, username: [UInt8], password: [UInt8]) async throws {
        guard authenticationAllowed else {
            throw CommandFailure(code: .privacyRequired, text: "Use STARTTLS or port \(configuration.tlsPort) (TLS) before logging in")
        }
        try await checkCredentials(tag: tag, username: String(decoding: username, as: UTF8.self),
                                   password: String(decoding: password, as: UTF8.self), mechanism: "LOGIN")
    }

    /// AUTHENTICATE PLAIN (RFC 4616) with SASL-IR (RFC 4959).
    func authenticate(tag: String, mechanism: String, initialResponse: [UInt8]?) async throws {
        guard authenticationAllowed else {
            throw CommandFailure(code: .privacyRequired, text: "Use STARTTLS or port \(configuration.tlsPort) (TLS) before authenticating")
        }
        guard mechanism.uppercased() == "PLAIN" else {
            throw CommandFailure(text: "Unsupported authentication mechanism \(mechanism); use PLAIN")
        }
        if let initialResponse {
            try await completePlain(tag: tag, initialResponse)
        } else {
            mode = .authenticate(tag: tag)
            send(.continuationRequest([]))
        }
    }

    /// The client's answer to our AUTHENTICATE continuation request.
    func continueAuthenticate(tag: String, line: [UInt8]) async throws {
        mode = .command
        var text = line
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        if text == Array("*".utf8) {
            reply(tag, CommandFailure(status: .bad, text: "AUTHENTICATE cancelled"))
            return
        }
        guard let decoded = Data(base64Encoded: Data(text)) else {
            reply(tag, CommandFailure(status: .bad, text: "AUTHENTICATE response is not valid base64"))
            return
        }
        do {
            try await completePlain(tag: tag, Array(decoded))
        } catch let failure as CommandFailure {
            reply(tag, failure)
        }
    }

    private func completePlain(tag: String, _ message: [UInt8]) async throws {
        let parts = message.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw CommandFailure(status: .bad, text: "Malformed PLAIN message: expected authzid NUL authcid NUL password")
        }
        let authzid = String(decoding: parts[0], as: UTF8.self)
        let authcid = String(decoding: parts[1], as: UTF8.self)
        if !authzid.isEmpty && authzid.lowercased() != authcid.lowercased() {
            throw CommandFailure(code: .authorizationFailed, text: "Logging in as another user is not permitted")
        }
        try await checkCredentials(tag: tag, username: authcid, password: String(decoding: parts[2], as: UTF8.self), mechanism: "PLAIN")
    }

    /// Verifies credentials, here or (proxy mode) at the mail server, through the login
    /// throttle: failures are answered after a growing delay, and an address or account with
    /// too many recent failures is refused outright. Never logs the password.
    private func checkCredentials(tag: String, username: String, password: String, mechanism: String) async throws {
        let proxy = context.proxy.flatMap { $0.access.settings.serves(username) ? $0 : nil }
        let attempt = try await context.throttle.attempt(user: username, address: peer) { () -> VerifiedLogin? in
            if let proxy {
                return try await connectUpstream(username: username, password: password, proxy).map { .upstream($0, proxy) }
            }
            return try await store.authenticate(email: username, password: password).map(VerifiedLogin.local)
        }
        switch attempt {
        case .refused:
            logger.warning("login refused: too many recent failures from this address or for this account", metadata: ["user": "\(username)"])
            throw CommandFailure(code: .unavailable, text: "Too many failed logins; try again in a few minutes")
        case .rejected:
            logger.notice("login failed", metadata: ["user": "\(username)", "mechanism": "\(mechanism)"])
            throw CommandFailure(code: .authenticationFailed, text: "Invalid user name or password")
        case .accepted(.upstream(let connection, let proxy)):
            try await completeUpstreamLogin(tag: tag, username: username, password: password, mechanism: mechanism, connection, proxy)
        case .accepted(.local(let id)):
            user = (id, username)
            state = .authenticated
            logger[metadataKey: "user"] = "\(username)"
            logger.info("login succeeded", metadata: ["mechanism": "\(mechanism)"])
            reply(tag, .capability(capabilities), "Logged in")
        }
    }

    /// Credentials that checked: a local account, or an open, logged-in connection to the mail server.
    private enum VerifiedLogin {
        case local(UserID)
        case upstream(IMAPClientConnection, ProxySettings)
    }
}
