import IMAPCore

/// What went wrong talking to an IMAP server, in words an administrator can act on.
public enum IMAPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No connection: refused, unreachable, name not found, or no greeting in time.
    case unreachable(String)
    /// The TLS handshake or the certificate check failed.
    case tls(String)
    /// The server closed the connection (with its BYE text, if it sent one).
    case closed(String)
    /// The server sent something that is not IMAP as we know it.
    case protocolViolation(String)
    /// The server lacks an extension crmgate needs.
    case missingCapability(String, purpose: String)
    /// A command was answered NO or BAD.
    case rejected(command: String, StatusResponse)

    public var description: String {
        switch self {
        case .unreachable(let reason): "cannot reach the IMAP server: \(reason)"
        case .tls(let reason): "TLS with the IMAP server failed: \(reason)"
        case .closed(let reason): "the IMAP server closed the connection: \(reason)"
        case .protocolViolation(let reason): "the IMAP server's reply was not understood: \(reason)"
        case .missingCapability(let name, let purpose): "the IMAP server does not offer \(name), which crmgate needs to \(purpose)"
        case .rejected(let command, let status): "the IMAP server answered \(command) with \(status.status.rawValue): \(status.text)"
        }
    }
}
