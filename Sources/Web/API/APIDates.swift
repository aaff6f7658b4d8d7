import CRM
import Foundation

/// Instants on the wire: ISO 8601 / RFC 3339 (`2026-03-01T09:30:00Z`, milliseconds when
/// the instant has them). Parsing also takes offsets (`+02:00`) and, for query filters,
/// a bare date meaning its midnight in UTC.
enum APIDates {
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return seconds == seconds.rounded() ? date.formatted(whole) : date.formatted(fractional)
    }

    /// The instant `text` names, or nil when it is not ISO 8601 with a time zone.
    static func parse(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let date = try? whole.parse(text) { return date }
        if let date = try? fractional.parse(text) { return date }
        return nil
    }

    /// Like `parse`, and also `YYYY-MM-DD` (midnight UTC), for `modified_since`.
    static func parseFilter(_ text: String) -> Date? {
        // An unencoded `+` in a query string arrives as a space.
        let text = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "+")
        if let date = parse(text) { return date }
        guard let day = CalendarDate(text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
    }
}
