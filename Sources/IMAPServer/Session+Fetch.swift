import Foundation
import IMAPCore
import MailStore
import MIMECore

extension Session {
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
        var targets = try mailbox.resolve(set, uid: uid)
        targets.removeAll { mailbox.pendingExpunges.contains($0.uid) }

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

        let metadata = try await store.metadata(in: mailbox.id, uids: targets.map(\.uid))
        var byUID: [UInt32: MessageMetadata] = [:]
        for meta in metadata { byUID[meta.state.uid] = meta }
        let wantsModSeq = condstore && (modifiers.changedSince != nil || attributes.contains(.modSeq) || !seenChanged.isEmpty)

        for target in targets {
            guard let meta = byUID[target.uid] else { continue }
            if let since = modifiers.changedSince, meta.state.modSeq <= since { continue }
            var content: (raw: [UInt8], index: MessageIndex)?
            var items: [FetchResponseAttribute] = []
            if uid || attributes.contains(.uid) { items.append(.uid(target.uid)) }
            for attribute in attributes {
                switch attribute {
                case .uid: continue
                case .flags: items.append(.flags(meta.state.flags.map { Flag($0) }))
                case .modSeq: continue
                case .internalDate:
                    items.append(.internalDate(InternalDate(secondsSince1970: Int64(meta.internalDate.timeIntervalSince1970), timeZoneOffsetMinutes: meta.internalZoneMinutes)))
                case .rfc822Size: items.append(.rfc822Size(meta.size))
                case .envelope: items.append(.preEncoded(name: "ENVELOPE", bytes: meta.envelope))
                case .bodyStructure: items.append(.preEncoded(name: "BODYSTRUCTURE", bytes: meta.bodyStructure))
                case .body: items.append(.preEncoded(name: "BODY", bytes: meta.bodyBasic))
                default:
                    if content == nil { content = try await store.content(in: mailbox.id, uid: target.uid) }
                    guard let content else { continue }
                    items.append(try bodyItem(attribute, raw: content.raw, index: content.index))
                }
            }
            if seenChanged.contains(target.uid) && !attributes.contains(.flags) {
                items.append(.flags(meta.state.flags.map { Flag($0) }))
            }
            if wantsModSeq { items.append(.modSeq(meta.state.modSeq)) }
            send(.untagged(.fetch(target.seq, items)))
            try await flushIfLarge()
        }
        try await ok(tag, "\(uid ? "UID FETCH" : "FETCH") completed", expungesAllowed: uid)
    }

    private func bodyItem(_ attribute: FetchAttribute, raw: [UInt8], index: MessageIndex) throws -> FetchResponseAttribute {
        switch attribute {
        case .rfc822: return .rfc822(raw)
        case .rfc822Header: return .rfc822Header(index.section([], .header, in: raw))
        case .rfc822Text: return .rfc822Text(index.section([], .text, in: raw))
        case .bodySection(_, let section, let partial):
            let bytes = index.section(section.part, section.kind, in: raw) ?? []
            return .bodySection(section, origin: partial?.offset, data: Self.slice(bytes, partial))
        case .binary(_, let section, let partial):
            guard let decoded = index.decodedBody(section, in: raw) else {
                if index.part(at: section) == nil { return .binarySection(section: section, origin: partial?.offset, data: nil) }
                throw CommandFailure(code: .other("UNKNOWN-CTE", nil), text: "Cannot decode the content transfer encoding of part \(section.map(String.init).joined(separator: "."))")
            }
            return .binarySection(section: section, origin: partial?.offset, data: Self.slice(decoded, partial))
        case .binarySize(let section):
            guard let decoded = index.decodedBody(section, in: raw) else {
                throw CommandFailure(code: .other("UNKNOWN-CTE", nil), text: "Cannot decode the content transfer encoding of part \(section.map(String.init).joined(separator: "."))")
            }
            return .binarySize(section: section, size: decoded.count)
        default:
            throw CommandFailure(status: .bad, text: "Unsupported FETCH item")
        }
    }

    /// `<offset.length>` partial fetch: past the end yields an empty string (RFC 9051 §6.4.5).
    private static func slice(_ bytes: [UInt8], _ partial: Partial?) -> [UInt8] {
        guard let partial else { return bytes }
        let start = min(partial.offset, bytes.count)
        let end = min(start + partial.length, bytes.count)
        return Array(bytes[start..<end])
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
