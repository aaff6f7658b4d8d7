/// Where and how to connect to an IMAP server.
public struct IMAPClientConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// TLS from the first byte (RFC 8314).
        case implicitTLS
        /// STARTTLS after the greeting (RFC 9051 §6.2.1); refused if the server does not offer it.
        case startTLS
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// PEM file of the certificate authorities to trust; nil for the system's trust store.
    public var caFile: String?
    /// Check the certificate chain and the host name.
    public var verifyCertificate: Bool
    /// For the TCP connection, the TLS handshake and the greeting together.
    public var connectTimeout: Duration
    /// Prefix of the tags of our commands.
    public var tagPrefix: String

    public init(host: String, port: Int, security: Security = .implicitTLS, caFile: String? = nil,
                verifyCertificate: Bool = true, connectTimeout: Duration = .seconds(10), tagPrefix: String = "C") {
        self.host = host; self.port = port; self.security = security; self.caFile = caFile
        self.verifyCertificate = verifyCertificate; self.connectTimeout = connectTimeout; self.tagPrefix = tagPrefix
    }
}
