/// A TOML date, time or date-time, checked for validity by TOMLKit and kept as text in
/// TOML syntax; crmgate does no date arithmetic on configuration values.
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    /// Which of the four TOML date-time forms the text is.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// `1979-05-27T07:32:00Z`, `1979-05-27 07:32:00-07:00`
        case offsetDateTime
        /// `1979-05-27T07:32:00`
        case localDateTime
        /// `1979-05-27`
        case localDate
        /// `07:32:00.999`
        case localTime

        public var description: String {
            switch self {
            case .offsetDateTime: "an offset date-time"
            case .localDateTime: "a local date-time"
            case .localDate: "a local date"
            case .localTime: "a local time"
            }
        }
    }

    public var kind: Kind
    /// The value in TOML syntax, as TOMLKit renders it.
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String { text }
}
