import IMAPClient
import IMAPCore
import MailStore
import Upstream

/// Logging in through the upstream (proxy mode): the user's credentials are checked by
/// logging in there with them, and kept nowhere else. The connection stays open as the
/// session's upstream connection.
extension Session {
    /// Logs in to the mail server with the user's credentials: the open connection, or nil
    /// when the server says they are wrong. An outage throws (it is no failed login).
    func connectUpstream(username: String, password: String, _ proxy: ProxySettings) async throws -> IMAPClientConnection? {
        let server = proxy.access.server
        let connection: IMAPClientConnection
        do {
            connection = try await proxy.access.connect(logger: logger, eventLoop: self.connection.channel.eventLoop)
        } catch {
            logger.error("upstream unreachable at login", metadata: ["upstream": "\(server)", "error": "\(error)"])
            throw CommandFailure(code: .unavailable, text: "Your mail server cannot be reached right now; try again later (the administrator finds the reason in crmgate's log)")
        }
        do {
            try await connection.login(user: username, password: password)
            return connection
        } catch IMAPClientError.rejected(_, let status) where !Self.isOutage(status) {
            await connection.logout()
            return nil
        } catch {
            connection.close()
            logger.error("upstream login failed", metadata: ["user": "\(username)", "upstream": "\(server)", "error": "\(error)"])
            throw CommandFailure(code: .unavailable, text: "Your mail server cannot log you in right now; try again later")
        }
    }

    /// After the mail server took the credentials: its connection becomes the session's upstream.
    func completeUpstreamLogin(tag: String, username: String, password: String, mechanism: String,
                               _ connection: IMAPClientConnection, _ proxy: ProxySettings) async throws {
        let server = proxy.access.server
        let link = UpstreamBackend(session: self, connection: connection)
        link.names = try await proxy.access.names(on: connection)
        let account = try await store.provisionUpstreamAccount(email: username)
        if account.created { await proxy.accountCreated(account.id, username) }
        let events = self.events
        connection.onUnsolicitedData { events.send(.upstreamData) }
        upstream = link
        framer.streamLiteralsFrom = Self.streamedLiteralSize
        user = (account.id, username)
        proxy.access.sessions.retain(username, password: password)
        state = .authenticated
        try await refreshLocalRoots()
        logger[metadataKey: "user"] = "\(username)"
        logger.info("login succeeded", metadata: ["mechanism": "\(mechanism)", "upstream": "\(server)"])
        reply(tag, .capability(capabilities), "Logged in")
    }

    /// A refusal that says the server, not the password, is the problem (RFC 5530 codes).
    static func isOutage(_ status: StatusResponse) -> Bool {
        switch status.code {
        case .unavailable, .serverBug, .contactAdmin, .inUse, .limit: true
        default: false
        }
    }
}
