import Synchronization

/// In-process notifications of committed mailbox changes.
///
/// The store publishes after each committed write transaction that changes a mailbox's
/// messages, flags or existence (before the writer is answered); every session that has the
/// mailbox selected (or is in IDLE on it) wakes and reads what changed.
/// GRDB's ValueObservation coalesces changes, so it cannot drive IDLE by itself.
public final class ChangeBus: Sendable {
    /// Per mailbox, who is waiting for its changes, by subscription token.
    private let observers = Mutex<[MailboxID: [Int: @Sendable () -> Void]]>([:])
    private let nextToken = Atomic<Int>(0)
    /// Per mailbox, how many times a change was published (and how many publishes in all): a
    /// session that saw the same number before knows, without asking the database, that
    /// nothing changed.
    private let versions = Mutex<(all: UInt64, mailboxes: [MailboxID: UInt64])>((0, [:]))

    public init() {}

    /// The mailbox's change count. Read it before reading the mailbox: a change published
    /// after that then shows as a new count.
    public func version(of mailbox: MailboxID) -> UInt64 {
        versions.withLock { $0.mailboxes[mailbox] ?? 0 }
    }

    /// How many publishes there were in all: read before a read of a mailbox not known yet.
    public var published: UInt64 { versions.withLock { $0.all } }

    /// The mailbox's change count, if nothing at all was published since `published` was
    /// `before`; nil otherwise (a change may or may not be in what was read meanwhile).
    public func version(of mailbox: MailboxID, ifNothingPublishedSince before: UInt64) -> UInt64? {
        versions.withLock { $0.all == before ? $0.mailboxes[mailbox] ?? 0 : nil }
    }

    /// Calls `handler` after each published change of the mailbox, on the publisher's
    /// thread (it must return at once: schedule work, do not do it), until the
    /// subscription is cancelled or released. A callback rather than a stream consumed by a
    /// task of its own: ten thousand idle sessions then hold no task each.
    public func observe(_ mailbox: MailboxID, _ handler: @escaping @Sendable () -> Void) -> ChangeSubscription {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        observers.withLock { $0[mailbox, default: [:]][token] = handler }
        return ChangeSubscription { [weak self] in
            self?.observers.withLock { table in
                table[mailbox]?.removeValue(forKey: token)
                if table[mailbox]?.isEmpty == true { table.removeValue(forKey: mailbox) }
            }
        }
    }

    public func publish(_ mailboxes: some Sequence<MailboxID>) {
        let targets = Set(mailboxes)
        guard !targets.isEmpty else { return }
        versions.withLock { table in
            table.all &+= 1
            for mailbox in targets { table.mailboxes[mailbox, default: 0] &+= 1 }
        }
        let handlers = observers.withLock { table in targets.flatMap { table[$0]?.values.map { $0 } ?? [] } }
        for handler in handlers { handler() }
    }
}

/// A registration with `ChangeBus.observe`; ends with `cancel()` or when released.
public final class ChangeSubscription: Sendable {
    private let end: Mutex<(@Sendable () -> Void)?>

    init(end: @escaping @Sendable () -> Void) { self.end = Mutex(end) }

    public func cancel() {
        end.withLock { f in
            f?()
            f = nil
        }
    }

    deinit { cancel() }
}
