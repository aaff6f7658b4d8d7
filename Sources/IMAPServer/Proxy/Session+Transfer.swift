import Foundation
import IMAPClient
import IMAPCore
import MailStore

/// COPY and MOVE between the two backends of proxy mode, which the router leaves to these.
/// From an upstream mailbox into a CRM folder: crmgate fetches
/// each message from the upstream, stores it durably in the local drop folder (which queues
/// the drop), and only then, for MOVE, expunges it upstream. A failure part-way leaves the
/// message in the upstream mailbox; nothing is expunged that is not stored locally.
extension Session {
    func copyIntoCRMFolder(tag: String, set: SequenceSet, destination: String, uid: Bool, move: Bool,
                           _ link: UpstreamBackend) async throws {
        if move && !link.capabilities.contains("UIDPLUS") {
            throw CommandFailure(code: .cannot, text: "Your mail server lacks UIDPLUS, so crmgate cannot remove only the moved mail there; copy the mail instead and delete it yourself")
        }
        let target = try await local.destination(destination)
        var sourceUIDs: [UInt32] = []
        var largest = 0
        try await link.connection.run(.fetch(set, [.uid, .rfc822Size], FetchModifiers(), uid: uid)) { response in
            // Ours carry the UID and size (and MODSEQ under CONDSTORE); an update about flags
            // meanwhile carries FLAGS and is the client's.
            if case .fetch(_, let attributes) = response, !attributes.contains(where: { if case .flags = $0 { true } else { false } }),
               let value = attributes.lazy.compactMap({ if case .uid(let uid) = $0 { uid } else { nil } }).first {
                sourceUIDs.append(value)
                for case .rfc822Size(let size) in attributes { largest = max(largest, size) }
            } else if UpstreamBackend.isMailboxUpdate(response) {
                send(.untagged(response))
            }
        }
        // All or nothing: a message too big for crmgate is refused before any is stored.
        guard largest <= configuration.maxMessageBytes else {
            throw CommandFailure(code: .tooBig, text: "A message of \(largest) bytes exceeds crmgate's limit of \(configuration.maxMessageBytes) bytes; nothing was copied")
        }
        sourceUIDs.sort()
        let verb = move ? "MOVE" : "COPY"
        guard !sourceUIDs.isEmpty else {
            try await ok(tag, "\(verb) completed: no messages")
            return
        }
        var copied: [UInt32] = []
        var destinationUIDs: [UInt32] = []
        var uidValidity: UInt32 = 0
        do {
            for sourceUID in sourceUIDs {
                guard let message = try await fetchWhole(sourceUID, link) else { continue }
                guard message.raw.count <= configuration.maxMessageBytes else {
                    throw CommandFailure(code: .tooBig, text: "A message of \(message.raw.count) bytes exceeds crmgate's limit of \(configuration.maxMessageBytes) bytes")
                }
                let origin = UpstreamOrigin(folder: link.selectedName ?? "INBOX", uidValidity: link.selectedUIDValidity, uid: sourceUID)
                // A MOVE's copies wait to go back until the originals are expunged below: a return
                // in between would find an original still there, keep it, and lose it to the expunge.
                let stored = try await store.append(message, to: target.id, origin: origin, holdReturn: move)
                uidValidity = stored.uidValidity
                copied.append(sourceUID)
                destinationUIDs.append(stored.uid)
            }
        } catch {
            // Stopped part-way (the upstream went away): what is stored stays, and may go back.
            if move { try? await store.releaseUpstreamReturns(in: target.id, uids: destinationUIDs) }
            throw error
        }
        guard !copied.isEmpty else {
            try await ok(tag, "\(verb) completed: the messages were expunged meanwhile")
            return
        }
        let code = ResponseCode.copyUID(uidValidity: uidValidity, source: UIDSet(copied), destination: UIDSet(destinationUIDs))
        guard move else {
            try await ok(tag, "COPY completed", code: code)
            return
        }
        send(.untagged(.status(StatusResponse(status: .ok, code: code, text: "Moved"))))
        let uids = SequenceSet(uids: copied)
        let status: StatusResponse
        do {
            try await link.run(.store(uids, StoreModifiers(), StoreAction(operation: .add, silent: true, flags: [.deleted]), uid: true))
            status = try await link.run(.uidExpunge(uids))
        } catch {
            // Whatever happened upstream, the returner finds out from what is there now.
            try? await store.releaseUpstreamReturns(in: target.id, uids: destinationUIDs)
            throw error
        }
        try await store.releaseUpstreamReturns(in: target.id, uids: destinationUIDs)
        guard status.status == .ok else {
            reply(tag, CommandFailure(code: status.code, text: "The mail is in the CRM folder, but your mail server did not remove it from this folder: \(status.text)"))
            return
        }
        try await ok(tag, "MOVE completed")
    }

    /// One message from the selected upstream mailbox, whole, with its flags and date.
    private func fetchWhole(_ uid: UInt32, _ link: UpstreamBackend) async throws -> NewMessage? {
        var message: NewMessage?
        let attributes: [FetchAttribute] = [.uid, .flags, .internalDate, .bodySection(peek: true, section: .complete, partial: nil)]
        try await link.connection.run(.fetch(SequenceSet(uids: [uid]), attributes, FetchModifiers(), uid: true)) { response in
            guard case .fetch(_, let items) = response else {
                if UpstreamBackend.isMailboxUpdate(response) { send(.untagged(response)) }
                return
            }
            var raw: [UInt8]?
            var flags: [String] = []
            var date = InternalDate(secondsSince1970: Int64(Date().timeIntervalSince1970))
            var fetchedUID: UInt32?
            for item in items {
                switch item {
                case .uid(let value): fetchedUID = value
                case .flags(let list): flags = list.map(\.rawValue).filter { $0.lowercased() != "\\recent" }
                case .internalDate(let value): date = value
                case .bodySection(_, _, let data): raw = data
                default: break
                }
            }
            guard fetchedUID == uid, let raw else {
                send(.untagged(response))
                return
            }
            message = NewMessage(raw: raw, flags: flags, internalDate: Date(timeIntervalSince1970: TimeInterval(date.secondsSince1970)),
                                 internalZoneMinutes: date.timeZoneOffsetMinutes)
        }
        return message
    }

    /// COPY and MOVE from a CRM folder to an upstream mailbox: APPEND there, then (MOVE)
    /// expunge here; COPYUID from the upstream's APPENDUIDs when it has UIDPLUS.
    func copyOutOfCRMFolder(tag: String, set: SequenceSet, destination: String, uid: Bool, move: Bool,
                            _ link: UpstreamBackend) async throws {
        guard var mailbox = local.selected else { return }
        if move && mailbox.readOnly {
            throw CommandFailure(code: .other("READ-ONLY", nil), text: "Cannot move out of a mailbox opened read-only (EXAMINE)")
        }
        var targets = try mailbox.resolve(set, uid: uid)
        targets.removeAll { mailbox.pendingExpunges.contains($0.uid) }
        let verb = move ? "MOVE" : "COPY"
        let target = try link.upstreamName(destination)
        var copied: [UInt32] = []
        var created: [UInt32] = []
        var uidValidity: UInt32?
        for metadata in try await store.metadata(in: mailbox.id, uids: targets.map(\.uid)) {
            guard let stored = try await store.storedMessage(in: mailbox.id, uid: metadata.state.uid) else { continue }
            let raw = try await store.read(stored, range: 0..<stored.index.size)
            let date = InternalDate(secondsSince1970: Int64(metadata.internalDate.timeIntervalSince1970),
                                    timeZoneOffsetMinutes: metadata.internalZoneMinutes)
            let message = AppendMessage(flags: metadata.state.flags.map { Flag($0) }, date: date, data: raw)
            let status = try await link.run(.append(target, message))
            guard status.status == .ok else {
                try await refusedPartWay(tag: tag, status, verb: verb, copied: copied, created: created, uidValidity: uidValidity,
                                         in: target, from: &mailbox, link)
                return
            }
            copied.append(metadata.state.uid)
            if case .appendUID(let validity, let uids)? = status.code, let first = uids.ranges.first?.lowerBound {
                uidValidity = validity
                created.append(first)
            }
        }
        let code: ResponseCode? = if let uidValidity, created.count == copied.count {
            .copyUID(uidValidity: uidValidity, source: UIDSet(copied), destination: UIDSet(created))
        } else {
            nil
        }
        guard move else {
            try await ok(tag, "COPY completed", code: code, expungesAllowed: uid)
            return
        }
        if let code { send(.untagged(.status(StatusResponse(status: .ok, code: code, text: "Moved")))) }
        let expunged = try await store.remove(mailbox.id, uids: copied)
        local.announceExpunged(expunged, in: &mailbox)
        local.selected = mailbox
        try await ok(tag, "\(verb) completed")
    }

    /// The upstream refused a message of a COPY or MOVE out of a CRM folder after taking the
    /// ones before it. A failed COPY must leave the destination as it was (RFC 9051 §6.4.7),
    /// so those are taken back when the upstream named them (UIDPLUS); if it cannot be done,
    /// the answer says how many went, and a MOVE removes those here so none is in both places.
    private func refusedPartWay(tag: String, _ status: StatusResponse, verb: String, copied: [UInt32], created: [UInt32],
                                uidValidity: UInt32?, in target: MailboxName, from mailbox: inout SelectedMailbox,
                                _ link: UpstreamBackend) async throws {
        let failure = CommandFailure(status: status.status == .bad ? .bad : .no, code: status.code, text: status.text)
        guard !copied.isEmpty else { throw failure }
        if created.count == copied.count, let uidValidity,
           try await withdraw(created, uidValidity: uidValidity, from: target, link) {
            throw CommandFailure(status: failure.status, code: failure.code,
                                 text: "\(status.text) (your mail server; nothing was \(verb == "MOVE" ? "moved" : "copied"))")
        }
        logger.warning("could not take back a partial copy to the upstream", metadata: ["copied": "\(copied.count)"])
        if verb == "MOVE" {
            let expunged = try await store.remove(mailbox.id, uids: copied)
            local.announceExpunged(expunged, in: &mailbox)
            local.selected = mailbox
        }
        throw CommandFailure(status: failure.status, code: failure.code,
                             text: "\(status.text) (your mail server; the first \(copied.count) messages were \(verb == "MOVE" ? "moved" : "copied") before that)")
    }

    /// Expunges the messages a failed transfer appended to an upstream mailbox, if it still
    /// has the UIDVALIDITY they were given under; true when they are gone.
    private func withdraw(_ uids: [UInt32], uidValidity: UInt32, from mailbox: MailboxName, _ link: UpstreamBackend) async throws -> Bool {
        guard link.capabilities.contains("UIDPLUS") else { return false }
        var current: UInt32?
        let selected = try await link.run(.select(mailbox, SelectParameters())) { response in
            if case .status(let status) = response, case .uidValidity(let value)? = status.code { current = value }
        }
        guard selected.status == .ok else { return false }
        let set = SequenceSet(uids: uids)
        var done = false
        if current == uidValidity,
           try await link.run(.store(set, StoreModifiers(), StoreAction(operation: .add, silent: true, flags: [.deleted]), uid: true)).status == .ok {
            done = try await link.run(.uidExpunge(set)).status == .ok
        }
        // Out of the mailbox again without expunging anything else (UNSELECT, else a read-only EXAMINE).
        try await link.run(link.capabilities.contains("UNSELECT") ? .unselect : .examine(mailbox, SelectParameters()))
        return done
    }
}
