import Foundation
import IMAPCore
import MailStore
import MIMECore

/// Evaluates a SEARCH key (RFC 9051 §6.4.4) against one message. Built once per
/// command with the session's sequence numbers; evaluated on the store's cursor.
struct SearchMatcher: Sendable {
    let key: SearchKey
    /// Sequence number of each UID in the session's view.
    let sequenceNumbers: [UInt32: UInt32]
    let highestSequence: UInt32
    let highestUID: UInt32

    /// Whether evaluation needs the message's headers or body.
    var needsContent: Bool { Self.needsContent(key) }

    private static func needsContent(_ key: SearchKey) -> Bool {
        switch key {
        case .bcc, .body, .cc, .from, .header, .subject, .text, .to, .sentBefore, .sentOn, .sentSince: true
        case .not(let inner): needsContent(inner)
        case .or(let a, let b): needsContent(a) || needsContent(b)
        case .and(let keys): keys.contains(where: needsContent)
        default: false
        }
    }

    func matches(_ message: SearchableMessage) -> Bool {
        evaluate(key, message)
    }

    private func evaluate(_ key: SearchKey, _ m: SearchableMessage) -> Bool {
        let flags = m.state.flags
        func has(_ flag: String) -> Bool { flags.contains { $0.lowercased() == flag.lowercased() } }
        switch key {
        case .all: return true
        case .answered: return has("\\Answered")
        case .unanswered: return !has("\\Answered")
        case .deleted: return has("\\Deleted")
        case .undeleted: return !has("\\Deleted")
        case .draft: return has("\\Draft")
        case .undraft: return !has("\\Draft")
        case .flagged: return has("\\Flagged")
        case .unflagged: return !has("\\Flagged")
        case .seen: return has("\\Seen")
        case .unseen: return !has("\\Seen")
        case .keyword(let flag): return has(flag.rawValue)
        case .unkeyword(let flag): return !has(flag.rawValue)
        // crmgate keeps no \Recent state: no message is recent (RFC 9051 removed it).
        case .new, .recent: return false
        case .old: return true
        case .larger(let n): return UInt64(m.size) > n
        case .smaller(let n): return UInt64(m.size) < n
        case .before(let d): return Self.day(of: m.internalDate) < d
        case .on(let d): return Self.day(of: m.internalDate) == d
        case .since(let d): return Self.day(of: m.internalDate) >= d
        case .sentBefore(let d): return sentDay(m).map { $0 < d } ?? false
        case .sentOn(let d): return sentDay(m).map { $0 == d } ?? false
        case .sentSince(let d): return sentDay(m).map { $0 >= d } ?? false
        case .uid(let set): return set.contains(m.state.uid, max: highestUID)
        case .sequenceSet(let set):
            guard let seq = sequenceNumbers[m.state.uid] else { return false }
            return set.contains(seq, max: highestSequence)
        case .modSeq(_, let modSeq): return m.state.modSeq >= modSeq
        case .not(let inner): return !evaluate(inner, m)
        case .or(let a, let b): return evaluate(a, m) || evaluate(b, m)
        case .and(let keys): return keys.allSatisfy { evaluate($0, m) }
        case .from(let s): return header("From", contains: s, m)
        case .to(let s): return header("To", contains: s, m)
        case .cc(let s): return header("Cc", contains: s, m)
        case .bcc(let s): return header("Bcc", contains: s, m)
        case .subject(let s): return header("Subject", contains: s, m)
        case .header(let name, let s): return header(String(decoding: name, as: UTF8.self), contains: s, m)
        case .body(let s):
            guard let content = m.content else { return false }
            return Self.contains(content.index.searchableText(in: content.raw), s)
        case .text(let s):
            guard let content = m.content else { return false }
            let headers = String(decoding: content.index.section([], .header, in: content.raw) ?? [], as: UTF8.self)
            return Self.contains(headers, s) || Self.contains(content.index.searchableText(in: content.raw), s)
        }
    }

    /// Substring match of a decoded header field; an empty string matches any message
    /// that has the field (RFC 9051 §6.4.4 HEADER).
    private func header(_ name: String, contains needle: [UInt8], _ m: SearchableMessage) -> Bool {
        guard let content = m.content else { return false }
        let values = content.index.headerValues(name, in: content.raw)
        if needle.isEmpty { return !values.isEmpty }
        return values.contains { Self.contains($0, needle) }
    }

    private static func contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
        let text = String(decoding: needle, as: UTF8.self)
        return haystack.range(of: text, options: [.caseInsensitive]) != nil
    }

    private func sentDay(_ m: SearchableMessage) -> SearchDate? {
        m.content?.index.sentDate.map(Self.day(of:))
    }

    private static func day(of date: Date) -> SearchDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return SearchDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}
