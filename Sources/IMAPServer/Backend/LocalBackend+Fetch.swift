import Foundation
import IMAPCore
import MailStore
import MIMECore

extension LocalBackend {
    /// FETCH and UID FETCH (RFC 9051 §6.4.5) with BINARY (RFC 3516), CONDSTORE's
    /// CHANGEDSINCE and QRESYNC's VANISHED (RFC 7162). ENVELOPE and BODYSTRUCTURE come
    /// pre-encoded from the store; bodies are read one message at a time and the
    /// response is flushed in chunks.
    func fetch(tag: String, set: SequenceSet, attributes: [FetchAttribute], modifiers: FetchModifiers, uid: Bool) async throws {
        guard var mailbox = selected else { return }
        if modifiers.vanished && (!uid || !qresync || modifiers.changedSince == nil) {
            throw CommandFailure(status: .bad, text: "VANISHED needs UID FETCH with CHANGEDSINCE after ENABLE QRESYNC")
        }
        if modifiers.changedSince != nil || attributes.contains(.modSeq) { condstore = true }
        // Messages expunged but not yet announced stay in: they are answered as vanished below.
        let targets = try mailbox.resolve(set, uid: uid)

        if modifiers.vanished, let since = modifiers.changedSince {
            let changes = try await store.changes(in: mailbox.id, since: since)
            let maxUID = max(mailbox.uids.last ?? 0, changes.expunged.last ?? 0)
            let vanished = changes.expunged.filter { set.contains($0, max: maxUID) }
            if !vanished.isEmpty { send(.untagged(.vanished(earlier: true, UIDSet(vanished)))) }
        }

        // Reading a body without .PEEK sets \Seen first (RFC 9051 §6.4.5), so FLAGS is reported.
        let setsSeen = !mailbox.readOnly && attributes.contains { $0.setsSeen }
        var seenChanged = Set<UInt32>()
        if setsSeen, !targets.isEmpty {
            let result = try await store.store(.add, flags: ["\\Seen"], uids: targets.map(\.uid), in: mailbox.id)
            for state in result.states where state.modSeq > mailbox.highestModSeq {
                seenChanged.insert(state.uid)
                mailbox.reported[state.uid] = state.modSeq
            }
            selected = mailbox
        }

        let structure = attributes.contains { $0 == .envelope || $0 == .body || $0 == .bodyStructure }
        // Both ascending by UID (sequence order is UID order): walked side by side.
        let metadata = try await store.metadata(in: mailbox.id, uids: targets.map(\.uid), structure: structure)
        var next = metadata.startIndex
        let wantsModSeq = condstore && (modifiers.changedSince != nil || attributes.contains(.modSeq) || !seenChanged.isEmpty)

        if attributes.contains(.flags) || !seenChanged.isEmpty, var current = selected {
            announceKeywords(in: metadata.map(\.state), of: &current)
            selected = current
            mailbox = current
        }
        // A message expunged by another session (and not yet announced) while this FETCH reads
        // it is never sent empty or cut short: its body items are NIL (RFC 2180 §4.1.3, as
        // Dovecot does), the rest of the FETCH goes on.
        for target in targets {
            while next < metadata.endIndex, metadata[next].state.uid < target.uid { next += 1 }
            guard next < metadata.endIndex, metadata[next].state.uid == target.uid else {
                try await sendVanished(target, attributes, uid: uid)
                continue
            }
            let meta = metadata[next]
            if let since = modifiers.changedSince, meta.state.modSeq <= since { continue }
            var stored: StoredMessage?
            var items: [FetchItem] = []
            if uid || attributes.contains(.uid) { items.append(.inline(.uid(target.uid))) }
            do {
                for attribute in attributes {
                    switch attribute {
                    case .uid, .modSeq: continue
                    case .flags: items.append(.inline(.flags(flags(of: meta.state, in: mailbox))))
                    case .internalDate:
                        items.append(.inline(.internalDate(InternalDate(secondsSince1970: Int64(meta.internalDate.timeIntervalSince1970), timeZoneOffsetMinutes: meta.internalZoneMinutes))))
                    case .rfc822Size: items.append(.inline(.rfc822Size(meta.size)))
                    case .emailID: items.append(.inline(.emailID(ObjectIDs.email(meta.bodyID))))
                    case .threadID: items.append(.inline(.threadID(nil)))
                    case .saveDate:
                        items.append(.inline(.saveDate(meta.savedAt.map { InternalDate(secondsSince1970: Int64($0.timeIntervalSince1970), timeZoneOffsetMinutes: 0) })))
                    case .envelope: items.append(.inline(.preEncoded(name: "ENVELOPE", bytes: meta.envelope)))
                    case .bodyStructure: items.append(.inline(.preEncoded(name: "BODYSTRUCTURE", bytes: meta.bodyStructure)))
                    case .body: items.append(.inline(.preEncoded(name: "BODY", bytes: meta.bodyBasic)))
                    default:
                        if stored == nil { stored = try await store.storedMessage(in: mailbox.id, uid: target.uid) }
                        guard let stored else { throw MessageVanished() }
                        items.append(try await bodyItem(attribute, stored))
                    }
                }
            } catch is MessageVanished {
                try await sendVanished(target, attributes, uid: uid, flags: flags(of: meta.state, in: mailbox))
                continue
            }
            if seenChanged.contains(target.uid) && !attributes.contains(.flags) {
                items.append(.inline(.flags(flags(of: meta.state, in: mailbox))))
            }
            if wantsModSeq { items.append(.inline(.modSeq(meta.state.modSeq))) }
            try await sendFetch(target.seq, items, stored)
        }
        try await ok(tag, "\(uid ? "UID FETCH" : "FETCH") completed", expungesAllowed: uid)
    }

    /// The message was expunged everywhere while it was being read (its body is gone).
    struct MessageVanished: Error {}

    /// The FETCH response of a message that vanished: its UID, its flags (as last known, else
    /// \Deleted: it was expunged), NIL for every body item and empty values for the rest (an
    /// envelope of NILs, an empty text part, size 0), so that every item asked for is there.
    private func sendVanished(_ target: (seq: Int, uid: UInt32), _ attributes: [FetchAttribute], uid: Bool,
                              flags: [Flag] = [.deleted]) async throws {
        var items: [FetchResponseAttribute] = []
        if uid || attributes.contains(.uid) { items.append(.uid(target.uid)) }
        for attribute in attributes {
            switch attribute {
            case .flags: items.append(.flags(flags))
            case .rfc822: items.append(.rfc822(nil))
            case .rfc822Header: items.append(.rfc822Header(nil))
            case .rfc822Text: items.append(.rfc822Text(nil))
            case .bodySection(_, let spec, let partial): items.append(.bodySection(spec, origin: partial?.offset, data: nil))
            case .binary(_, let path, let partial): items.append(.binarySection(section: path, origin: partial?.offset, data: nil))
            case .binarySize(let section): items.append(.binarySize(section: section, size: 0))
            case .envelope: items.append(.preEncoded(name: "ENVELOPE", bytes: Array("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".utf8)))
            case .bodyStructure: items.append(.preEncoded(name: "BODYSTRUCTURE", bytes: Self.emptyBodyStructure))
            case .body: items.append(.preEncoded(name: "BODY", bytes: Self.emptyBodyStructure))
            case .rfc822Size: items.append(.rfc822Size(0))
            case .internalDate: items.append(.internalDate(InternalDate(secondsSince1970: 0, timeZoneOffsetMinutes: 0)))
            case .threadID: items.append(.threadID(nil))
            case .saveDate: items.append(.saveDate(nil))
            default: continue
            }
        }
        logger.info("a message was expunged while being fetched; its body items are NIL", metadata: ["uid": "\(target.uid)"])
        if !items.isEmpty { send(.untagged(.fetch(target.seq, items))) }
        try await flushIfLarge()
    }


    /// An empty text part: what the structure of a message that is gone is shown as.
    private static let emptyBodyStructure = Array(#"("text" "plain" NIL NIL NIL "7bit" 0 0)"#.utf8)

    /// A FETCH item, or a big message-data item whose bytes are streamed from the store.
    enum FetchItem {
        case inline(FetchResponseAttribute)
        case streamed(name: [UInt8], range: Range<Int>)
    }

    /// Bodies larger than this are sent in chunks of this size straight from the store.
    static let streamingChunk = 256 * 1024

    /// Reads only the bytes a section is cut from; whole bodies and body texts above
    /// `streamingChunk` are left to be streamed.
    private func bodyItem(_ attribute: FetchAttribute, _ stored: StoredMessage) async throws -> FetchItem {
        switch attribute {
        case .rfc822:
            return try await section([], .complete, nil, of: stored) { .rfc822($0) }
        case .rfc822Header:
            return try await section([], .header, nil, of: stored) { .rfc822Header($0) }
        case .rfc822Text:
            return try await section([], .text, nil, of: stored) { .rfc822Text($0) }
        case .bodySection(_, let spec, let partial):
            return try await section(spec.part, spec.kind, partial, of: stored) { .bodySection(spec, origin: partial?.offset, data: $0) }
        case .binary(_, let path, let partial):
            guard let decoded = try await decoded(path, of: stored) else {
                return .inline(.binarySection(section: path, origin: partial?.offset, data: nil))
            }
            return .inline(.binarySection(section: path, origin: partial?.offset, data: Self.slice(decoded, partial)))
        case .binarySize(let path):
            guard let decoded = try await decoded(path, of: stored) else {
                throw CommandFailure(text: "Message part \(path.map(String.init).joined(separator: ".")) does not exist")
            }
            return .inline(.binarySize(section: path, size: decoded.count))
        default:
            throw CommandFailure(status: .bad, text: "Unsupported FETCH item")
        }
    }

    private func section(_ path: [Int], _ kind: SectionKind, _ partial: Partial?, of stored: StoredMessage,
                         _ make: ([UInt8]?) -> FetchResponseAttribute) async throws -> FetchItem {
        guard let source = stored.index.sourceRange(path, kind) else { return .inline(make(nil)) }
        if kind == .complete || kind == .text, case let range = Self.cut(source, partial), range.count > Self.streamingChunk,
           let name = ResponseEncoder.encodeFetchAttributeName(make(nil)) {
            return .streamed(name: name, range: range)
        }
        return .inline(make(try await sectionBytes(path, kind, partial, of: stored).map(Self.withoutNUL)))
    }

    /// The octets of a body section (BODY[section]<partial>, CATENATE's URLs); nil when the
    /// message has no such section, `MessageVanished` when it was expunged meanwhile.
    func sectionBytes(_ path: [Int], _ kind: SectionKind, _ partial: Partial?, of stored: StoredMessage) async throws -> [UInt8]? {
        guard let source = stored.index.sourceRange(path, kind) else { return nil }
        switch kind {
        case .complete, .text:
            // The section is the source range itself: only the partial range is read.
            return try await read(stored, Self.cut(source, partial))
        default:
            let window = try await read(stored, source)
            return Self.slice(stored.index.section(path, kind, window: window, at: source.lowerBound) ?? [], partial)
        }
    }

    /// The partial range of a source range.
    private static func cut(_ source: Range<Int>, _ partial: Partial?) -> Range<Int> {
        guard let partial else { return source }
        let start = min(source.lowerBound + partial.offset, source.upperBound)
        return start..<(start + min(partial.length, source.upperBound - start))
    }

    /// A part with its Content-Transfer-Encoding undone (RFC 3516); nil if there is no such part.
    private func decoded(_ path: [Int], of stored: StoredMessage) async throws -> [UInt8]? {
        guard let source = stored.index.sourceRange(path, .complete), path.isEmpty || stored.index.part(at: path) != nil else { return nil }
        let window = try await read(stored, source)
        guard let decoded = stored.index.decodedBody(path, window: window, at: source.lowerBound) else {
            throw CommandFailure(code: .other("UNKNOWN-CTE", nil), text: "Cannot decode the content transfer encoding of part \(path.map(String.init).joined(separator: "."))")
        }
        return decoded
    }

    /// The bytes of a range, all of them, or `MessageVanished`.
    private func read(_ stored: StoredMessage, _ range: Range<Int>) async throws -> [UInt8] {
        let bytes = try await store.read(stored, range: range)
        guard bytes.count == range.count else { throw MessageVanished() }
        return bytes
    }

    /// Writes one FETCH response; streamed items go out as literals in chunks read from the store.
    private func sendFetch(_ seq: Int, _ items: [FetchItem], _ stored: StoredMessage?) async throws {
        guard let stored, items.contains(where: { if case .streamed = $0 { true } else { false } }) else {
            send(.untagged(.fetch(seq, items.compactMap { if case .inline(let a) = $0 { a } else { nil } })))
            try await flushIfLarge()
            return
        }
        session.output.append(contentsOf: Array("* \(seq) FETCH (".utf8))
        for (i, item) in items.enumerated() {
            if i > 0 { session.output.append(UInt8(ascii: " ")) }
            switch item {
            case .inline(let attribute):
                session.output.append(contentsOf: ResponseEncoder.encodeFetchAttribute(attribute))
            case .streamed(let name, let range):
                session.output.append(contentsOf: name)
                session.output.append(contentsOf: Array(" {\(range.count)}\r\n".utf8))
                var position = range.lowerBound
                while position < range.upperBound {
                    let end = min(position + Self.streamingChunk, range.upperBound)
                    var chunk = try await store.read(stored, range: position..<end)
                    if chunk.count < end - position {
                        // Expunged everywhere while being sent: keep the literal's promised length.
                        logger.warning("message body vanished while being sent; padding the literal")
                        chunk += [UInt8](repeating: UInt8(ascii: " "), count: end - position - chunk.count)
                    }
                    session.output.append(contentsOf: Self.withoutNUL(chunk))
                    try await flush()
                    position = end
                }
            }
        }
        session.output.append(contentsOf: Array(")\r\n".utf8))
        try await flushIfLarge()
    }

    /// A NUL may not travel in a literal (RFC 9051 §4.3). Messages appended since 7-bit
    /// conversion (`SevenBitConversion`) hold none; one stored earlier has each NUL sent as
    /// 0x80 in BODY[] (as Dovecot does), the length unchanged. BINARY[] sends it as it is, in a literal8.
    static func withoutNUL(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0) else { return bytes }
        return bytes.map { $0 == 0 ? 0x80 : $0 }
    }

    /// `<offset.length>` partial fetch: past the end yields an empty string (RFC 9051 §6.4.5).
    private static func slice(_ bytes: [UInt8], _ partial: Partial?) -> [UInt8] {
        guard let partial else { return bytes }
        let start = min(partial.offset, bytes.count)
        return Array(bytes[start..<(start + min(partial.length, bytes.count - start))])
    }
}

extension FetchAttribute {
    var setsSeen: Bool {
        switch self {
        case .rfc822, .rfc822Text: true
        case .bodySection(let peek, _, _), .binary(let peek, _, _): !peek
        default: false
        }
    }
}
