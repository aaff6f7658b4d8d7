import Foundation

/// A DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5) as a property writes it.
public enum ICalDateTime: Hashable, Sendable {
    /// All day: a calendar date (`VALUE=DATE`). An all-day event's DTEND is exclusive.
    case date(ICalLocalTime)
    /// An instant in UTC (`20261207T080000Z`).
    case utc(Date)
    /// A wall-clock time in the zone its TZID names, or floating (no zone) when nil.
    case local(ICalLocalTime, tzid: String?)

    /// Reads a property's value, with its VALUE and TZID parameters.
    // date = date-value ; date-value = date-fullyear date-month date-mday (8 digits)
    // date-time = date "T" time ; time = time-hour time-minute time-second [time-utc]
    public init(_ line: ContentLine) throws(ContentLineError) {
        let value = line.value.trimmingCharacters(in: .whitespaces)
        let isDate = line.parameter("VALUE").first?.uppercased() == "DATE" || (value.count == 8 && !value.contains("T"))
        guard let local = ICalLocalTime(value, dateOnly: isDate) else {
            throw ContentLineError(line: 0, "\(line.name) \"\(value.prefix(40))\" is not a \(isDate ? "date (YYYYMMDD)" : "date-time (YYYYMMDDTHHMMSS[Z])")")
        }
        if isDate {
            self = .date(local)
        } else if value.hasSuffix("Z") {
            self = .utc(local.date(in: ICalTimeZones.utc))
        } else {
            self = .local(local, tzid: line.parameter("TZID").first)
        }
    }

    /// The value as written.
    public var text: String {
        switch self {
        case .date(let local): local.dateText
        case .utc(let date): ICalLocalTime(date, in: ICalTimeZones.utc).text + "Z"
        case .local(let local, _): local.text
        }
    }

    /// The parameters the value needs.
    public var parameters: [ContentLine.Parameter] {
        switch self {
        case .date: [.init(name: "VALUE", values: ["DATE"])]
        case .utc: []
        case .local(_, let tzid): tzid.map { [.init(name: "TZID", values: [$0])] } ?? []
        }
    }

    /// The instant: TZIDs resolved by `zones`, a date at its midnight and floating times in
    /// `floating` (the user's zone).
    public func date(zones: ICalTimeZones, floating: TimeZone = ICalTimeZones.utc) throws(ContentLineError) -> Date {
        switch self {
        case .utc(let date): return date
        case .date(let local): return local.date(in: floating)
        case .local(let local, let tzid):
            guard let tzid else { return local.date(in: floating) }
            guard let zone = zones.zone(tzid) else {
                throw ContentLineError(line: 0, "the time zone \"\(tzid)\" is neither known nor defined by a VTIMEZONE of the calendar")
            }
            return zone.date(of: local)
        }
    }

    /// A wall-clock time of `date` in `zone`, named by the zone's identifier; in UTC, the
    /// UTC form (`…Z`), which needs no VTIMEZONE.
    public static func zoned(_ date: Date, in zone: TimeZone) -> ICalDateTime {
        if ICalTimeZones.isUTC(zone) { return .utc(date) }
        return .local(ICalLocalTime(date, in: zone), tzid: zone.identifier)
    }

    public var isAllDay: Bool {
        if case .date = self { true } else { false }
    }
}

/// A wall-clock date and time without a zone.
public struct ICalLocalTime: Hashable, Sendable, Comparable {
    public var year, month, day, hour, minute, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year; self.month = month; self.day = day; self.hour = hour; self.minute = minute; self.second = second
    }

    /// `YYYYMMDD` or `YYYYMMDDTHHMMSS` (a trailing `Z` is the caller's).
    public init?(_ text: String, dateOnly: Bool) {
        let digits = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count, range.allSatisfy({ (48...57).contains(digits[$0]) }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(digits[$1] - 48) }
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        if dateOnly {
            guard digits.count == 8 else { return nil }
            self.init(year: year, month: month, day: day)
            return
        }
        let utc = digits.last == UInt8(ascii: "Z")
        guard digits.count == (utc ? 16 : 15), digits[8] == UInt8(ascii: "T"), let hour = number(9..<11), let minute = number(11..<13),
              let second = number(13..<15), hour < 24, minute < 60, second <= 60 else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
    }

    /// The wall-clock time of `date` in `zone`.
    public init(_ date: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        self.init(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1,
                  hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0)
    }

    /// The instant this wall-clock time is in `zone` (a time skipped by a DST change moves forward).
    public func date(in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return calendar.date(from: parts) ?? Date(timeIntervalSince1970: 0)
    }

    /// The instant this wall-clock time is at a fixed offset from UTC.
    func date(offset seconds: Int) -> Date {
        date(in: ICalTimeZones.utc).addingTimeInterval(TimeInterval(-seconds))
    }

    public var dateText: String { String(format: "%04d%02d%02d", year, month, day) }
    public var text: String { dateText + String(format: "T%02d%02d%02d", hour, minute, second) }

    public static func < (a: ICalLocalTime, b: ICalLocalTime) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
    }
}
