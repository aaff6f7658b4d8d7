import Foundation
import IMAPCore
import MailStore
import Synchronization

extension LocalBackend {
    /// SELECT and EXAMINE (RFC 9051 §6.3.2–6.3.3) with CONDSTORE and QRESYNC (RFC 7162 §3.2.5).
    func select(tag: String, name: String, parameters: SelectParameters, readOnly: Bool) async throws {
        // One read for the mailbox, its messages and its recent floor. The change count comes
        // with it only if nothing was published meanwhile; else the next command reads what changed.
        let published = store.changes.published
        let (info, states, floor) = try await store.selection(of: try userID, named: name)
        let version = store.changes.version(of: info.id, ifNothingPublishedSince: published) ?? .max
        if parameters.condstore { condstore = true }
        if parameters.qresync != nil && !qresync {
            throw CommandFailure(status: .bad, text: "QRESYNC parameter given without ENABLE QRESYNC")
        }

        var keywords: [String: String] = [:]
        for state in states { for flag in state.flags where !flag.hasPrefix("\\") { keywords[flag.lowercased()] = keywords[flag.lowercased()] ?? flag } }
        sendFlags(keywords, readOnly: readOnly)
        send(.untagged(.exists(states.count)))
        // SELECT takes the new messages' \Recent for this session; EXAMINE only looks.
        let recentRange = try await store.recent(in: info.id, through: states.last?.uid ?? 0, claim: !readOnly, floor: floor)
        let recent = Set(states.map(\.uid).filter { recentRange?.contains($0) ?? false })
        if !rev2 { send(.untagged(.recent(recent.count))) }
        if !rev2, let firstUnseen = states.firstIndex(where: { !$0.flags.contains { $0.caseInsensitiveCompare("\\Seen") == .orderedSame } }) {
            send(.untagged(.status(StatusResponse(status: .ok, code: .unseen(firstUnseen + 1), text: "First unseen"))))
        }
        send(.untagged(.status(StatusResponse(status: .ok, code: .uidValidity(info.uidValidity), text: "UIDs valid"))))
        send(.untagged(.status(StatusResponse(status: .ok, code: .uidNext(info.uidNext), text: "Predicted next UID"))))
        send(.untagged(.status(StatusResponse(status: .ok, code: .highestModSeq(info.highestModSeq), text: "Highest"))))
        send(.untagged(.status(StatusResponse(status: .ok, code: .mailboxID(ObjectIDs.mailbox(info)), text: "Mailbox id"))))

        selected = SelectedMailbox(id: info.id, name: info.name, uidValidity: info.uidValidity, readOnly: readOnly,
                                   uids: states.map(\.uid), highestModSeq: info.highestModSeq, changeVersion: version,
                                   keywords: keywords, recent: recent)
        subscribeToChanges(info.id)

        if let resync = parameters.qresync, resync.uidValidity == info.uidValidity {
            try await resynchronize(since: resync.modSeq, knownUIDs: resync.knownUIDs, states: states)
        }
        reply(tag, readOnly ? .readOnly : .readWrite, "\(readOnly ? "EXAMINE" : "SELECT") completed")
    }

    static let systemFlags: [Flag] = [.answered, .flagged, .deleted, .seen, .draft]

    /// FLAGS and PERMANENTFLAGS: the system flags and the mailbox's keywords.
    private func sendFlags(_ keywords: [String: String], readOnly: Bool) {
        let flags = Self.systemFlags + keywords.values.sorted().map { Flag($0) }
        send(.untagged(.flags(flags)))
        send(.untagged(.status(StatusResponse(status: .ok, code: .permanentFlags(readOnly ? [] : flags, allowsNewKeywords: !readOnly),
                                              text: readOnly ? "No permanent flags permitted" : "Flags permitted"))))
    }

    /// A message's flags as this session shows them: with \Recent where it is recent here
    /// (IMAP4rev1 only; RFC 9051 has no \Recent).
    func flags(of state: MessageState, in mailbox: SelectedMailbox?) -> [Flag] {
        var flags = state.flags.map { Flag($0) }
        if !rev2, mailbox?.recent.contains(state.uid) == true { flags.append(Flag("\\Recent")) }
        return flags
    }

    /// A keyword the client has not been told of yet is announced in FLAGS (and
    /// PERMANENTFLAGS) before any FETCH shows it (RFC 3501 §7.2.6).
    func announceKeywords(in states: [MessageState], of mailbox: inout SelectedMailbox) {
        var grown = false
        for state in states {
            for flag in state.flags where !flag.hasPrefix("\\") && mailbox.keywords[flag.lowercased()] == nil {
                mailbox.keywords[flag.lowercased()] = flag
                grown = true
            }
        }
        if grown { sendFlags(mailbox.keywords, readOnly: mailbox.readOnly) }
    }

    /// QRESYNC: tell the client what was expunged and changed since the MODSEQ it knows.
    private func resynchronize(since modSeq: UInt64, knownUIDs: SequenceSet?, states: [MessageState]) async throws {
        guard let selected else { return }
        let changes = try await store.changes(in: selected.id, since: modSeq)
        var vanished = changes.expunged
        if let known = knownUIDs {
            let maxUID = max(vanished.last ?? 0, selected.uids.last ?? 0)
            vanished = vanished.filter { known.contains($0, max: maxUID) }
        }
        if !vanished.isEmpty { send(.untagged(.vanished(earlier: true, UIDSet(vanished)))) }
        for state in changes.changed {
            guard let index = selected.index(of: state.uid) else { continue }
            send(.untagged(.fetch(index + 1, [.uid(state.uid), .flags(flags(of: state, in: selected)), .modSeq(state.modSeq)])))
        }
    }

    /// CLOSE (expunging \Deleted messages silently unless read-only) and UNSELECT (RFC 3691).
    func close(tag: String, expunge: Bool) async throws {
        if expunge, let selected, !selected.readOnly {
            _ = try await store.expunge(selected.id)
        }
        deselect()
        reply(tag, nil, "\(expunge ? "CLOSE" : "UNSELECT") completed")
    }

    func leave(reselecting: Bool) async throws {
        deselect()
        announceClosed()
    }

    func deselect() {
        changeSubscription?.cancel()
        changeSubscription = nil
        selected = nil
    }

    /// Each published change of the mailbox becomes a `.mailboxChanged` event; changes that
    /// come while one is on its way to the session are told with it (the session reads
    /// everything new when it handles the event, after `changeEventArrived`).
    private func subscribeToChanges(_ mailbox: MailboxID) {
        let events = session.events
        let onItsWay = changeEventOnItsWay
        changeSubscription = store.changes.observe(mailbox) {
            guard !onItsWay.flag.exchange(true, ordering: .acquiringAndReleasing) else { return }
            events.send(.mailboxChanged)
        }
    }

    /// The session took a `.mailboxChanged` event: a change published from now on sends another.
    func changeEventArrived() {
        changeEventOnItsWay.flag.store(false, ordering: .releasing)
    }

    /// Brings the client up to date with its selected mailbox: EXPUNGE (or VANISHED
    /// under QRESYNC), EXISTS and FETCH FLAGS for what others changed (RFC 9051 §7.4–7.5).
    /// During FETCH, STORE and SEARCH expunges are held back (RFC 9051 §7.5.1).
    ///
    /// EXISTS and EXPUNGE never share an exchange: neomutt takes the two together as an
    /// expunge only, fetches beyond the end of the mailbox and shows the new mail only once
    /// the folder is reopened (a drop returned to INBOX while neomutt expunges the original).
    /// So new mail waits (`heldArrivals`) when the command expunged messages itself or more
    /// pipelined commands follow, and others' expunges wait when new mail is announced; the
    /// next answer tells the rest. An APPEND to this mailbox announces its mail at once
    /// (RFC 9051 §6.3.12). In IDLE expunges go first and new mail follows in a push of its own.
    func announceChanges(expungesAllowed: Bool, endOfCommand: Bool) async throws {
        guard var mailbox = selected else { return }
        defer {
            selected?.expungedInThisAnswer = false
            selected?.appendedInThisAnswer = false
        }
        let holdArrivals = endOfCommand && !mailbox.appendedInThisAnswer
            && (mailbox.expungedInThisAnswer || session.morePipelined)
        // Nothing published since the last time, and nothing waiting to be told: no query.
        let version = store.changes.version(of: mailbox.id)
        if version == mailbox.changeVersion, mailbox.pendingExpunges.isEmpty || !expungesAllowed,
           mailbox.heldArrivals.isEmpty || holdArrivals { return }
        let changes: MailboxChanges
        do {
            changes = try await store.changes(in: mailbox.id, since: mailbox.highestModSeq)
        } catch MailStoreError.mailboxNotFound {
            send(.untagged(.status(StatusResponse(status: .bye, text: "Mailbox \(mailbox.name) was deleted"))))
            session.state = .logout
            return
        }
        for uid in changes.expunged where mailbox.index(of: uid) != nil { mailbox.pendingExpunges.insert(uid) }
        if !changes.expunged.isEmpty {
            let gone = Set(changes.expunged)
            mailbox.heldArrivals.removeAll { gone.contains($0) }
        }
        let newest = max(mailbox.uids.last ?? 0, mailbox.heldArrivals.last ?? 0)
        mailbox.heldArrivals += changes.changed.map(\.uid).filter { $0 > newest }.sorted()
        let expungesFirst = !endOfCommand && expungesAllowed && !mailbox.pendingExpunges.isEmpty
        let announceArrivals = !holdArrivals && !expungesFirst && !mailbox.heldArrivals.isEmpty
        if expungesAllowed, !announceArrivals, !mailbox.pendingExpunges.isEmpty {
            removeExpunged(mailbox.pendingExpunges, from: &mailbox)
            let gone = mailbox.pendingExpunges.sorted()
            if qresync {
                send(.untagged(.vanished(earlier: false, UIDSet(gone))))
                mailbox.uids.removeAll { mailbox.pendingExpunges.contains($0) }
            } else {
                for uid in gone.reversed() {
                    if let index = mailbox.index(of: uid) {
                        send(.untagged(.expunge(index + 1)))
                        mailbox.uids.remove(at: index)
                    }
                }
            }
            mailbox.recent.subtract(gone)
            mailbox.pendingExpunges.removeAll()
        }
        announceKeywords(in: changes.changed, of: &mailbox)
        for state in changes.changed {
            guard let index = mailbox.index(of: state.uid) else { continue }
            if mailbox.pendingExpunges.contains(state.uid) || mailbox.reported[state.uid] == state.modSeq { continue }
            var attributes: [FetchResponseAttribute] = [.uid(state.uid), .flags(flags(of: state, in: mailbox))]
            if condstore { attributes.append(.modSeq(state.modSeq)) }
            send(.untagged(.fetch(index + 1, attributes)))
        }
        var added: [UInt32] = []
        if announceArrivals {
            added = mailbox.heldArrivals
            mailbox.heldArrivals = []
            mailbox.uids += added
        }
        if let last = added.last {
            // New mail is \Recent for the session that sees it first (a selecting one).
            if let range = try await store.recent(in: mailbox.id, through: last, claim: !mailbox.readOnly) {
                mailbox.recent.formUnion(added.filter(range.contains))
            }
            send(.untagged(.exists(mailbox.uids.count)))
            if !rev2 { send(.untagged(.recent(mailbox.recent.count))) }
        }
        mailbox.reported.removeAll()
        mailbox.highestModSeq = max(mailbox.highestModSeq, changes.highestModSeq)
        mailbox.changeVersion = version
        if !changes.changed.isEmpty || !changes.expunged.isEmpty { try await refreshUpdating(&mailbox) }
        selected = mailbox
        // IDLE: new mail that gave way to expunges follows in a push of its own.
        if !endOfCommand, !mailbox.heldArrivals.isEmpty,
           !changeEventOnItsWay.flag.exchange(true, ordering: .acquiringAndReleasing) {
            session.events.send(.mailboxChanged)
        }
    }
}

extension LocalBackend {
    /// IDLE (RFC 2177): changes of the selected mailbox are pushed as they commit (the
    /// session's `mailboxChanged` events), until the client sends DONE.
    func startIdle(tag: String) async throws -> Bool {
        try await announceChanges(expungesAllowed: true, endOfCommand: false)
        send(.continuationRequest(Array("idling".utf8)))
        return true
    }

    func finishIdle(tag: String, done: Bool) async throws {
        guard done else {
            reply(tag, CommandFailure(status: .bad, text: "Expected DONE to end IDLE"))
            return
        }
        try await ok(tag, "IDLE terminated")
    }
}

/// Whether a `.mailboxChanged` event is already on its way to the session.
final class EventOnItsWay: Sendable {
    let flag = Atomic<Bool>(false)
}
