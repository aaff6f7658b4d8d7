import Synchronization

/// The latest answer per mailbox to "what changed since this MODSEQ", kept while the
/// mailbox has not changed again. When new mail reaches ten thousand sessions idling in
/// one INBOX, each of them asks what changed since the same MODSEQ: the first reads it, the
/// others take its answer.
final class RecentChanges: Sendable {
    private let latest = Mutex<[MailboxID: (version: UInt64, since: UInt64, changes: MailboxChanges)]>([:])
    /// Bigger answers (a client catching up after a long time) are not kept.
    static let largest = 256
    /// Mailboxes kept at most; past this the memory starts over.
    static let capacity = 10_000

    /// The answer kept for `since`, if it was read at the mailbox's change count `version`
    /// (`ChangeBus.version(of:)`, read before the read and before this look-up).
    func answer(_ mailbox: MailboxID, since: UInt64, version: UInt64) -> MailboxChanges? {
        latest.withLock { latest in
            guard let kept = latest[mailbox], kept.version == version, kept.since == since else { return nil }
            return kept.changes
        }
    }

    func keep(_ changes: MailboxChanges, of mailbox: MailboxID, since: UInt64, version: UInt64) {
        guard changes.changed.count + changes.expunged.count <= Self.largest else { return }
        latest.withLock { latest in
            if latest.count >= Self.capacity, latest[mailbox] == nil { latest.removeAll() }
            latest[mailbox] = (version, since, changes)
        }
    }
}
