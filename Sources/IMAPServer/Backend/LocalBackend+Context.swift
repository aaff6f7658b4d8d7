import IMAPCore
import MailStore

/// A SEARCH or SORT whose results the client asked to be kept up to date with
/// `RETURN (UPDATE)` (RFC 5267 §4.3). It lives while its mailbox stays selected, or until
/// CANCELUPDATE names its tag.
struct UpdatingSearch {
    let tag: String
    let uid: Bool
    let key: SearchKey
    /// The SORT it came from; nil for a SEARCH, whose results are in mailbox order.
    let sort: SortCommand?
    /// The results the client knows, as UIDs, in result order.
    var results: [UInt32]

    /// The ADDTO and REMOVEFROM pairs that turn `old` into `new`, as UIDs (RFC 5267
    /// §4.3.3–4.3.4). A SEARCH's pairs have position 0 and sets in mailbox order. A SORT's
    /// removals come last position first, so each position holds when it is applied, then
    /// the additions first position first; a run of neighbours shares one pair.
    static func updates(from old: [UInt32], to new: [UInt32], positional: Bool) -> [ContextUpdate] {
        let oldSet = Set(old), newSet = Set(new)
        guard positional else {
            let removed = old.filter { !newSet.contains($0) }.sorted(), added = new.filter { !oldSet.contains($0) }.sorted()
            return (removed.isEmpty ? [] : [.removeFrom(position: 0, removed)]) + (added.isEmpty ? [] : [.addTo(position: 0, added)])
        }
        // Sort keys never change, so what stays keeps its order; if it did not, start over.
        if old.filter(newSet.contains) != new.filter(oldSet.contains) {
            return (old.isEmpty ? [] : [.removeFrom(position: 1, old)]) + (new.isEmpty ? [] : [.addTo(position: 1, new)])
        }
        let removals = runs(of: old) { !newSet.contains($0) }.reversed().map { ContextUpdate.removeFrom(position: $0.position, $0.members) }
        let additions = runs(of: new) { !oldSet.contains($0) }.map { ContextUpdate.addTo(position: $0.position, $0.members) }
        return removals + additions
    }

    /// The runs of neighbouring members that satisfy `test`, with the 1-based position of each run's first.
    private static func runs(of list: [UInt32], where test: (UInt32) -> Bool) -> [(position: Int, members: [UInt32])] {
        var runs: [(position: Int, members: [UInt32])] = []
        for (index, member) in list.enumerated() where test(member) {
            if let last = runs.last, last.position + last.members.count == index + 1 {
                runs[runs.count - 1].members.append(member)
            } else {
                runs.append((index + 1, [member]))
            }
        }
        return runs
    }
}

extension LocalBackend {
    /// How many updating searches one session may keep; more get `NO [NOUPDATE]` (RFC 5267 §4.3.1).
    static let maxUpdatingSearches = 16

    /// Before a searching command runs: a tag already naming an updating search cannot ask
    /// for updates again (RFC 5267 §4.3).
    func checkUpdateTag(_ tag: String, options: [SearchReturnOption]?) throws {
        guard options?.contains(.update) == true, selected?.updating.contains(where: { $0.tag == tag }) == true else { return }
        throw CommandFailure(status: .bad, text: "Tag \(tag) already names a search that is being updated; use a new tag")
    }

    /// Keeps a search's results up to date from now on, unless the session has too many.
    func startUpdating(_ search: UpdatingSearch) {
        guard selected != nil else { return }
        guard selected!.updating.count < Self.maxUpdatingSearches else {
            send(.untagged(.status(StatusResponse(status: .no, code: .other("NOUPDATE", "\"\(search.tag)\""),
                                                  text: "Too many searches are being updated; CANCELUPDATE one first"))))
            return
        }
        selected!.updating.append(search)
    }

    /// CANCELUPDATE (RFC 5267 §4.3.5).
    func cancelUpdate(tag: String, _ tags: [String]) async throws {
        guard var mailbox = selected else { return }
        let unknown = tags.filter { tag in !mailbox.updating.contains { $0.tag == tag } }
        guard unknown.isEmpty else {
            throw CommandFailure(status: .no, text: "No search is being updated under the tag \(unknown.joined(separator: ", "))")
        }
        mailbox.updating.removeAll { tags.contains($0.tag) }
        selected = mailbox
        try await ok(tag, "CANCELUPDATE completed")
    }

    /// Before expunged messages are announced: REMOVEFROM for those among an updating
    /// search's results, in the numbering they still have (RFC 5267 §4.3.4).
    func removeExpunged(_ gone: Set<UInt32>, from mailbox: inout SelectedMailbox) {
        for index in mailbox.updating.indices {
            let search = mailbox.updating[index]
            guard search.results.contains(where: gone.contains) else { continue }
            let remaining = search.results.filter { !gone.contains($0) }
            sendUpdates(of: search, UpdatingSearch.updates(from: search.results, to: remaining, positional: search.sort != nil), in: mailbox)
            mailbox.updating[index].results = remaining
        }
    }

    /// After the mailbox's changes are announced: each updating search is run again and the
    /// difference sent, in the numbering the client now has (RFC 5267 §4.3.3).
    func refreshUpdating(_ mailbox: inout SelectedMailbox) async throws {
        for index in mailbox.updating.indices {
            let search = mailbox.updating[index]
            let results = if let sort = search.sort {
                try await sortedMessages(sort, in: mailbox).map(\.uid)
            } else {
                try await matching(search.key, in: mailbox).uids
            }
            let updates = UpdatingSearch.updates(from: search.results, to: results, positional: search.sort != nil)
            guard !updates.isEmpty else { continue }
            sendUpdates(of: search, updates, in: mailbox)
            mailbox.updating[index].results = results
        }
    }

    private func sendUpdates(of search: UpdatingSearch, _ updates: [ContextUpdate], in mailbox: SelectedMailbox) {
        func numbers(_ uids: [UInt32]) -> [UInt32] {
            search.uid ? uids : uids.compactMap { uid in mailbox.index(of: uid).map { UInt32($0 + 1) } }
        }
        var response = ESearchResponse(tag: search.tag, uid: search.uid)
        response.updates = updates.map { update in
            switch update {
            case .addTo(let position, let uids): .addTo(position: position, numbers(uids))
            case .removeFrom(let position, let uids): .removeFrom(position: position, numbers(uids))
            }
        }
        send(.untagged(.esearch(response)))
    }
}
