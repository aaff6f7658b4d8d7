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
    /// The messages \Recent in this session.
    var recent: Set<UInt32> = []
    /// What OLDER and YOUNGER count back from.
    var now = Date()
    /// What `$` names (RFC 5182).
    var saved: Set<UInt32> = []

    /// How much of each message evaluation reads: header fields for header keys, the stored
    /// body text for BODY, the bytes for TEXT (the whole header section as it is).
    var depth: SearchDepth { Self.depth(key) }

    private static func depth(_ key: SearchKey) -> SearchDepth {
        switch key {
        case .body: .bodyText
        case .text: .content
        case .bcc, .cc, .from, .header, .subject, .to, .sentBefore, .sentOn, .sentSince: .fields
        case .not(let inner): depth(inner)
        case .or(let a, let b): max(depth(a), depth(b))
        case .and(let keys): keys.map(depth).max() ?? .state
        default: .state
        }
    }

    /// What SQLite can check first: a header or body word every match contains.
    var prefilter: SearchPrefilter? { Self.prefilter(key) }

    private static func prefilter(_ key: SearchKey) -> SearchPrefilter? {
        switch key {
        case .subject(let s), .header(_, let s), .from(let s), .to(let s), .cc(let s), .bcc(let s): SearchPrefilter(.fields, needle: s)
        case .body(let s): SearchPrefilter(.bodyText, needle: s)
        case .and(let keys): keys.lazy.compactMap(prefilter).first
        default: nil
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
        // \Recent (RFC 3501 §2.3.2; always empty for IMAP4rev2 sessions, which do not see it).
        case .recent: return recent.contains(m.state.uid)
        case .new: return recent.contains(m.state.uid) && !has("\\Seen")
        case .old: return !recent.contains(m.state.uid)
        case .older(let seconds): return now.timeIntervalSince(m.internalDate) > Double(seconds)
        case .younger(let seconds): return now.timeIntervalSince(m.internalDate) <= Double(seconds)
        case .larger(let n): return UInt64(m.size) > n
        case .smaller(let n): return UInt64(m.size) < n
        case .before(let d): return Self.day(of: m) < d
        case .on(let d): return Self.day(of: m) == d
        case .since(let d): return Self.day(of: m) >= d
        case .sentBefore(let d): return sentDay(m).map { $0 < d } ?? false
        case .sentOn(let d): return sentDay(m).map { $0 == d } ?? false
        case .sentSince(let d): return sentDay(m).map { $0 >= d } ?? false
        case .uid(let set) where set.isSavedResult, .sequenceSet(let set) where set.isSavedResult: return saved.contains(m.state.uid)
        case .uid(let set): return set.contains(m.state.uid, max: highestUID)
        case .sequenceSet(let set):
            guard let seq = sequenceNumbers[m.state.uid] else { return false }
            return set.contains(seq, max: highestSequence)
        case .modSeq(_, let modSeq): return m.state.modSeq >= modSeq
        case .emailID(let id): return id == ObjectIDs.email(m.bodyID)
        case .threadID: return false  // no THREADIDs are given out (FETCH THREADID is NIL)
        // SAVEDATE (RFC 8514): the day (UTC) the message was saved into the mailbox; a message
        // stored before save dates were kept has none and matches none of them.
        case .savedBefore(let d): return m.savedAt.map { Self.utcDay($0) < d } ?? false
        case .savedOn(let d): return m.savedAt.map { Self.utcDay($0) == d } ?? false
        case .savedSince(let d): return m.savedAt.map { Self.utcDay($0) >= d } ?? false
        case .saveDateSupported: return true
        case .not(let inner): return !evaluate(inner, m)
        case .or(let a, let b): return evaluate(a, m) || evaluate(b, m)
        case .and(let keys): return keys.allSatisfy { evaluate($0, m) }
        case .from(let s): return addresses(.from, contain: s, m)
        case .to(let s): return addresses(.to, contain: s, m)
        case .cc(let s): return addresses(.cc, contain: s, m)
        case .bcc(let s): return addresses(.bcc, contain: s, m)
        case .subject(let s): return header("Subject", contains: s, m)
        case .header(let name, let s): return header(String(decoding: name, as: UTF8.self), contains: s, m)
        case .body(let s):
            guard let text = m.bodyText else { return false }
            return Self.contains(text, s)
        case .text(let s):
            guard let content = m.content, let text = m.bodyText else { return false }
            let headers = String(decoding: content.index.section([], .header, in: content.raw) ?? [], as: UTF8.self)
            return Self.contains(headers, s) || Self.contains(text, s)
        }
    }

    /// Substring match of a decoded header field; an empty string matches any message
    /// that has the field (RFC 9051 §6.4.4 HEADER).
    private func header(_ name: String, contains needle: [UInt8], _ m: SearchableMessage) -> Bool {
        guard let values = m.fields?.values(of: name) else { return false }
        if needle.isEmpty { return !values.isEmpty }
        return values.contains { Self.contains($0, needle) }
    }

    /// Substring match of an address list as parsed (RFC 5322 §3.4): each address written
    /// `Display Name <mailbox@host>` with the display name's RFC 2047 words decoded, groups
    /// by their name; a comment-style or quoted name reads the same as any other.
    private func addresses(_ field: SearchFields.AddressField, contain needle: [UInt8], _ m: SearchableMessage) -> Bool {
        guard let list = m.fields?.addresses(field) else { return false }
        return needle.isEmpty || Self.contains(list, needle)
    }

    /// Case-insensitive substring match. Both all ASCII (most mail), the bytes are compared
    /// folding ASCII letters, which is then the whole of case-insensitivity; otherwise
    /// Foundation's Unicode-aware search decides.
    static func contains(_ haystack: some StringProtocol, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.allSatisfy({ $0 < 0x80 }),
           let found = haystack.utf8.withContiguousStorageIfAvailable({ asciiContains($0, needle) }), let found {
            return found
        }
        let text = String(decoding: needle, as: UTF8.self)
        return haystack.range(of: text, options: [.caseInsensitive]) != nil
    }

    /// Whether ASCII `haystack` contains ASCII `needle`, ignoring ASCII case; nil when the
    /// haystack has a byte beyond ASCII (up to where a match was found).
    private static func asciiContains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool? {
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
        let folded = needle.map(lower)
        let first = folded[0]
        let count = haystack.count, length = folded.count
        guard length <= count else { return haystack.allSatisfy { $0 < 0x80 } ? false : nil }
        var i = 0
        while i < count {
            let b = haystack[i]
            if b >= 0x80 { return nil }
            if lower(b) == first, i + length <= count {
                var j = 1
                while j < length, lower(haystack[i + j]) == folded[j] { j += 1 }
                if j == length { return true }
            }
            i += 1
        }
        return false
    }

    /// The day written in the Date header, its time and zone disregarded (RFC 3501 §6.4.4);
    /// without a readable one, 1 January 1970, before every other (as Dovecot does).
    private func sentDay(_ m: SearchableMessage) -> SearchDate? {
        guard let value = m.fields?.values(of: "Date").first,
              let day = DateParser.writtenDay(Array(value.utf8)) else { return SearchDate(year: 1970, month: 1, day: 1) }
        return SearchDate(year: day.year, month: day.month, day: day.day)
    }

    /// The internal date's day in its own zone.
    private static func day(of m: SearchableMessage) -> SearchDate {
        day(of: m.internalDate, minutesEast: m.internalZoneMinutes)
    }

    private static func utcDay(_ date: Date) -> SearchDate { day(of: date, minutesEast: 0) }

    private static func day(of date: Date, minutesEast: Int) -> SearchDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: minutesEast * 60) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return SearchDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}
