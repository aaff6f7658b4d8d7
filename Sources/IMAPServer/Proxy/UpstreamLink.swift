import IMAPClient
import IMAPCore
import MailStore

/// A session's connection to the upstream IMAP server (proxy mode) and what the session
/// knows of it: the upstream's hierarchy delimiter and name encoding, and which of its
/// mailboxes is selected. Client names are Unicode with `/`; upstream names are what the
/// upstream's LIST shows (modified UTF-7 unless UTF8=ACCEPT is enabled there).
final class UpstreamLink {
    let connection: IMAPClientConnection
    /// The upstream's hierarchy delimiter; nil for a flat namespace.
    var delimiter: UInt8? = UInt8(ascii: "/")
    /// True once UTF8=ACCEPT (or IMAP4rev2) is enabled upstream: names travel as UTF-8.
    var utf8 = false
    /// The selected upstream mailbox as the client named it (Unicode, `/`), if any.
    var selectedName: String?
    /// The client is in IDLE and so is the upstream.
    var idling = false
    /// A folder of the upstream hidden behind a CRM folder of the same name was reported.
    var reportedCollision = false

    init(connection: IMAPClientConnection) {
        self.connection = connection
    }

    var capabilities: Set<String> { connection.capabilities }

    /// The upstream's wire name for a client mailbox name (Unicode, `/`-delimited).
    func upstreamName(_ name: String) throws -> MailboxName {
        var translated = name
        if let delimiter, delimiter != UInt8(ascii: "/") {
            let upstreamDelimiter = String(UnicodeScalar(delimiter))
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if parts.contains(where: { $0.contains(upstreamDelimiter) }) {
                throw MailboxNameError(message: "\"\(name)\" contains \"\(upstreamDelimiter)\", which your mail server uses to separate folder levels; choose another name")
            }
            translated = parts.joined(separator: upstreamDelimiter)
        }
        return MailboxName(MailboxNameCodec.encode(translated, utf8: utf8))
    }

    /// The same translation for a LIST pattern, whose wildcards pass through.
    func upstreamPattern(_ pattern: String) -> [UInt8] {
        var translated = pattern
        if let delimiter, delimiter != UInt8(ascii: "/") {
            translated = pattern.replacingOccurrences(of: "/", with: String(UnicodeScalar(delimiter)))
        }
        return MailboxNameCodec.encode(translated, utf8: utf8)
    }

    /// A mailbox name from the upstream as the client sees it (Unicode, `/`-delimited).
    func clientName(_ name: MailboxName) throws -> String {
        var decoded = try MailboxNameCodec.decode(name.bytes, utf8: utf8 || name.bytes.contains { $0 >= 0x80 })
        if let delimiter, delimiter != UInt8(ascii: "/") {
            decoded = decoded.replacingOccurrences(of: String(UnicodeScalar(delimiter)), with: "/")
        }
        return MailboxNaming.normalizeInbox(decoded)
    }
}
