import Foundation

/// A calendar date without time or zone (close dates, due dates), `YYYY-MM-DD` on the wire.
public struct CalendarDate: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        var components = DateComponents(year: year, month: month, day: day)
        components.calendar = Calendar(identifier: .gregorian)
        guard (1...9999).contains(year), components.isValidDate else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a date YYYY-MM-DD, got \"\(text)\""))
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The value of one field of a record.
public enum FieldValue: Hashable, Sendable {
    case text(String)
    case list([String])
    case number(Decimal)
    case bool(Bool)
    case date(CalendarDate)
    case dateTime(Date)
    case reference(RecordRef)

    public var text: String? { if case .text(let s) = self { s } else { nil } }
    public var list: [String]? { if case .list(let l) = self { l } else { nil } }
    public var number: Decimal? { if case .number(let n) = self { n } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var date: CalendarDate? { if case .date(let d) = self { d } else { nil } }
    public var dateTime: Date? { if case .dateTime(let d) = self { d } else { nil } }
    public var reference: RecordRef? { if case .reference(let r) = self { r } else { nil } }

    /// The value as text, for closed rules, search and display.
    public var displayText: String {
        switch self {
        case .text(let s): s
        case .list(let l): l.joined(separator: ", ")
        case .number(let n): "\(n)"
        case .bool(let b): b ? "yes" : "no"
        case .date(let d): d.description
        case .dateTime(let d): d.formatted(.iso8601)
        case .reference(let r): r.description
        }
    }
}
