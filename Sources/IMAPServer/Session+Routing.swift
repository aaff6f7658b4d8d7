import IMAPCore
import MailStore

/// The router: each command on a mailbox goes to the backend that holds the mailbox. The CRM
/// tree is always local; in proxy mode everything else is the upstream's. LIST and LSUB ask
/// both; COPY and MOVE between the two are transfers (`Session+Transfer`).
extension Session {
    /// The backend holding the selected mailbox, if any.
    var selectedBackend: MailboxBackend? {
        if local.isSelected { return local }
        if let upstream, upstream.isSelected { return upstream }
        return nil
    }

    /// The backend of a mailbox, by its decoded name.
    func backend(for name: String) -> MailboxBackend {
        if let upstream, !isLocal(name) { return upstream }
        return local
    }

    /// True for a mailbox of the CRM tree, which is always served locally.
    func isLocal(_ name: String) -> Bool {
        let top = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
        return localRoots.contains(top)
    }

    /// Reads which top-level folders are the user's CRM tree.
    func refreshLocalRoots() async throws {
        guard let user else { return }
        localRoots = try await store.managedRoots(of: user.id)
    }

    /// Runs a command on mailboxes at the backend it concerns; false for a command that is
    /// the session's own (CAPABILITY, LOGIN, ENABLE …).
    func route(_ command: TaggedCommand) async throws -> Bool {
        let tag = command.tag
        switch command.command {
        case .select(let name, let parameters):
            try await select(tag: tag, name: name, parameters: parameters, readOnly: false)
        case .examine(let name, let parameters):
            try await select(tag: tag, name: name, parameters: parameters, readOnly: true)
        case .create(let name, let uses):
            let decoded = try decodeName(name)
            try await backend(for: decoded).create(tag: tag, name: decoded, specialUse: uses)
        case .delete(let name):
            let decoded = try decodeName(name)
            try await backend(for: decoded).delete(tag: tag, name: decoded)
        case .rename(let from, let to):
            let (source, target) = (try decodeName(from), try decodeName(to))
            let backend = backend(for: source)
            guard backend === self.backend(for: target) else {
                throw CommandFailure(code: .cannot, text: "A folder cannot move between your mail server and the CRM folders")
            }
            try await backend.rename(tag: tag, from: source, to: target)
        case .subscribe(let name), .unsubscribe(let name):
            let decoded = try decodeName(name)
            let subscribed = if case .subscribe = command.command { true } else { false }
            try await backend(for: decoded).subscribe(tag: tag, name: decoded, subscribed: subscribed)
        case .status(let name, let attributes):
            let decoded = try decodeName(name)
            try await backend(for: decoded).status(tag: tag, name: decoded, attributes: attributes)
        case .append(let name, let message):
            let decoded = try decodeName(name)
            try await backend(for: decoded).append(tag: tag, name: decoded, message: message)
        case .multiAppend(let name, let messages):
            let decoded = try decodeName(name)
            if let upstream, !isLocal(decoded) {
                try await upstream.append(tag: tag, name: decoded, messages: messages)
            } else {
                try await local.append(tag: tag, name: decoded, messages: messages)
            }
        case .list(let list):
            try await self.list(tag: tag, list)
        case .lsub(let reference, let pattern):
            try await lsub(tag: tag, reference: try decodeName(reference), pattern: try decodeName(MailboxName(pattern)))
        case .noop, .check:
            try await (selectedBackend ?? local).check(tag: tag, verb: command.command.name)
        case .idle:
            let backend = selectedBackend ?? local
            if try await backend.startIdle(tag: tag) { mode = .idle(tag: tag, backend) }
        case .fetch(let set, let attributes, let modifiers, let uid):
            try await inSelected().fetch(tag: tag, set: set, attributes: attributes, modifiers: modifiers, uid: uid)
        case .search(let search, let uid):
            try await inSelected().search(tag: tag, search, uid: uid)
        case .sort(let sort, let uid):
            try await inSelected().sort(tag: tag, sort, uid: uid)
        case .thread(let thread, let uid):
            try await inSelected().thread(tag: tag, thread, uid: uid)
        case .cancelUpdate(let tags):
            guard local.isSelected else { throw CommandFailure(status: .bad, text: "CANCELUPDATE is not offered for this mailbox") }
            try await local.cancelUpdate(tag: tag, tags)
        case .store(let set, let modifiers, let action, let uid):
            try await inSelected().store(tag: tag, set: set, modifiers: modifiers, action: action, uid: uid)
        case .copy(let set, let name, let uid):
            try await transfer(tag: tag, set: set, destination: name, uid: uid, move: false)
        case .move(let set, let name, let uid):
            try await transfer(tag: tag, set: set, destination: name, uid: uid, move: true)
        case .expunge:
            try await inSelected().expunge(tag: tag, uids: nil)
        case .uidExpunge(let set):
            try await inSelected().expunge(tag: tag, uids: set)
        case .close:
            try await inSelected().close(tag: tag, expunge: true)
        case .unselect:
            try await inSelected().close(tag: tag, expunge: false)
        case .capability, .logout, .id, .starttls, .login, .authenticate, .enable, .namespace, .getQuota, .getQuotaRoot, .setQuota:
            return false
        }
        return true
    }

    /// The line that ends IDLE (RFC 2177), for the backend that idles to finish it.
    func finishIdle(tag: String, line: [UInt8], _ backend: MailboxBackend) async throws {
        mode = .command
        var text = line
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        let done = String(decoding: text, as: UTF8.self).uppercased() == "DONE"
        try await backend.finishIdle(tag: tag, done: done)
    }

    private func inSelected() throws -> MailboxBackend {
        guard let selected = selectedBackend else { throw CommandFailure(status: .bad, text: "Select a mailbox first") }
        return selected
    }

    /// SELECT and EXAMINE: the mailbox selected before is left first, whichever backend
    /// holds it, so a failed SELECT leaves none selected (RFC 9051 §6.3.2).
    private func select(tag: String, name: MailboxName, parameters: SelectParameters, readOnly: Bool) async throws {
        let decoded = MailboxNaming.normalizeInbox(try decodeName(name))
        let target = backend(for: decoded)
        if let current = selectedBackend { try await current.leave(reselecting: current === target) }
        try await target.select(tag: tag, name: decoded, parameters: parameters, readOnly: readOnly)
    }

    /// COPY and MOVE: within the selected mailbox's backend, or a transfer between the two.
    private func transfer(tag: String, set: SequenceSet, destination: MailboxName, uid: Bool, move: Bool) async throws {
        let source = try inSelected()
        let decoded = try decodeName(destination)
        let target = backend(for: decoded)
        if source === target {
            try await source.copy(tag: tag, set: set, destination: decoded, uid: uid, move: move)
        } else if let upstream, source === upstream {
            try await copyIntoCRMFolder(tag: tag, set: set, destination: decoded, uid: uid, move: move, upstream)
        } else if let upstream {
            try await copyOutOfCRMFolder(tag: tag, set: set, destination: decoded, uid: uid, move: move, upstream)
        }
    }

    /// LIST (RFC 9051 §6.3.9): in proxy mode the upstream's folders, then the CRM tree.
    private func list(tag: String, _ command: ListCommand) async throws {
        if try !listDelimiterOnly(command) {
            if let upstream {
                try await refreshLocalRoots()
                try await upstream.list(command)
            }
            try await local.list(command)
        }
        try await ok(tag, "LIST completed")
    }

    /// An empty pattern asks for the hierarchy delimiter and root (RFC 9051 §6.3.9): answers it, true.
    private func listDelimiterOnly(_ command: ListCommand) throws -> Bool {
        guard command.patterns.count == 1, try decodeName(MailboxName(command.patterns[0])).isEmpty else { return false }
        send(.untagged(.list(ListResponse(attributes: ["\\Noselect"], delimiter: UInt8(ascii: "/"), name: MailboxName([UInt8]()), childInfo: [], oldName: nil))))
        return true
    }

    /// LSUB (RFC 3501 §6.3.9), kept for IMAP4rev1 clients.
    private func lsub(tag: String, reference: String, pattern: String) async throws {
        if let upstream {
            try await refreshLocalRoots()
            try await upstream.lsub(reference: reference, pattern: pattern)
        }
        try await local.lsub(reference: reference, pattern: pattern)
        try await ok(tag, "LSUB completed")
    }
}
