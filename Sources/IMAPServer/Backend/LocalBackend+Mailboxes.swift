import IMAPCore
import MailStore

extension LocalBackend {
    /// CREATE (RFC 9051 §6.3.4) with CREATE-SPECIAL-USE (RFC 6154 §3).
    func create(tag: String, name: String, specialUse: [String]) async throws {
        let known = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"]
        var use: String?
        for attribute in specialUse {
            guard let match = known.first(where: { $0.lowercased() == attribute.lowercased() }) else {
                throw CommandFailure(code: .other("USEATTR", nil), text: "Unsupported special-use attribute \(attribute)")
            }
            use = match
        }
        var name = name
        if name.hasSuffix("/") { name.removeLast() }
        try await store.createMailbox(of: try userID, named: name, specialUse: use)
        let made = try await store.mailbox(of: try userID, named: name)
        try await ok(tag, "CREATE completed", code: .mailboxID(ObjectIDs.mailbox(made)))
    }

    func delete(tag: String, name: String) async throws {
        if let selected, selected.name == MailboxNaming.normalizeInbox(name) { deselect() }
        try await store.deleteMailbox(of: try userID, named: name)
        try await ok(tag, "DELETE completed")
    }

    func rename(tag: String, from: String, to: String) async throws {
        try await store.renameMailbox(of: try userID, from: from, to: to)
        try await ok(tag, "RENAME completed")
    }

    func subscribe(tag: String, name: String, subscribed: Bool) async throws {
        try await store.setSubscribed(subscribed, user: try userID, name: name)
        try await ok(tag, "\(subscribed ? "SUBSCRIBE" : "UNSUBSCRIBE") completed")
    }

    /// LIST with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154)
    /// and CHILDREN (RFC 3348) attributes, for the local store's mailboxes (in proxy mode,
    /// the CRM tree only).
    func list(_ command: ListCommand) async throws {
        let reference = try session.decodeName(command.reference)
        let patterns = try command.patterns.map { try session.decodeName(MailboxName($0)) }
        let options = Set(command.selectionOptions.map { $0.uppercased() })
        let subscribedOnly = options.contains("SUBSCRIBED")
        let recursive = options.contains("RECURSIVEMATCH")
        let specialUseOnly = options.contains("SPECIAL-USE")
        var returnSubscribed = subscribedOnly
        var statusItems: [StatusAttribute]?
        for option in command.returnOptions {
            switch option {
            case .subscribed: returnSubscribed = true
            case .status(let items): statusItems = items
            case .children, .specialUse: break
            }
        }
        let matchers = patterns.map { MailboxPattern(reference: reference, pattern: $0) }
        let user = try userID
        var mailboxes = try await store.mailboxes(of: user)
        var subscriptions = try await store.subscriptions(of: user)
        mailboxes.removeAll { !shows($0.name) }
        subscriptions = subscriptions.filter { shows($0) }
        let existing = Dictionary(uniqueKeysWithValues: mailboxes.map { ($0.name, $0) })

        // Names to report: existing mailboxes, plus subscribed ones that no longer exist.
        var names = Set(mailboxes.map(\.name))
        if subscribedOnly { names = subscriptions }
        var childInfo: [String: Bool] = [:]
        if subscribedOnly && recursive {
            for name in subscriptions {
                for ancestor in MailboxNaming.ancestors(of: name) { childInfo[ancestor] = true; names.insert(ancestor) }
            }
        }
        let parents = Set(mailboxes.flatMap { MailboxNaming.ancestors(of: $0.name) })
        for name in names.sorted() {
            let matched = matchers.contains { $0.matches(name) }
            guard matched else { continue }
            let info = existing[name]
            let isSubscribed = subscriptions.contains(name)
            if subscribedOnly && !isSubscribed && childInfo[name] == nil { continue }
            if specialUseOnly && info?.specialUse == nil { continue }
            var attributes: [String] = []
            if info == nil { attributes.append("\\NonExistent") }
            attributes.append(parents.contains(name) ? "\\HasChildren" : "\\HasNoChildren")
            if let use = info?.specialUse { attributes.append(use) }
            if returnSubscribed && isSubscribed { attributes.append("\\Subscribed") }
            let childInfoList = (subscribedOnly && recursive && childInfo[name] == true) ? ["SUBSCRIBED"] : []
            send(.untagged(.list(ListResponse(attributes: attributes, delimiter: UInt8(ascii: "/"), name: encodeName(name), childInfo: childInfoList, oldName: nil))))
            if let statusItems, let info {
                send(.untagged(.mailboxStatus(encodeName(name), try await statusValues(info, statusItems))))
            }
        }
    }

    /// LSUB (RFC 3501 §6.3.9), kept for IMAP4rev1 clients: the local store's subscriptions
    /// (in proxy mode, the CRM tree's only).
    func lsub(reference: String, pattern: String) async throws {
        let matcher = MailboxPattern(reference: reference, pattern: pattern)
        let user = try userID
        let existing = Set(try await store.mailboxes(of: user).map(\.name))
        let subscribed = Set(try await store.subscriptions(of: user))
        // A subscribed mailbox, or, with `%` when the mailbox lies deeper than the pattern
        // reaches, its parent that is not subscribed itself, with \Noselect (RFC 3501 §6.3.9).
        var names: [String: [String]] = [:]
        for name in subscribed {
            if matcher.matches(name) {
                names[name] = existing.contains(name) ? [] : ["\\Noselect"]
                continue
            }
            guard pattern.contains("%") else { continue }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            for depth in parts.indices.dropLast() {
                let parent = parts[...depth].joined(separator: "/")
                if !subscribed.contains(parent), names[parent] == nil, matcher.matches(parent) { names[parent] = ["\\Noselect"] }
            }
        }
        for (name, attributes) in names.sorted(by: { $0.key < $1.key }) where shows(name) {
            send(.untagged(.lsub(ListResponse(attributes: attributes, delimiter: UInt8(ascii: "/"), name: encodeName(name), childInfo: [], oldName: nil))))
        }
    }

    /// STATUS (RFC 9051 §6.3.11) with SIZE, HIGHESTMODSEQ, DELETED and APPENDLIMIT.
    func status(tag: String, name: String, attributes: [StatusAttribute]) async throws {
        let info = try await store.mailbox(of: try userID, named: name)
        send(.untagged(.mailboxStatus(encodeName(name), try await statusValues(info, attributes))))
        try await ok(tag, "STATUS completed")
    }

    private func statusValues(_ info: MailboxInfo, _ attributes: [StatusAttribute]) async throws -> [StatusValue] {
        let fresh = try await store.info(of: info.id)
        let counts = try await store.counts(of: info.id)
        let recent = attributes.contains(.recent) ? try await store.recentCount(in: info.id) : 0
        let deletedBytes = attributes.contains(.deletedStorage) ? try await store.deletedBytes(in: info.id) : 0
        return attributes.map { attribute in
            switch attribute {
            case .messages: .messages(counts.messages)
            case .recent: .recent(recent)
            case .uidNext: .uidNext(fresh.uidNext)
            case .uidValidity: .uidValidity(fresh.uidValidity)
            case .unseen: .unseen(counts.unseen)
            case .size: .size(UInt64(counts.size))
            case .highestModSeq: .highestModSeq(fresh.highestModSeq)
            case .deleted: .deleted(counts.deleted)
            case .appendLimit: .appendLimit(UInt64(configuration.maxMessageBytes))
            case .mailboxID: .mailboxID(ObjectIDs.mailbox(fresh))
            case .deletedStorage: .deletedStorage(UInt64((deletedBytes + 1023) / 1024))
            }
        }
    }
}
