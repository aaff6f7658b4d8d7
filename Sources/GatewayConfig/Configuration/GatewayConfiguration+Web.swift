extension GatewayConfiguration {
    /// `[web]`: the embedded CRM's web UI and JSON API, and the base of the View/Edit links.
    public struct Web: Sendable, Equatable {
        /// `host`: address the web server binds to.
        public var host: String
        /// `port`: HTTP port; 0 disables the web server.
        public var port: Int
        /// `public_url`: the URL users reach the web server at; View and Edit links start with it.
        public var publicURL: String
        /// `metrics`: serve `/metrics` in the Prometheus text format (counts and latencies; the
        /// address-book sync's figures are labelled with the account's address).
        public var metrics: Bool
        /// `admins`: accounts (email addresses) that reach every record in the web UI and the
        /// API, whatever their policy's scope; they are marked as administrators there.
        public var admins: [String]

        public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String = "http://127.0.0.1:8080", metrics: Bool = true,
                    admins: [String] = []) {
            self.host = host
            self.port = port
            self.publicURL = publicURL
            self.metrics = metrics
            self.admins = admins
        }
    }
}

extension GatewayConfiguration.Web: ConfigurationSection {
    static let sectionName = "web"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("host", into: &host, .nonEmpty("a host name or IP address to listen on"))
        table.read("port", into: &port, .port)
        table.read("public_url", into: &publicURL, .nonEmpty("the URL users open the web UI at"))
        table.read("metrics", into: &metrics)
        table.read("admins", into: &admins, .nonEmpty("an account's email address"))
        let lower = publicURL.lowercased()
        guard (lower.hasPrefix("http://") || lower.hasPrefix("https://")), publicURL.count > 8, !publicURL.contains(" ") else {
            throw table.error("public_url", "expected an http:// or https:// URL such as \"https://crm.example.com\", got \"\(publicURL)\"")
        }
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
    }
}
