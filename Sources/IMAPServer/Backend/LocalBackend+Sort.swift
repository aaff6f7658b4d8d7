import Foundation
import IMAPCore
import MailStore
import MIMECore

extension LocalBackend {
    /// SORT and UID SORT (RFC 5256 §3; DISPLAYFROM and DISPLAYTO, RFC 5957): the messages
    /// the search key matches, in the order of the criteria, ties in mailbox order.
    func sort(tag: String, _ command: SortCommand, uid: Bool) async throws {
        guard let mailbox = selected else { return }
        try checkUpdateTag(tag, options: command.returnOptions)
        let sorted = try await sortedMessages(command, in: mailbox)
        let numbers = sorted.map { uid ? $0.uid : $0.sequence }
        if let options = command.returnOptions {
            // ESORT (RFC 5267 §3.2): MIN and MAX are the first and last in sort order, ALL and
            // PARTIAL in sort order.
            let wanted = Self.resultOptions(options, partial: command.partial)
            var result = ESearchResponse(tag: tag, uid: uid)
            if wanted.contains(.min) { result.min = numbers.first }
            if wanted.contains(.max) { result.max = numbers.last }
            if wanted.contains(.count) { result.count = numbers.count }
            if wanted.contains(.all) { result.sortedAll = numbers }
            if let partial = command.partial { result.partial = PartialResult(range: partial, numbers: Array(partial.slice(numbers))) }
            send(.untagged(.esearch(result)))
            if options.contains(.update) {
                startUpdating(UpdatingSearch(tag: tag, uid: uid, key: command.key, sort: command, results: sorted.map(\.uid)))
            }
        } else {
            send(.untagged(.sort(numbers)))
        }
        try await ok(tag, "\(uid ? "UID SORT" : "SORT") completed", expungesAllowed: uid)
    }

    /// The messages a SORT's key matches, in the order of its criteria, ties in mailbox order.
    func sortedMessages(_ command: SortCommand, in mailbox: SelectedMailbox) async throws -> [SortableMessage] {
        try await sortable(command.charset, command.key, in: mailbox).sorted { a, b in
            for criterion in command.criteria {
                let order = Self.compare(a, b, by: criterion.key)
                if order != .orderedSame { return criterion.reverse ? order == .orderedDescending : order == .orderedAscending }
            }
            return a.sequence < b.sequence
        }
    }

    /// THREAD and UID THREAD (RFC 5256 §3): ORDEREDSUBJECT or REFERENCES.
    func thread(tag: String, _ command: ThreadCommand, uid: Bool) async throws {
        guard let mailbox = selected else { return }
        let messages = try await sortable(command.charset, command.key, in: mailbox)
        let threads = switch command.algorithm {
        case .orderedSubject: Self.orderedSubjectThreads(messages)
        case .references: ReferenceThreading(messages).threads()
        }
        // The threads name UIDs; THREAD (not UID THREAD) answers with sequence numbers.
        let sequenceOf = Dictionary(messages.map { ($0.uid, $0.sequence) }, uniquingKeysWith: { a, _ in a })
        func numbered(_ node: ThreadNode) -> ThreadNode {
            ThreadNode(node.number.map { sequenceOf[$0] ?? $0 }, node.children.map(numbered))
        }
        send(.untagged(.thread(uid ? threads : threads.map(numbered))))
        try await ok(tag, "\(uid ? "UID THREAD" : "THREAD") completed", expungesAllowed: uid)
    }

    /// What SORT and THREAD compare of one message.
    struct SortableMessage {
        var uid: UInt32
        var sequence: UInt32
        var arrival: Date
        /// The Date header's instant, else the internal date (RFC 5256 §2.2).
        var sent: Date
        var size: Int
        var subject: BaseSubject
        var envelope: MessageEnvelope
        var messageID: String?
        /// References, else the first In-Reply-To id.
        var references: [String]
    }

    private func sortable(_ charset: String, _ key: SearchKey, in mailbox: SelectedMailbox) async throws -> [SortableMessage] {
        try Self.checkCharset(charset)
        let (uids, sequenceNumbers) = try await matching(key, in: mailbox)
        return try await store.indexes(in: mailbox.id, uids: uids).compactMap { item in
            guard let sequence = sequenceNumbers[item.uid] else { return nil }
            let envelope = item.index.root.envelope ?? MessageEnvelope()
            return SortableMessage(uid: item.uid, sequence: sequence, arrival: item.internalDate, sent: item.index.sentDate ?? item.internalDate,
                                   size: item.size, subject: BaseSubject(envelope.subject), envelope: envelope,
                                   messageID: item.index.messageID,
                                   references: item.index.references.isEmpty ? item.index.inReplyTo.map { [$0] } ?? [] : item.index.references)
        }.sorted { $0.sequence < $1.sequence }
    }

    static func compare(_ a: SortableMessage, _ b: SortableMessage, by key: SortKey) -> ComparisonResult {
        func order<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult { x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame) }
        switch key {
        case .arrival: return order(a.arrival, b.arrival)
        case .date: return order(a.sent, b.sent)
        case .size: return order(a.size, b.size)
        case .subject: return order(a.subject.text, b.subject.text)
        case .from: return order(mailbox(a.envelope.from), mailbox(b.envelope.from))
        case .to: return order(mailbox(a.envelope.to), mailbox(b.envelope.to))
        case .cc: return order(mailbox(a.envelope.cc), mailbox(b.envelope.cc))
        case .displayFrom: return display(a.envelope.from).caseInsensitiveCompare(display(b.envelope.from))
        case .displayTo: return display(a.envelope.to).caseInsensitiveCompare(display(b.envelope.to))
        }
    }

    /// The first address's local part (addr-mailbox), ASCII upper-cased; empty without one.
    private static func mailbox(_ list: [MessageAddress]) -> String {
        guard let first = list.first(where: { $0.host != nil }), let mailbox = first.mailbox else { return "" }
        return String(decoding: mailbox, as: UTF8.self).uppercased()
    }

    /// RFC 5957: the first address's display name decoded, else its address.
    private static func display(_ list: [MessageAddress]) -> String {
        guard let first = list.first(where: { $0.host != nil }) else { return "" }
        if let name = first.name.map(HeaderDecoding.decodeEncodedWords), !name.isEmpty { return name }
        return String(decoding: (first.mailbox ?? []) + [UInt8(ascii: "@")] + (first.host ?? []), as: UTF8.self)
    }

    /// ORDEREDSUBJECT: messages of one base subject form a thread, the first (by sent date)
    /// the parent of the others; threads in the order of their first message.
    static func orderedSubjectThreads(_ messages: [SortableMessage]) -> [ThreadNode] {
        let byDate = messages.sorted { ($0.sent, $0.sequence) < ($1.sent, $1.sequence) }
        var groups: [String: [SortableMessage]] = [:]
        var order: [String] = []
        for message in byDate {
            if groups[message.subject.text] == nil { order.append(message.subject.text) }
            groups[message.subject.text, default: []].append(message)
        }
        return order.compactMap { subject in
            guard let members = groups[subject], let first = members.first else { return nil }
            return ThreadNode(first.uid, members.dropFirst().map { ThreadNode($0.uid) })
        }
    }
}

/// The REFERENCES algorithm of RFC 5256 §3 (after J. Zawinski): parents from References
/// and In-Reply-To, dummies for messages not in the mailbox, pruned; roots of one base
/// subject gathered; siblings by sent date. Numbers in the result are UIDs.
struct ReferenceThreading {
    final class Container {
        var message: LocalBackend.SortableMessage?
        weak var parent: Container?
        var children: [Container] = []

        init(_ message: LocalBackend.SortableMessage? = nil) { self.message = message }

        func isAncestor(of other: Container) -> Bool {
            var node = other.parent
            while let current = node {
                if current === self { return true }
                node = current.parent
            }
            return false
        }

        func adopt(_ child: Container) {
            child.parent?.children.removeAll { $0 === child }
            child.parent = self
            children.append(child)
        }

        func orphan() {
            parent?.children.removeAll { $0 === self }
            parent = nil
        }

        /// The date a container sorts by: its message's, else its first child's.
        var date: (Date, UInt32) {
            if let message { return (message.sent, message.sequence) }
            return children.first?.date ?? (Date.distantFuture, .max)
        }
    }

    let messages: [LocalBackend.SortableMessage]
    init(_ messages: [LocalBackend.SortableMessage]) { self.messages = messages }

    func threads() -> [ThreadNode] {
        // (1) Link every message and its references.
        var table: [String: Container] = [:]
        var all: [Container] = []
        func container(_ id: String) -> Container {
            if let found = table[id] { return found }
            let made = Container()
            table[id] = made
            all.append(made)
            return made
        }
        for message in messages {
            let own: Container
            if let id = message.messageID, let found = table[id], found.message == nil {
                own = found
                own.message = message
            } else if let id = message.messageID, table[id] == nil {
                own = container(id)
                own.message = message
            } else {
                own = Container(message)  // no Message-ID, or a duplicate: a message of its own
                all.append(own)
            }
            var previous: Container?
            for reference in message.references {
                let next = container(reference)
                if let previous, next.parent == nil, next !== previous, !next.isAncestor(of: previous) { previous.adopt(next) }
                previous = next
            }
            // The last reference is the parent, whatever was presumed before.
            if let previous, previous !== own, !own.isAncestor(of: previous) {
                previous.adopt(own)
            } else if previous == nil {
                own.orphan()
            }
        }
        // (2)-(4) The roots, without empty dummies; a dummy's children take its place except
        // at the root with several children.
        var roots = prune(all.filter { $0.parent == nil }, atRoot: true)
        // (5) Roots of one base subject are gathered.
        roots = gatherBySubject(roots)
        // (6) Siblings by sent date.
        return sorted(roots).map(node)
    }

    private func prune(_ containers: [Container], atRoot: Bool) -> [Container] {
        var result: [Container] = []
        for container in containers {
            container.children = prune(container.children, atRoot: false)
            for child in container.children { child.parent = container }
            if container.message == nil {
                if container.children.isEmpty { continue }
                if !atRoot || container.children.count == 1 {
                    for child in container.children { child.parent = atRoot ? nil : container.parent }
                    result += container.children
                    continue
                }
            }
            result.append(container)
        }
        return result
    }

    private func subject(of container: Container) -> BaseSubject? {
        (container.message ?? container.children.first?.message)?.subject
    }

    private func gatherBySubject(_ roots: [Container]) -> [Container] {
        var table: [String: Container] = [:]
        for root in roots {
            guard let subject = subject(of: root), !subject.text.isEmpty else { continue }
            guard let existing = table[subject.text] else { table[subject.text] = root; continue }
            let existingReply = existing.message.map { $0.subject.isReplyOrForward } ?? false
            if (root.message == nil && existing.message != nil) || (existingReply && root.message.map { !$0.subject.isReplyOrForward } == true) {
                table[subject.text] = root
            }
        }
        var made: [Container] = []
        for root in roots where root.parent == nil {
            guard let subject = subject(of: root), !subject.text.isEmpty, let chosen = table[subject.text], chosen !== root else { continue }
            if chosen.message == nil && root.message == nil {
                for child in root.children { chosen.adopt(child) }  // both dummies: one holds all
            } else if chosen.message == nil {
                chosen.adopt(root)
            } else if !(chosen.message?.subject.isReplyOrForward ?? false) && (root.message?.subject.isReplyOrForward ?? false) {
                chosen.adopt(root)
            } else {
                let dummy = Container()  // neither is the other's reply: siblings under a dummy
                dummy.adopt(chosen)
                dummy.adopt(root)
                table[subject.text] = dummy
                made.append(dummy)
            }
        }
        return (roots + made).filter { $0.parent == nil && ($0.message != nil || !$0.children.isEmpty) }
    }

    private func sorted(_ containers: [Container]) -> [Container] {
        for container in containers { container.children = sorted(container.children) }
        return containers.sorted { $0.date < $1.date }
    }

    private func node(_ container: Container) -> ThreadNode {
        ThreadNode(container.message?.uid, container.children.map(node))
    }
}
