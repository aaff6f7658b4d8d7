import IMAPClient
import IMAPCore
import Upstream

/// A session's connection to the upstream IMAP server (proxy mode) and what the session
/// knows of it: how names translate, and which upstream mailbox is selected.
final class UpstreamLink {
    let connection: IMAPClientConnection
    var names = UpstreamNames()
    /// The selected upstream mailbox as the client named it (Unicode, `/`), if any.
    var selectedName: String?
    /// Its UIDVALIDITY, read from the SELECT's responses.
    var selectedUIDValidity: UInt32?
    /// The client is in IDLE and so is the upstream.
    var idling = false
    /// A folder of the upstream hidden behind a CRM folder of the same name was reported.
    var reportedCollision = false

    init(connection: IMAPClientConnection) {
        self.connection = connection
    }

    var capabilities: Set<String> { connection.capabilities }

    func upstreamName(_ name: String) throws -> MailboxName { try names.upstreamName(name) }
    func upstreamPattern(_ pattern: String) -> [UInt8] { names.upstreamPattern(pattern) }
    func clientName(_ name: MailboxName) throws -> String { try names.clientName(name) }
}
