import IMAPClient
import IMAPCore

/// Mailbox names between crmgate's clients and the upstream server: clients see Unicode
/// names with `/` as delimiter; the upstream has its own delimiter (Dovecot's maildir
/// uses `.`) and takes modified UTF-7 unless UTF8=ACCEPT is enabled there.
public struct UpstreamNames: Sendable, Equatable {
    /// The upstream's hierarchy delimiter; nil for a flat namespace.
    public var delimiter: UInt8?
    /// True once UTF8=ACCEPT (or IMAP4rev2) is enabled upstream: names travel as UTF-8.
    public var utf8: Bool

    public init(delimiter: UInt8? = UInt8(ascii: "/"), utf8: Bool = false) {
        self.delimiter = delimiter
        self.utf8 = utf8
    }

    /// Asks the upstream for its delimiter (`LIST "" ""`, RFC 9051 §6.3.9).
    public static func discover(on connection: IMAPClientConnection) async throws -> UpstreamNames {
        var names = UpstreamNames()
        try await connection.execute(.list(ListCommand(reference: MailboxName(""), patterns: [[]]))) { response in
            if case .list(let entry) = response { names.delimiter = entry.delimiter }
        }
        return names
    }

    private var foreignDelimiter: String? {
        guard let delimiter, delimiter != UInt8(ascii: "/") else { return nil }
        return String(UnicodeScalar(delimiter))
    }

    /// The upstream's wire name for a client mailbox name.
    public func upstreamName(_ name: String) throws(MailboxNameError) -> MailboxName {
        MailboxName(MailboxNameCodec.encode(try upstreamText(name), utf8: utf8))
    }

    /// The upstream's name for a client mailbox name, as Unicode (IMAP URLs carry it so, RFC 5092).
    public func upstreamText(_ name: String) throws(MailboxNameError) -> String {
        guard let foreign = foreignDelimiter else { return name }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains(where: { $0.contains(foreign) }) {
            throw MailboxNameError(message: "\"\(name)\" contains \"\(foreign)\", which your mail server uses to separate folder levels; choose another name")
        }
        return parts.joined(separator: foreign)
    }

    /// The same translation for a LIST pattern, whose wildcards pass through.
    public func upstreamPattern(_ pattern: String) -> [UInt8] {
        var translated = pattern
        if let foreign = foreignDelimiter { translated = pattern.replacingOccurrences(of: "/", with: foreign) }
        return MailboxNameCodec.encode(translated, utf8: utf8)
    }

    /// A mailbox name from the upstream as the client sees it; INBOX in any case is "INBOX".
    public func clientName(_ name: MailboxName) throws(MailboxNameError) -> String {
        var decoded = try MailboxNameCodec.decode(name.bytes, utf8: utf8 || name.bytes.contains { $0 >= 0x80 })
        if let foreign = foreignDelimiter { decoded = decoded.replacingOccurrences(of: foreign, with: "/") }
        return decoded.uppercased() == "INBOX" ? "INBOX" : decoded
    }
}
