/// SEARCH arguments (RFC 9051 §6.4.4, ESEARCH return options RFC 4731, SEARCHRES RFC 5182,
/// CONTEXT=SEARCH RFC 5267 §4).
public struct SearchCommand: Hashable, Sendable {
    /// nil: plain SEARCH (untagged `* SEARCH` answer). `[]`: `RETURN ()`, which means ALL.
    public var returnOptions: [SearchReturnOption]?
    /// `PARTIAL first:last` among the return options (RFC 5267 §4.4).
    public var partial: PartialRange?
    public var charset: String?
    public var key: SearchKey

    public init(returnOptions: [SearchReturnOption]? = nil, partial: PartialRange? = nil, charset: String? = nil, key: SearchKey) {
        self.returnOptions = returnOptions; self.partial = partial; self.charset = charset; self.key = key
    }
}

/// A `search-return-opt` without arguments (RFC 4731 §3.1, RFC 5182 §2, RFC 5267 §4.2–4.3).
public enum SearchReturnOption: String, Hashable, Sendable, CaseIterable {
    case min = "MIN"
    case max = "MAX"
    case all = "ALL"
    case count = "COUNT"
    case save = "SAVE"
    /// A hint that the search will be used again (RFC 5267 §4.2).
    case context = "CONTEXT"
    /// Keep the client told of changes to the results (RFC 5267 §4.3).
    case update = "UPDATE"
}

/// The positions `PARTIAL` asks for among the results, 1-based (RFC 5267 §4.4:
/// `partial-range = nz-number ":" nz-number`, either order).
public struct PartialRange: Hashable, Sendable, CustomStringConvertible {
    public var first: UInt32
    public var last: UInt32

    public init(_ a: UInt32, _ b: UInt32) {
        first = min(a, b); last = max(a, b)
    }

    public var description: String { "\(first):\(last)" }

    /// The part of `results` the range covers; empty past their end.
    public func slice<T>(_ results: [T]) -> ArraySlice<T> {
        let start = Int(first) - 1
        guard start < results.count else { return [] }
        return results[start..<min(results.count, Int(last))]
    }
}

/// A search criterion (RFC 9051 §6.4.4, RFC 3501 §6.4.4, MODSEQ from RFC 7162 §3.1.5).
///
/// String arguments are the raw `astring` bytes (UTF-8 or the given charset).
/// A parenthesised list, and several top-level keys, are `.and`.
public indirect enum SearchKey: Hashable, Sendable {
    case all
    case answered
    case bcc([UInt8])
    case before(SearchDate)
    case body([UInt8])
    case cc([UInt8])
    case deleted
    case draft
    case flagged
    case from([UInt8])
    case header([UInt8], [UInt8])
    case keyword(Flag)
    case larger(UInt64)
    case new
    case not(SearchKey)
    case old
    /// RFC 5032 WITHIN: the internal date lies more than this many seconds back.
    case older(UInt32)
    case on(SearchDate)
    case or(SearchKey, SearchKey)
    case recent
    case seen
    case sentBefore(SearchDate)
    case sentOn(SearchDate)
    case sentSince(SearchDate)
    case since(SearchDate)
    case smaller(UInt64)
    case subject([UInt8])
    case text([UInt8])
    case to([UInt8])
    case uid(SequenceSet)
    case unanswered
    case undeleted
    case undraft
    case unflagged
    case unkeyword(Flag)
    case unseen
    /// RFC 5032 WITHIN: the internal date lies at most this many seconds back.
    case younger(UInt32)
    case sequenceSet(SequenceSet)
    case and([SearchKey])
    case modSeq(SearchModSeqEntry?, UInt64)
    /// RFC 8474: `EMAILID objectid`, `THREADID objectid`.
    case emailID(String)
    case threadID(String)
    /// RFC 8514: by the day the message was saved into its mailbox; SAVEDATESUPPORTED matches
    /// every message of a mailbox that keeps save dates.
    case savedBefore(SearchDate)
    case savedOn(SearchDate)
    case savedSince(SearchDate)
    case saveDateSupported
}

/// The optional metadata entry of a MODSEQ search key, e.g. `"/flags/\draft" all` (RFC 7162 §3.1.5).
public struct SearchModSeqEntry: Hashable, Sendable {
    public enum EntryType: String, Hashable, Sendable { case priv, shared, all }
    /// The entry name bytes without quotes, e.g. `/flags/\Draft`.
    public var name: [UInt8]
    public var type: EntryType
    public init(name: [UInt8], type: EntryType) { self.name = name; self.type = type }
}
