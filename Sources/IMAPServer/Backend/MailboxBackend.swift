import GatewayConfig
import IMAPCore
import Logging
import MailStore

/// One place mailboxes live, as an IMAP session sees it: the local store (`LocalBackend`)
/// or, in proxy mode, the user's own mail server (`UpstreamBackend`). The session's router
/// (`Session+Routing`) picks the backend of each mailbox by name and sends every command on
/// it there; moving mail between two backends is the router's (`Session+Transfer`).
///
/// Each command method answers the client completely, tagged completion included, through
/// the session's output, and throws `CommandFailure` (or a store or upstream error) for the
/// session to answer. Names are the client's, decoded: Unicode with `/` as the delimiter.
/// The upstream backend relays the client's command bytes (`Session.currentFrame`) where it
/// can, which is what keeps the proxy cheap; the parsed arguments are the local backend's.
protocol MailboxBackend: AnyObject {
    /// The session this backend serves (unowned: the session owns its backends).
    var session: Session { get }
    /// True while a mailbox of this backend is selected.
    var isSelected: Bool { get }

    // MARK: Mailboxes by name (authenticated and selected state)

    /// The untagged LIST (and LIST-STATUS) responses for this backend's mailboxes.
    func list(_ command: ListCommand) async throws
    /// The untagged LSUB responses for this backend's subscriptions.
    func lsub(reference: String, pattern: String) async throws
    func status(tag: String, name: String, attributes: [StatusAttribute]) async throws
    func create(tag: String, name: String, specialUse: [String]) async throws
    func delete(tag: String, name: String) async throws
    func rename(tag: String, from: String, to: String) async throws
    func subscribe(tag: String, name: String, subscribed: Bool) async throws
    func append(tag: String, name: String, message: AppendMessage) async throws
    /// SELECT and EXAMINE with CONDSTORE and QRESYNC; the mailbox stays selected on success.
    func select(tag: String, name: String, parameters: SelectParameters, readOnly: Bool) async throws
    /// Leaves the selected mailbox without expunging, because the client selects another one:
    /// of this backend (`reselecting`) or of the other.
    func leave(reselecting: Bool) async throws

    // MARK: The selected mailbox

    func fetch(tag: String, set: SequenceSet, attributes: [FetchAttribute], modifiers: FetchModifiers, uid: Bool) async throws
    func search(tag: String, _ command: SearchCommand, uid: Bool) async throws
    /// SORT and THREAD (RFC 5256).
    func sort(tag: String, _ command: SortCommand, uid: Bool) async throws
    func thread(tag: String, _ command: ThreadCommand, uid: Bool) async throws
    func store(tag: String, set: SequenceSet, modifiers: StoreModifiers, action: StoreAction, uid: Bool) async throws
    /// COPY or MOVE to a mailbox of this same backend.
    func copy(tag: String, set: SequenceSet, destination: String, uid: Bool, move: Bool) async throws
    func expunge(tag: String, uids: SequenceSet?) async throws
    /// CLOSE (`expunge`) or UNSELECT.
    func close(tag: String, expunge: Bool) async throws
    /// NOOP and CHECK (`verb`): the client is brought up to date.
    func check(tag: String, verb: String) async throws
    /// IDLE begins; false when the backend answered it without idling.
    func startIdle(tag: String) async throws -> Bool
    func finishIdle(tag: String, done: Bool) async throws
    /// Tells the client what changed in the selected mailbox meanwhile (EXISTS, EXPUNGE or
    /// VANISHED, FETCH FLAGS); expunges wait while they are not allowed (RFC 9051 §7.5.1).
    /// `endOfCommand`: the answer of a command (not an IDLE push), so new mail may wait for a
    /// later answer (`LocalBackend.announceChanges`).
    func announceChanges(expungesAllowed: Bool, endOfCommand: Bool) async throws
}

/// What both backends use of their session: its output and the client's extensions.
extension MailboxBackend {
    var logger: Logger { session.logger }
    var configuration: GatewayConfiguration.IMAP { session.configuration }
    var condstore: Bool {
        get { session.condstore }
        set { session.condstore = newValue }
    }
    var qresync: Bool { session.qresync }
    var rev2: Bool { session.rev2 }

    func send(_ response: Response) { session.send(response) }
    func reply(_ tag: String, _ code: ResponseCode?, _ text: String) { session.reply(tag, code, text) }
    func reply(_ tag: String?, _ failure: CommandFailure) { session.reply(tag, failure) }
    func ok(_ tag: String, _ text: String, code: ResponseCode? = nil, expungesAllowed: Bool = true) async throws {
        try await session.ok(tag, text, code: code, expungesAllowed: expungesAllowed)
    }
    func flush() async throws { try await session.flush() }
    func flushIfLarge() async throws { try await session.flushIfLarge() }
    func encodeName(_ name: String) -> MailboxName { session.encodeName(name) }

    /// `* OK [CLOSED]` when a selected mailbox is left for another (RFC 7162 §3.2.11, RFC 9051).
    func announceClosed() {
        if qresync || rev2 { send(.untagged(.status(StatusResponse(status: .ok, code: .closed, text: "Previous mailbox closed")))) }
    }
}
