extension GatewayConfiguration {
    /// `[upstream]`: the IMAP server that holds the users' mail when crmgate runs as a proxy in
    /// front of it. Users log in with their mail server's credentials; everything but the CRM
    /// tree is served from there.
    public struct Upstream: Sendable, Equatable {
        /// How the connection to the upstream is secured.
        public enum Security: String, Sendable, Equatable, CaseIterable {
            /// Implicit TLS from the first byte (RFC 8314), port 993.
            case imaps
            /// Plain connection upgraded with STARTTLS (RFC 9051 §6.2.1), port 143.
            case starttls
            /// No TLS at all; only for loopback, or with `allow_plaintext`.
            case none
        }

        /// `host`: the upstream server's name or address.
        public var host: String
        /// `port`: 0 means the standard port of `tls` (993 for imaps, else 143).
        public var port: Int
        /// `tls`: imaps, starttls or none.
        public var security: Security
        /// `ca_file`: PEM file of the certificate authorities to trust instead of the system's.
        public var caFile: String
        /// `verify`: check the upstream's certificate and host name.
        public var verify: Bool
        /// `connect_timeout`: seconds to wait for the connection and greeting.
        public var connectTimeout: Int
        /// `allow_plaintext`: permit `tls = "none"` to a host that is not loopback.
        public var allowPlaintext: Bool
        /// `users`: the accounts served through the upstream; empty means everybody. Others
        /// log in with a local crmgate account as without `[upstream]`.
        public var users: [String]
        /// `master_user`: a master login of the upstream for background work (returning
        /// processed drops) while the user is not connected; empty waits for their next login.
        public var masterUser: String
        /// `master_password_file`: the file holding the master user's password.
        public var masterPasswordFile: String
        /// `master_separator`: between the user and the master user in the login name
        /// (`alice@example.com*crmgate` with Dovecot's `auth_master_user_separator = *`).
        public var masterSeparator: String

        public init(host: String = "", port: Int = 0, security: Security = .imaps, caFile: String = "",
                    verify: Bool = true, connectTimeout: Int = 10, allowPlaintext: Bool = false, users: [String] = [],
                    masterUser: String = "", masterPasswordFile: String = "", masterSeparator: String = "*") {
            self.host = host; self.port = port; self.security = security; self.caFile = caFile
            self.verify = verify; self.connectTimeout = connectTimeout; self.allowPlaintext = allowPlaintext
            self.users = users
            self.masterUser = masterUser; self.masterPasswordFile = masterPasswordFile; self.masterSeparator = masterSeparator
        }

        /// The port to connect to: `port`, or the standard one for `tls`.
        public var effectivePort: Int {
            if port != 0 { return port }
            return security == .imaps ? 993 : 143
        }

        /// True when `email` logs in through the upstream.
        public func serves(_ email: String) -> Bool {
            users.isEmpty || users.contains { $0.lowercased() == email.lowercased() }
        }

        /// Loopback names and addresses, where plaintext never leaves the machine.
        static func isLoopback(_ host: String) -> Bool {
            let h = host.lowercased()
            return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
        }
    }
}

extension GatewayConfiguration.Upstream: ConfigurationSection {
    static let sectionName = "upstream"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("host", into: &host, .nonEmpty("the host name or address of the upstream IMAP server"))
        table.read("port", into: &port, .port)
        var mode = security.rawValue
        table.read("tls", into: &mode, .oneOf(noun: "TLS mode", Security.allCases.map(\.rawValue)))
        security = Security(rawValue: mode) ?? .imaps
        table.read("ca_file", into: &caFile, .any)
        table.read("verify", into: &verify)
        table.read("connect_timeout", into: &connectTimeout, .positive("seconds"))
        table.read("allow_plaintext", into: &allowPlaintext)
        table.read("users", into: &users, .nonEmpty("an account's email address"))
        table.read("master_user", into: &masterUser, .any)
        table.read("master_password_file", into: &masterPasswordFile, .any)
        table.read("master_separator", into: &masterSeparator, .nonEmpty("the character between user and master user, e.g. \"*\""))
        if !masterUser.isEmpty, masterPasswordFile.isEmpty {
            throw table.error("master_password_file", "missing; name the file that holds master_user's password")
        }
        if host.isEmpty {
            throw table.error("host", "missing; name the upstream IMAP server, e.g. host = \"mail.example.com\"")
        }
        if security == .none, !allowPlaintext, !Self.isLoopback(host) {
            throw table.error("tls", "\"none\" would send passwords to \(host) unencrypted; use \"imaps\" or \"starttls\", or set allow_plaintext = true if the network is trusted")
        }
    }
}
