import IMAPCore
import MailStore

extension LocalBackend {
    /// COPY / UID COPY (RFC 9051 §6.4.7) and MOVE / UID MOVE (RFC 6851), answering
    /// COPYUID (RFC 4315). The copy is committed before the OK; MOVE is one transaction.
    func copy(tag: String, set: SequenceSet, destination: String, uid: Bool, move: Bool) async throws {
        guard var mailbox = selected else { return }
        if move && mailbox.readOnly {
            throw CommandFailure(code: .other("READ-ONLY", nil), text: "Cannot move out of a mailbox opened read-only (EXAMINE)")
        }
        let target = try await self.destination(destination)
        var targets = try mailbox.resolve(set, uid: uid)
        targets.removeAll { mailbox.pendingExpunges.contains($0.uid) }
        let verb = move ? "MOVE" : "COPY"
        guard !targets.isEmpty else {
            try await ok(tag, "\(verb) completed: no messages", expungesAllowed: uid || move)
            return
        }
        let uids = targets.map(\.uid)
        if !move {
            let sizes = try await store.metadata(in: mailbox.id, uids: uids).reduce(0) { $0 + $1.size }
            try await checkQuota(adding: uids.count, bytes: sizes)
        }
        let result = move
            ? try await store.move(uids: uids, from: mailbox.id, to: target.id)
            : try await store.copy(uids: uids, from: mailbox.id, to: target.id)
        let code = ResponseCode.copyUID(uidValidity: result.destinationUIDValidity,
                                        source: UIDSet(result.sourceUIDs), destination: UIDSet(result.destinationUIDs))
        guard move else {
            try await ok(tag, "COPY completed", code: code, expungesAllowed: uid)
            return
        }
        send(.untagged(.status(StatusResponse(status: .ok, code: code, text: "Moved"))))
        announceExpunged(result.sourceUIDs, in: &mailbox)
        selected = mailbox
        try await ok(tag, "MOVE completed")
    }

    /// EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1).
    func expunge(tag: String, uids set: SequenceSet?) async throws {
        guard var mailbox = selected else { return }
        guard !mailbox.readOnly else { throw CommandFailure(code: .other("READ-ONLY", nil), text: "The mailbox is open read-only (EXAMINE)") }
        let limit = try set.map { try mailbox.resolve($0, uid: true).map(\.uid) }
        let expunged = try await store.expunge(mailbox.id, uids: limit)
        announceExpunged(expunged, in: &mailbox)
        selected = mailbox
        try await ok(tag, "EXPUNGE completed")
    }

    /// Tells the client of messages this session removed: VANISHED under QRESYNC, else
    /// EXPUNGE from the highest sequence number down so the others stay valid.
    func announceExpunged(_ uids: [UInt32], in mailbox: inout SelectedMailbox) {
        let present = uids.filter { mailbox.index(of: $0) != nil }.sorted()
        guard !present.isEmpty else { return }
        if qresync {
            send(.untagged(.vanished(earlier: false, UIDSet(present))))
            let gone = Set(present)
            mailbox.uids.removeAll { gone.contains($0) }
        } else {
            for uid in present.reversed() {
                if let index = mailbox.index(of: uid) {
                    send(.untagged(.expunge(index + 1)))
                    mailbox.uids.remove(at: index)
                }
            }
        }
        mailbox.pendingExpunges.subtract(present)
        mailbox.recent.subtract(present)
        mailbox.expungedInThisAnswer = true
    }
}
