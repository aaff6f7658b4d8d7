/// A message flag (RFC 9051 §2.3.2): a system flag such as `\Seen`, or a keyword such as `$Forwarded`.
///
/// System flags are normalised to their canonical case when created (`\seen` becomes `\Seen`).
/// Keywords are stored as sent, but equality and hashing ignore ASCII case, as IMAP requires.
public struct Flag: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        let upper = asciiUppercased(rawValue)
        self.rawValue = Flag.canonicalSystemFlags.first { asciiUppercased($0) == upper } ?? rawValue
    }

    public init(rawValue: String) { self.init(rawValue) }

    public static let seen = Flag("\\Seen")
    public static let answered = Flag("\\Answered")
    public static let flagged = Flag("\\Flagged")
    public static let deleted = Flag("\\Deleted")
    public static let draft = Flag("\\Draft")
    public static let recent = Flag("\\Recent")

    static let canonicalSystemFlags = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent"]

    /// True for `\`-prefixed flags (system flags and flag extensions), false for keywords.
    public var isSystemFlag: Bool { rawValue.hasPrefix("\\") }

    public var description: String { rawValue }

    public static func == (lhs: Flag, rhs: Flag) -> Bool {
        asciiUppercased(lhs.rawValue) == asciiUppercased(rhs.rawValue)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(asciiUppercased(rawValue))
    }
}
