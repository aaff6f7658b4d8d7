extension GatewayConfiguration {
    /// `[tls]`: the server certificate and private key (PEM files) for IMAPS and STARTTLS.
    public struct TLS: Sendable, Equatable {
        /// `cert`: certificate chain file, relative to the working directory unless absolute.
        public var cert: String
        /// `key`: private key file, relative to the working directory unless absolute.
        public var key: String

        public init(cert: String = "certs/dev.crt", key: String = "certs/dev.key") {
            self.cert = cert
            self.key = key
        }
    }
}

extension GatewayConfiguration.TLS: ConfigurationSection {
    static let sectionName = "tls"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("cert", into: &cert, .nonEmpty("the path of a PEM certificate file"))
        table.read("key", into: &key, .nonEmpty("the path of a PEM private key file"))
    }
}
