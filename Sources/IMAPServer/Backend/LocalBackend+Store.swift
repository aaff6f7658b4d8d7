import IMAPCore
import MailStore

extension LocalBackend {
    /// STORE and UID STORE (RFC 9051 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3).
    func store(tag: String, set: SequenceSet, modifiers: StoreModifiers, action: StoreAction, uid: Bool) async throws {
        guard var mailbox = selected else { return }
        guard !mailbox.readOnly else { throw CommandFailure(code: .other("READ-ONLY", nil), text: "The mailbox is open read-only (EXAMINE)") }
        if modifiers.unchangedSince != nil { condstore = true }
        var targets = try mailbox.resolve(set, uid: uid)
        targets.removeAll { mailbox.pendingExpunges.contains($0.uid) }
        let operation: FlagOperation = switch action.operation {
        case .add: .add
        case .remove: .remove
        case .replace: .replace
        }
        let result = try await store.store(operation, flags: action.flags.map(\.rawValue), uids: targets.map(\.uid),
                                           in: mailbox.id, unchangedSince: modifiers.unchangedSince)
        let seqOf = Dictionary(uniqueKeysWithValues: targets.map { ($0.uid, $0.seq) })
        announceKeywords(in: result.states, of: &mailbox)
        for state in result.states {
            mailbox.reported[state.uid] = state.modSeq
            guard let seq = seqOf[state.uid] else { continue }
            var items: [FetchResponseAttribute] = []
            if uid { items.append(.uid(state.uid)) }
            if !action.silent { items.append(.flags(flags(of: state, in: mailbox))) }
            if condstore { items.append(.modSeq(state.modSeq)) }
            if !action.silent || (modifiers.unchangedSince != nil && state.modSeq > mailbox.highestModSeq) {
                send(.untagged(.fetch(seq, items)))
            }
        }
        selected = mailbox
        var code: ResponseCode?
        if !result.modified.isEmpty {
            let numbers = uid ? result.modified : result.modified.compactMap { seqOf[$0].map(UInt32.init) }
            code = .modified(UIDSet(numbers.sorted()))
        }
        try await ok(tag, code == nil ? "STORE completed" : "Conditional STORE failed for some messages", code: code, expungesAllowed: uid)
    }
}
