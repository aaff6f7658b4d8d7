extension GatewayConfiguration {
    /// `[imap]`: the IMAP listeners (RFC 9051) and the limits that protect them.
    public struct IMAP: Sendable, Equatable {
        /// `host`: address both listeners bind to.
        public var host: String
        /// `port`: IMAP with STARTTLS; 0 disables this listener.
        public var port: Int
        /// `tls_port`: implicit TLS (IMAPS, RFC 8314); 0 disables this listener.
        public var tlsPort: Int
        /// `allow_plaintext_auth`: allow LOGIN/AUTHENTICATE before STARTTLS.
        public var allowPlaintextAuth: Bool
        /// `max_line_bytes`: longest command line, literals excluded.
        public var maxLineBytes: Int
        /// `max_message_bytes`: largest APPEND literal, advertised as APPENDLIMIT (RFC 7889).
        public var maxMessageBytes: Int
        /// `unauthenticated_timeout`: seconds before a connection that has not logged in is closed.
        public var unauthenticatedTimeout: Int
        /// `idle_timeout`: seconds without a command before an authenticated connection is logged out
        /// (RFC 9051 §5.4 asks for at least 30 minutes).
        public var idleTimeout: Int
        /// `failed_login_delay_ms`: pause before answering a failed login.
        public var failedLoginDelayMilliseconds: Int
        /// `max_failed_logins`: failed logins per client address within `failed_login_window`
        /// before that address is refused until the window passes.
        public var maxFailedLogins: Int
        /// `failed_login_window`: seconds over which failed logins are counted.
        public var failedLoginWindow: Int
        /// `max_connections`: simultaneous client connections over both listeners.
        public var maxConnections: Int
        /// `quota_mb`: each account's mail may take this many mebibytes (QUOTA, RFC 9208;
        /// CRM summary folders do not count); 0 means no limit.
        public var quotaMegabytes: Int
        /// `quota_messages`: each account may keep this many messages; 0 means no limit.
        public var quotaMessages: Int

        public init(
            host: String = "127.0.0.1",
            port: Int = 1143,
            tlsPort: Int = 1993,
            allowPlaintextAuth: Bool = false,
            maxLineBytes: Int = 65_536,
            maxMessageBytes: Int = 52_428_800,
            unauthenticatedTimeout: Int = 60,
            idleTimeout: Int = 1800,
            failedLoginDelayMilliseconds: Int = 1500,
            maxFailedLogins: Int = 10,
            failedLoginWindow: Int = 300,
            maxConnections: Int = 1000,
            quotaMegabytes: Int = 0,
            quotaMessages: Int = 0
        ) {
            self.host = host
            self.port = port
            self.tlsPort = tlsPort
            self.allowPlaintextAuth = allowPlaintextAuth
            self.maxLineBytes = maxLineBytes
            self.maxMessageBytes = maxMessageBytes
            self.unauthenticatedTimeout = unauthenticatedTimeout
            self.idleTimeout = idleTimeout
            self.failedLoginDelayMilliseconds = failedLoginDelayMilliseconds
            self.maxFailedLogins = maxFailedLogins
            self.failedLoginWindow = failedLoginWindow
            self.maxConnections = maxConnections
            self.quotaMegabytes = quotaMegabytes
            self.quotaMessages = quotaMessages
        }
    }
}

extension GatewayConfiguration.IMAP: ConfigurationSection {
    static let sectionName = "imap"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("host", into: &host, .nonEmpty("a host name or IP address to listen on"))
        table.read("port", into: &port, .port)
        table.read("tls_port", into: &tlsPort, .port)
        table.read("allow_plaintext_auth", into: &allowPlaintextAuth)
        table.read("max_line_bytes", into: &maxLineBytes, .positive("bytes"))
        table.read("max_message_bytes", into: &maxMessageBytes, .positive("bytes"))
        table.read("unauthenticated_timeout", into: &unauthenticatedTimeout, .positive("seconds"))
        table.read("idle_timeout", into: &idleTimeout, .positive("seconds"))
        table.read("failed_login_delay_ms", into: &failedLoginDelayMilliseconds, .nonNegative("milliseconds"))
        table.read("max_failed_logins", into: &maxFailedLogins, .positive("attempts"))
        table.read("failed_login_window", into: &failedLoginWindow, .positive("seconds"))
        table.read("max_connections", into: &maxConnections, .positive("connections"))
        table.read("quota_mb", into: &quotaMegabytes, .nonNegative("mebibytes"))
        table.read("quota_messages", into: &quotaMessages, .nonNegative("messages"))
        if port == 0, tlsPort == 0 {
            throw table.error(nil, "port and tls_port are both 0, which disables every IMAP listener; set at least one of them")
        }
        if port == tlsPort {
            throw table.error("tls_port", "\(tlsPort) is also imap.port; the STARTTLS and implicit-TLS listeners need different ports")
        }
    }
}
