import IMAPCore
import MailStore

/// The mailboxes of crmgate's own store: all of the user's mail without `[upstream]`, the
/// CRM tree in proxy mode. Its selected mailbox is a `SelectedMailbox` kept up to date from
/// the store's change notifications.
final class LocalBackend: MailboxBackend {
    unowned let session: Session
    var selected: SelectedMailbox?
    var changeSubscription: ChangeSubscription?
    let changeEventOnItsWay = EventOnItsWay()

    init(session: Session) {
        self.session = session
    }

    var isSelected: Bool { selected != nil }
    /// In proxy mode only the CRM tree is served here; other local mailboxes stay hidden.
    var crmTreeOnly: Bool { session.upstream != nil }
    var store: LocalStore { session.store }

    /// The logged-in user, whose mailboxes these are.
    var userID: UserID {
        get throws {
            guard let user = session.user else { throw CommandFailure(status: .bad, text: "Log in first") }
            return user.id
        }
    }

    /// Whether a local mailbox is one the client sees.
    func shows(_ name: String) -> Bool { !crmTreeOnly || session.isLocal(name) }

    func check(tag: String, verb: String) async throws {
        try await ok(tag, "\(verb) completed")
    }
}
