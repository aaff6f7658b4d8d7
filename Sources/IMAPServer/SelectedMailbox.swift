import IMAPCore
import MailStore

/// The session's view of its selected mailbox (RFC 9051 §2.3.1.2): the UID of each
/// message sequence number and the MODSEQ up to which the client has been told of
/// changes. Updated from the store's change notifications, never by re-reading.
struct SelectedMailbox {
    let id: MailboxID
    let name: String
    let uidValidity: UInt32
    let readOnly: Bool
    /// Ascending; message sequence number n is `uids[n - 1]`.
    var uids: [UInt32]
    var highestModSeq: UInt64
    /// The store's change count for this mailbox when the client was last brought up to date
    /// (`ChangeBus.version`): while it stays the same, nothing needs reading.
    var changeVersion: UInt64 = 0
    /// Expunged in the store but not yet announced (FETCH, STORE and SEARCH may not announce them).
    var pendingExpunges: Set<UInt32> = []
    /// New messages not announced yet (see `LocalBackend.announceChanges`).
    var heldArrivals: [UInt32] = []
    /// The command being answered expunged messages (EXPUNGE, MOVE) and said so.
    var expungedInThisAnswer = false
    /// The command being answered appended to this mailbox: its answer announces the new mail.
    var appendedInThisAnswer = false
    /// Flag changes this session already reported itself, so they are not echoed again.
    var reported: [UInt32: UInt64] = [:]
    /// The keywords the client was told of in FLAGS, by lower-cased name.
    var keywords: [String: String] = [:]
    /// The messages that are \Recent in this session (RFC 3501 §2.3.2).
    var recent: Set<UInt32> = []
    /// The UIDs `SEARCH RETURN (SAVE)` saved, which `$` names (RFC 5182).
    var saved: [UInt32] = []
    /// Searches whose results the client is kept told of (RFC 5267 §4.3).
    var updating: [UpdatingSearch] = []

    /// Index of a UID in `uids`, by binary search.
    func index(of uid: UInt32) -> Int? {
        var low = 0, high = uids.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if uids[mid] == uid { return mid }
            if uids[mid] < uid { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// The (sequence number, UID) pairs a set names, ascending. For UID sets `*` is the
    /// highest UID; UIDs not in the mailbox are left out (RFC 9051 §6.4.8).
    func resolve(_ set: SequenceSet, uid: Bool) throws -> [(seq: Int, uid: UInt32)] {
        if set.isSavedResult {
            // `$`: the saved messages still here, for UID and sequence-number commands alike.
            return saved.compactMap { uid in index(of: uid).map { (seq: $0 + 1, uid: uid) } }
        }
        if uid {
            guard let last = uids.last else { return [] }
            let ranges = set.resolved(max: last)
            var result: [(Int, UInt32)] = []
            for range in ranges {
                let start = lowerBound(range.lowerBound)
                var i = start
                while i < uids.count, uids[i] <= range.upperBound {
                    result.append((i + 1, uids[i])); i += 1
                }
            }
            return dedupe(result)
        }
        let count = UInt32(uids.count)
        if count == 0 { return [] }
        var result: [(Int, UInt32)] = []
        for range in set.resolved(max: count) {
            if range.upperBound > count || range.lowerBound == 0 {
                throw CommandFailure(status: .bad, text: "Message sequence number out of range: the mailbox has \(count) messages")
            }
            for n in range { result.append((Int(n), uids[Int(n) - 1])) }
        }
        return dedupe(result)
    }

    private func lowerBound(_ uid: UInt32) -> Int {
        var low = 0, high = uids.count
        while low < high {
            let mid = (low + high) / 2
            if uids[mid] < uid { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Ascending by sequence number, each once. A set of one range (`1:*`) is already in
    /// order; otherwise sorting brings duplicates together.
    private func dedupe(_ pairs: [(Int, UInt32)]) -> [(seq: Int, uid: UInt32)] {
        let ascending = zip(pairs, pairs.dropFirst()).allSatisfy { $0.0 < $1.0 }
        let sorted = ascending ? pairs : pairs.sorted { $0.0 < $1.0 }
        var result: [(seq: Int, uid: UInt32)] = []
        result.reserveCapacity(sorted.count)
        for pair in sorted where result.last?.seq != pair.0 { result.append((seq: pair.0, uid: pair.1)) }
        return result
    }
}
