extension GatewayConfiguration {
    /// `[crm]`: which CRM crmgate talks to.
    public struct CRM: Sendable, Equatable {
        /// The connectors crmgate has.
        public static let kinds = ["embedded", "bottlecrm"]

        /// `kind`: the connector; "embedded" is crmgate's own CRM, stored beside the mail;
        /// "bottlecrm" is a BottleCRM server reached over its REST API.
        public var kind: String
        /// `name`: the CRM's name as users see it (the default name of the CRM folder).
        public var name: String
        /// `poll_interval`: seconds between checks for changes, for CRMs that cannot notify.
        public var pollInterval: Int
        /// `retry_limit`: how often a drop is tried while the CRM is unreachable (back-off from
        /// 5 s, doubling, at most an hour apart) before it is reported as failed.
        public var retryLimit: Int
        /// `url`: where a remote CRM's API lives (its base URL, e.g. `https://crm.example.com`).
        public var url: String
        /// `token`: the remote CRM's access token; prefer `token_file`.
        public var token: String
        /// `token_file`: a file holding the access token (its first line).
        public var tokenFile: String
        /// `ca_file`: PEM file of the certificate authorities to trust instead of the system's.
        public var caFile: String
        /// `timeout`: seconds a request to a remote CRM may take.
        public var timeout: Int
        /// `webhook_secret`: the shared secret of the CRM's outbound webhooks; empty refuses them.
        public var webhookSecret: String

        public init(kind: String = "embedded", name: String = "Embedded CRM", pollInterval: Int = 60, retryLimit: Int = 50,
                    url: String = "", token: String = "", tokenFile: String = "", caFile: String = "", timeout: Int = 30,
                    webhookSecret: String = "") {
            self.kind = kind
            self.name = name
            self.pollInterval = pollInterval
            self.retryLimit = retryLimit
            self.url = url
            self.token = token
            self.tokenFile = tokenFile
            self.caFile = caFile
            self.timeout = timeout
            self.webhookSecret = webhookSecret
        }

        /// True for connectors that reach a CRM over the network.
        public var isRemote: Bool { kind != "embedded" }
    }
}

extension GatewayConfiguration.CRM: ConfigurationSection {
    static let sectionName = "crm"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("kind", into: &kind, .oneOf(noun: "CRM connector", Self.kinds))
        if kind == "bottlecrm" { name = "BottleCRM" }
        table.read("name", into: &name, .nonEmpty("the CRM's name as users see it"))
        table.read("poll_interval", into: &pollInterval, .positive("seconds"))
        table.read("retry_limit", into: &retryLimit, .positive("attempts"))
        table.read("url", into: &url, .nonEmpty("the CRM's base URL, e.g. \"https://crm.example.com\""))
        table.read("token", into: &token, .nonEmpty("the CRM's access token"))
        table.read("token_file", into: &tokenFile, .nonEmpty("the file holding the CRM's access token"))
        table.read("ca_file", into: &caFile, .any)
        table.read("timeout", into: &timeout, .positive("seconds"))
        table.read("webhook_secret", into: &webhookSecret, .any)
        guard isRemote else { return }
        if url.isEmpty {
            throw table.error("url", "missing; a \(kind) CRM needs the base URL of its API, e.g. url = \"https://crm.example.com\"")
        }
        if !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw table.error("url", "\"\(url)\" is not an http:// or https:// URL")
        }
        if token.isEmpty, tokenFile.isEmpty {
            throw table.error("token_file", "missing; name the file that holds the \(kind) access token (or give it as token)")
        }
        if !token.isEmpty, !tokenFile.isEmpty {
            throw table.error("token", "given together with token_file; keep one (token_file is preferred)")
        }
    }
}
