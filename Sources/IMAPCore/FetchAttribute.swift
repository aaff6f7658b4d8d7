/// A FETCH data item (RFC 9051 §6.4.5). The macros ALL, FAST and FULL are expanded by the parser.
public enum FetchAttribute: Hashable, Sendable {
    case envelope
    case flags
    case internalDate
    case rfc822
    case rfc822Header
    case rfc822Size
    case rfc822Text
    /// `BODY`: the non-extensible body structure.
    case body
    case bodyStructure
    case uid
    /// RFC 7162.
    case modSeq
    case bodySection(peek: Bool, section: SectionSpec, partial: Partial?)
    /// RFC 3516.
    case binary(peek: Bool, section: [Int], partial: Partial?)
    case binarySize(section: [Int])
    /// RFC 8474 OBJECTID.
    case emailID
    case threadID
    /// RFC 8514.
    case saveDate

    /// ALL macro.
    public static let all: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// FAST macro.
    public static let fast: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// FULL macro.
    public static let full: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]
}

/// `partial = "<" number "." nz-number ">"` (RFC 9051 §9): octet offset and length.
public struct Partial: Hashable, Sendable {
    public var offset: Int
    public var length: Int
    public init(offset: Int, length: Int) { self.offset = offset; self.length = length }
}

/// A body section such as `1.2.HEADER.FIELDS (Subject)` (RFC 9051 §6.4.5, `section-spec`).
public struct SectionSpec: Hashable, Sendable {
    /// Part numbers, e.g. `[1, 2]`; empty for the whole message.
    public var part: [Int]
    public var kind: SectionKind
    public init(part: [Int] = [], kind: SectionKind = .complete) { self.part = part; self.kind = kind }

    public static let complete = SectionSpec()
    public static let header = SectionSpec(kind: .header)
    public static let text = SectionSpec(kind: .text)
}

/// What part of a section is meant (`section-msgtext` / `section-text`).
public enum SectionKind: Hashable, Sendable {
    case complete
    case header
    case headerFields([String])
    case headerFieldsNot([String])
    case text
    /// Only with a non-empty part number.
    case mime
}

/// FETCH modifiers (RFC 7162 §3.1.4, §3.2.6).
public struct FetchModifiers: Hashable, Sendable {
    public var changedSince: UInt64?
    public var vanished: Bool
    public init(changedSince: UInt64? = nil, vanished: Bool = false) { self.changedSince = changedSince; self.vanished = vanished }
}

/// STORE modifiers (RFC 7162 §3.1.3).
public struct StoreModifiers: Hashable, Sendable {
    public var unchangedSince: UInt64?
    public init(unchangedSince: UInt64? = nil) { self.unchangedSince = unchangedSince }
}

/// `store-att-flags` (RFC 9051 §6.4.6): `+FLAGS.SILENT (\Seen)` and friends.
public struct StoreAction: Hashable, Sendable {
    public enum Operation: Hashable, Sendable { case add, remove, replace }
    public var operation: Operation
    public var silent: Bool
    public var flags: [Flag]
    public init(operation: Operation, silent: Bool = false, flags: [Flag]) {
        self.operation = operation; self.silent = silent; self.flags = flags
    }
}
