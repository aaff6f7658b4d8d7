import Synchronization

/// In-process notifications of committed mailbox changes.
///
/// The store publishes after each committed write transaction; every session that
/// has the mailbox selected (or is in IDLE on it) wakes and reads what changed.
/// GRDB's ValueObservation coalesces changes, so it cannot drive IDLE by itself.
public final class ChangeBus: Sendable {
    private struct Subscriber {
        let mailbox: MailboxID
        let continuation: AsyncStream<Void>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextToken = Atomic<Int>(0)

    public init() {}

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
        let conts = subscribers.withLock { subs in
            subs.values.filter { targets.contains($0.mailbox) }.map(\.continuation)
        }
        for c in conts { c.yield() }
    }
}
