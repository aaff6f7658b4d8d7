import Foundation

/// How dates and times read wherever crmgate shows them to a person (summary emails, the
/// web UI): `5 Mar, 14:30` in the reader's time zone, with the year when it is not the
/// current one there (`5 Mar 2025, 14:30`); dates alone as `5 Mar` / `5 Mar 2025`.
public struct DisplayFormat: Sendable, Hashable {
    public var timeZone: TimeZone
    /// "Now", for telling the current year.
    public var now: Date

    public init(timeZone: TimeZone, now: Date = Date()) {
        self.timeZone = timeZone
        self.now = now
    }

    /// The first zone that names a real one: the user's, the policy's, else the server's.
    /// Names are IANA zone identifiers (`Europe/Berlin`); an empty or unknown one is skipped.
    public static func timeZone(_ candidates: String?...) -> TimeZone {
        for name in candidates {
            if let name, !name.isEmpty, let zone = TimeZone(identifier: name) { return zone }
        }
        return .current
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The current year where the reader is: it alone decides how a date reads.
    public var currentYear: Int { calendar.component(.year, from: now) }

    /// `5 Mar`, or `5 Mar 2025` outside the current year.
    public func date(_ date: CalendarDate) -> String {
        "\(date.day) \(Self.months[date.month - 1])" + (date.year == currentYear ? "" : " \(date.year)")
    }

    /// `5 Mar, 14:30`, or `5 Mar 2025, 14:30` outside the current year, in `timeZone`.
    public func dateTime(_ instant: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour,
              let minute = parts.minute, let shown = CalendarDate(year: year, month: month, day: day) else {
            return instant.formatted(.iso8601)
        }
        let clock = (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
        return "\(date(shown)), \(clock)"
    }
}
