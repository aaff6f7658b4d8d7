import IMAPCore
import MailStore

extension LocalBackend {
    /// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH results (RFC 4731) and
    /// the MODSEQ criterion (RFC 7162 §3.1.5). IMAP4rev2 clients always get ESEARCH.
    func search(tag: String, _ command: SearchCommand, uid: Bool) async throws {
        guard var mailbox = selected else { return }
        try checkUpdateTag(tag, options: command.returnOptions)
        let saving = command.returnOptions?.contains(.save) ?? false
        let matchedUIDs: [UInt32], sequenceNumbers: [UInt32: UInt32]
        do {
            if let charset = command.charset { try Self.checkCharset(charset) }
            if command.key.usesModSeq { condstore = true }
            // `$` in the key is what was saved before this SEARCH.
            (matchedUIDs, sequenceNumbers) = try await matching(command.key, in: mailbox)
        } catch {
            // A SEARCH RETURN (SAVE) that fails leaves `$` empty (RFC 5182 §2.1).
            if saving { selected?.saved = [] }
            throw error
        }
        let numbers = uid ? matchedUIDs : matchedUIDs.compactMap { sequenceNumbers[$0] }
        var modSeqs: [UInt32: UInt64] = [:]  // number → mod-sequence
        if command.key.usesModSeq, !matchedUIDs.isEmpty {
            for message in try await store.metadata(in: mailbox.id, uids: matchedUIDs) {
                if let number = uid ? message.state.uid : sequenceNumbers[message.state.uid] { modSeqs[number] = message.state.modSeq }
            }
        }
        if let options = command.returnOptions ?? (rev2 ? [] : nil) {
            let wanted = Self.resultOptions(options, partial: command.partial)
            var result = ESearchResponse(tag: tag, uid: uid)
            if wanted.contains(.min) { result.min = numbers.min() }
            if wanted.contains(.max) { result.max = numbers.max() }
            if wanted.contains(.count) { result.count = numbers.count }
            if wanted.contains(.all), !numbers.isEmpty { result.all = UIDSet(numbers.sorted()) }
            if let partial = command.partial { result.partial = PartialResult(range: partial, numbers: Array(partial.slice(numbers))) }
            // RFC 7162 §3.1.5: the highest mod-sequence of the messages returned; with only MIN,
            // MAX and PARTIAL asked for, those are the messages returned.
            let returned = wanted.contains(.all) || wanted.contains(.count) ? numbers
                : [result.min, result.max].compactMap { $0 } + (result.partial?.numbers ?? [])
            result.modSeq = returned.compactMap { modSeqs[$0] }.max()
            if saving {
                // SAVE with only MIN/MAX keeps those messages; else all that matched (RFC 5182 §2.1).
                let onlyEnds = (wanted.contains(.min) || wanted.contains(.max)) && !wanted.contains(.all) && !wanted.contains(.count)
                let kept = onlyEnds ? Set(returned) : Set(numbers)
                mailbox.saved = matchedUIDs.filter { kept.contains(uid ? $0 : sequenceNumbers[$0] ?? 0) }
                selected = mailbox
            }
            // SAVE alone asks for no answer but the saving.
            if wanted != [.save] { send(.untagged(.esearch(result))) }
            if options.contains(.update) {
                startUpdating(UpdatingSearch(tag: tag, uid: uid, key: command.key, sort: nil, results: matchedUIDs))
            }
        } else {
            send(.untagged(.search(numbers, modSeq: modSeqs.values.max())))
        }
        try await ok(tag, "\(uid ? "UID SEARCH" : "SEARCH") completed", expungesAllowed: uid)
    }
}

extension LocalBackend {
    /// The UIDs of the selected mailbox's messages a search key matches, ascending, and each
    /// UID's sequence number.
    func matching(_ key: SearchKey, in mailbox: SelectedMailbox) async throws -> (uids: [UInt32], sequenceNumbers: [UInt32: UInt32]) {
        var numbering: [UInt32: UInt32] = [:]
        numbering.reserveCapacity(mailbox.uids.count)
        for (i, u) in mailbox.uids.enumerated() { numbering[u] = UInt32(i + 1) }
        let sequenceNumbers = numbering
        let matcher = SearchMatcher(key: key, sequenceNumbers: sequenceNumbers, highestSequence: UInt32(mailbox.uids.count),
                                    highestUID: mailbox.uids.last ?? 0, recent: mailbox.recent, saved: Set(mailbox.saved))
        let pending = mailbox.pendingExpunges
        let uids = try await store.uids(in: mailbox.id, depth: matcher.depth, prefilter: matcher.prefilter) { message in
            sequenceNumbers[message.state.uid] != nil && !pending.contains(message.state.uid) && matcher.matches(message)
        }
        return (uids, sequenceNumbers)
    }

    /// The return options that shape the answer: CONTEXT and UPDATE do not, and without any
    /// other (nor PARTIAL) the answer is ALL, as for `RETURN ()` (RFC 4731 §3.1, RFC 5267 §4).
    static func resultOptions(_ options: [SearchReturnOption], partial: PartialRange?) -> [SearchReturnOption] {
        let shaping = options.filter { $0 != .context && $0 != .update }
        return shaping.isEmpty && partial == nil ? [.all] : shaping
    }

    /// The charsets SEARCH, SORT and THREAD take; another is NO [BADCHARSET].
    static func checkCharset(_ charset: String) throws {
        let known = ["UTF-8", "US-ASCII"]
        guard known.contains(charset.uppercased()) else {
            throw CommandFailure(code: .badCharset(known), text: "Unsupported charset \(charset)")
        }
    }
}

extension SearchKey {
    var usesModSeq: Bool {
        switch self {
        case .modSeq: true
        case .not(let inner): inner.usesModSeq
        case .or(let a, let b): a.usesModSeq || b.usesModSeq
        case .and(let keys): keys.contains { $0.usesModSeq }
        default: false
        }
    }
}
