import Synchronization

/// In-process notifications of committed mailbox changes.
///
/// The store publishes after each committed write transaction that changes a mailbox's
/// messages, flags or existence (before the writer is answered); every session that has the
/// mailbox selected (or is in IDLE on it) wakes and reads what changed.
/// GRDB's ValueObservation coalesces changes, so it cannot drive IDLE by itself.
public final class ChangeBus: Sendable {
    private struct Subscriber {
        let mailbox: MailboxID
        let continuation: AsyncStream<Void>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
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

    /// A stream that yields once (coalesced) whenever the mailbox changed.
    /// The subscription ends when the stream is dropped or its consumer is cancelled.
    public func subscribe(to mailbox: MailboxID) -> AsyncStream<Void> {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: token) }
        }
        subscribers.withLock { $0[token] = Subscriber(mailbox: mailbox, continuation: continuation) }
        return stream
    }

    public func publish(_ mailboxes: some Sequence<MailboxID>) {
        let targets = Set(mailboxes)
        guard !targets.isEmpty else { return }
        versions.withLock { table in
            table.all &+= 1
            for mailbox in targets { table.mailboxes[mailbox, default: 0] &+= 1 }
        }
        let conts = subscribers.withLock { subs in
            subs.values.filter { targets.contains($0.mailbox) }.map(\.continuation)
        }
        for c in conts { c.yield() }
    }
}
