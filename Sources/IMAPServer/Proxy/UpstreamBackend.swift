import IMAPClient
import IMAPCore
import Upstream

/// The mailboxes of the user's own mail server (proxy mode), reached through the session's
/// upstream connection: what the session knows of that server (how names translate, which
/// of its mailboxes is selected) and the commands that go there (`UpstreamBackend+Relay`,
/// `UpstreamBackend+List`).
final class UpstreamBackend: MailboxBackend {
    unowned let session: Session
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

    init(session: Session, connection: IMAPClientConnection) {
        self.session = session
        self.connection = connection
    }

    var isSelected: Bool { selectedName != nil }
    var capabilities: Set<String> { connection.capabilities }

    func upstreamName(_ name: String) throws -> MailboxName { try names.upstreamName(name) }
    func upstreamPattern(_ pattern: String) -> [UInt8] { names.upstreamPattern(pattern) }
    func clientName(_ name: MailboxName) throws -> String { try names.clientName(name) }
}
