/// The INTERNALDATE of a message (RFC 9051 §2.3.3), `"dd-MMM-yyyy HH:mm:ss +zzzz"` on the wire.
///
/// Stored as seconds since 1970-01-01 UTC plus the zone offset the date was written in,
/// so a date round-trips with its original zone.
public struct InternalDate: Hashable, Sendable {
    public var secondsSince1970: Int64
    public var timeZoneOffsetMinutes: Int

    public init(secondsSince1970: Int64, timeZoneOffsetMinutes: Int = 0) {
        self.secondsSince1970 = secondsSince1970
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }

    /// Builds a date from local wall-clock components in the given zone; nil if a component is out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, timeZoneOffsetMinutes: Int) {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              abs(timeZoneOffsetMinutes) < 100 * 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.init(secondsSince1970: local - Int64(timeZoneOffsetMinutes) * 60, timeZoneOffsetMinutes: timeZoneOffsetMinutes)
    }

    /// Local wall-clock components in the stored zone.
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let local = secondsSince1970 + Int64(timeZoneOffsetMinutes) * 60
        var days = local / 86_400
        var rest = local % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(days)
        return (y, m, d, Int(rest / 3600), Int(rest % 3600 / 60), Int(rest % 60))
    }

    /// The `date-time` form without quotes, e.g. `17-Jul-1996 02:44:25 -0700`.
    public var imapString: String {
        let c = components
        let day = c.day < 10 ? " \(c.day)" : "\(c.day)"
        let sign = timeZoneOffsetMinutes < 0 ? "-" : "+"
        let off = abs(timeZoneOffsetMinutes)
        return "\(day)-\(monthNames[c.month - 1])-\(pad(c.year, 4)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) \(sign)\(pad(off / 60, 2))\(pad(off % 60, 2))"
    }
}

/// A calendar date used by SEARCH keys such as SINCE and BEFORE (RFC 9051 §6.4.4, `date`).
public struct SearchDate: Hashable, Sendable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Nil if the date does not exist (e.g. 31-Apr).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// The `date-text` form, e.g. `1-Feb-2024`.
    public var imapString: String { "\(day)-\(monthNames[month - 1])-\(pad(year, 4))" }

    /// Days since 1970-01-01 of this date.
    public var daysSince1970: Int64 { daysFromCivil(year: year, month: month, day: day) }

    public static func < (a: SearchDate, b: SearchDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms (public domain descriptions).
func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let m = Int64(month)
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
}
