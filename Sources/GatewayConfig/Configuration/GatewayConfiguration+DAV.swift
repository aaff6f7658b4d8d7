extension GatewayConfiguration {
    /// `[dav]`: the users' CardDAV (and later CalDAV) server, for the contacts bridge. Without
    /// it, nothing is synced to address books.
    ///
    /// `url` and `username` are templates: `{user}` is the account's email address, `{local}`
    /// the part before the `@`. Passwords are read from `password_file` at the time of use, so
    /// they are not in the configuration crmgate holds (unless `password` is written inline);
    /// neither is ever logged or shown.
    public struct DAV: Sendable, Equatable {
        /// `url`: where discovery starts, e.g. `https://dav.example.com/` or
        /// `https://dav.example.com/{user}/`.
        public var url: String
        /// `username`: the login at the DAV server (template); default `{user}`.
        public var username: String
        /// `password_file`: a file holding the password (one line), shared by every account
        /// without its own, e.g. a service account's or an app password.
        public var passwordFile: String
        /// `password`: the password itself, when a file is not wanted (tests, a demo).
        public var password: String
        /// `timeout`: seconds to wait for one request.
        public var timeout: Int
        /// `ca_file`: PEM certificate authorities to trust instead of the system's.
        public var caFile: String
        /// `[[dav.account]]`: per-account settings that replace the templates.
        public var accounts: [Account]

        public init(url: String = "", username: String = "{user}", passwordFile: String = "", password: String = "", timeout: Int = 30, caFile: String = "",
                    accounts: [Account] = []) {
            self.url = url; self.username = username; self.passwordFile = passwordFile; self.password = password
            self.timeout = timeout; self.caFile = caFile; self.accounts = accounts
        }

        /// `[[dav.account]]`: one account's own URL, login or password.
        public struct Account: Sendable, Equatable {
            /// `user`: the crmgate account (email address) these settings are for.
            public var user: String
            /// `url`, `username`, `password_file`: empty keeps the `[dav]` value.
            public var url: String
            public var username: String
            public var passwordFile: String

            public init(user: String = "", url: String = "", username: String = "", passwordFile: String = "") {
                self.user = user; self.url = url; self.username = username; self.passwordFile = passwordFile
            }
        }

        /// Where and as whom `email` reaches its DAV account: the account's own settings over
        /// the templates. The password stays in its file.
        public func endpoint(for email: String) -> Endpoint {
            let own = accounts.first { $0.user.lowercased() == email.lowercased() } ?? Account()
            func expand(_ template: String) -> String {
                let local = email.split(separator: "@", maxSplits: 1).first.map(String.init) ?? email
                return template.replacingOccurrences(of: "{user}", with: email).replacingOccurrences(of: "{local}", with: local)
            }
            return Endpoint(url: expand(own.url.isEmpty ? url : own.url), username: expand(own.username.isEmpty ? username : own.username),
                            passwordFile: own.passwordFile.isEmpty ? passwordFile : own.passwordFile,
                            password: own.passwordFile.isEmpty ? password : "")
        }

        /// One account's DAV URL, login and password file, templates filled in.
        public struct Endpoint: Sendable, Equatable {
            public var url: String
            public var username: String
            public var passwordFile: String
            /// The inline `password`, when no file applies.
            public var password: String
        }
    }
}

extension GatewayConfiguration.DAV: ConfigurationSection {
    static let sectionName = "dav"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("url", into: &url, .nonEmpty("the DAV server's URL, e.g. \"https://dav.example.com/{user}/\""))
        table.read("username", into: &username, .nonEmpty("a login name or template such as \"{user}\""))
        table.read("password_file", into: &passwordFile, .any)
        table.read("password", into: &password, .any)
        table.read("timeout", into: &timeout, .positive("seconds"))
        table.read("ca_file", into: &caFile, .any)
        table.read("account", into: &accounts) { Account() }
        if url.isEmpty {
            throw table.error("url", "missing; name the CardDAV server, e.g. url = \"https://dav.example.com/\"")
        }
        try Self.checkURL(url, table.error("url", "\"\(url)\" is not an http:// or https:// URL"))
        for (i, account) in accounts.enumerated() {
            if !account.url.isEmpty {
                try Self.checkURL(account.url, table.error(at: ["account[\(i + 1)]", "url"], "\"\(account.url)\" is not an http:// or https:// URL"))
            }
            if passwordFile.isEmpty, password.isEmpty, account.passwordFile.isEmpty {
                throw table.error(at: ["account[\(i + 1)]", "password_file"], "missing, and [dav] has no password_file either; name the file that holds \(account.user)'s DAV password")
            }
        }
        if passwordFile.isEmpty, password.isEmpty, accounts.isEmpty {
            throw table.error("password_file", "missing; name the file that holds the DAV password (or give each account one in [[dav.account]])")
        }
    }

    private static func checkURL(_ text: String, _ error: ConfigurationError) throws(ConfigurationError) {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), text.count > 8 else { throw error }
    }
}

extension GatewayConfiguration.DAV.Account: ConfigurationSection {
    static let sectionName = "account"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("user", into: &user, .nonEmpty("the account's email address"))
        table.read("url", into: &url, .any)
        table.read("username", into: &username, .any)
        table.read("password_file", into: &passwordFile, .any)
        if user.isEmpty {
            throw table.error("user", "missing; name the crmgate account these settings are for")
        }
    }
}
