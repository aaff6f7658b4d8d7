import Foundation

/// An RRULE (RFC 5545 §3.3.10) as calendars write it for events: FREQ DAILY, WEEKLY,
/// MONTHLY or YEARLY with INTERVAL, COUNT or UNTIL, BYDAY (with ordinals), BYMONTHDAY,
/// BYMONTH, BYSETPOS and WKST. Rules by hour, minute, second, week number or day of the
/// year are refused with the reason (no calendar client writes them for a meeting).
public struct RecurrenceRule: Hashable, Sendable {
    public enum Frequency: String, Sendable { case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY" }

    public var frequency: Frequency
    public var interval = 1
    public var count: Int?
    /// UNTIL as written: a date, a UTC time, or a local time.
    public var until: String?
    /// Weekdays 1 (Monday) … 7 (Sunday), each with an ordinal (0: every one).
    public var byDay: [Weekday] = []
    public var byMonthDay: [Int] = []
    public var byMonth: [Int] = []
    public var bySetPos: [Int] = []
    public var weekStart = 1

    public struct Weekday: Hashable, Sendable {
        public var ordinal: Int
        public var day: Int
    }

    /// Periods looked at before giving up: a rule that never matches cannot spin.
    static let maxPeriods = 100_000

    public init(_ text: String) throws(ContentLineError) {
        var frequency: Frequency?
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw Self.error(text, "\"\(part)\" is not KEY=VALUE") }
            let key = pair[0].uppercased()
            let value = pair[1].uppercased()
            let list = value.split(separator: ",").map(String.init)
            func numbers(_ range: ClosedRange<Int>) throws(ContentLineError) -> [Int] {
                var result: [Int] = []
                for item in list {
                    guard let number = Int(item), range.contains(abs(number)), number != 0 || range.lowerBound == 0 else {
                        throw Self.error(text, "\(key) \"\(item)\" is out of range")
                    }
                    result.append(number)
                }
                return result
            }
            switch key {
            case "FREQ":
                guard let known = Frequency(rawValue: value) else {
                    throw Self.error(text, "FREQ=\(value) is not supported; events repeat daily, weekly, monthly or yearly")
                }
                frequency = known
            case "INTERVAL":
                guard let number = Int(value), number > 0 else { throw Self.error(text, "INTERVAL must be a positive number") }
                interval = number
            case "COUNT":
                guard let number = Int(value), number > 0 else { throw Self.error(text, "COUNT must be a positive number") }
                count = number
            case "UNTIL": until = value
            case "BYDAY":
                byDay = try list.map { item throws(ContentLineError) in
                    guard item.count >= 2, let day = Self.weekdays[String(item.suffix(2))] else {
                        throw Self.error(text, "BYDAY \"\(item)\" is not a weekday such as MO, 2TU or -1FR")
                    }
                    let prefix = item.dropLast(2)
                    guard prefix.isEmpty || (Int(prefix).map { $0 != 0 && abs($0) <= 53 } ?? false) else {
                        throw Self.error(text, "BYDAY \"\(item)\" has an ordinal out of range")
                    }
                    return Weekday(ordinal: Int(prefix) ?? 0, day: day)
                }
            case "BYMONTHDAY": byMonthDay = try numbers(1...31)
            case "BYMONTH": byMonth = try numbers(1...12).filter { $0 > 0 }
            case "BYSETPOS": bySetPos = try numbers(1...366)
            case "WKST":
                guard let day = Self.weekdays[value] else { throw Self.error(text, "WKST \"\(value)\" is not a weekday") }
                weekStart = day
            case "BYHOUR", "BYMINUTE", "BYSECOND", "BYWEEKNO", "BYYEARDAY":
                throw Self.error(text, "\(key) is not supported")
            default:
                if !key.hasPrefix("X-") { throw Self.error(text, "\(key) is not a rule part") }
            }
        }
        guard let frequency else { throw Self.error(text, "FREQ is missing") }
        guard count == nil || until == nil else { throw Self.error(text, "COUNT and UNTIL must not both be given") }
        self.frequency = frequency
    }

    static let weekdays = ["MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7]

    private static func error(_ rule: String, _ reason: String) -> ContentLineError {
        ContentLineError(line: 0, "RRULE \"\(rule.prefix(80))\": \(reason)")
    }

    /// The wall-clock starts of the series from `start` (always the first, as RFC 5545
    /// counts it) through `last`, UNTIL and COUNT honoured; `isPastUntil` says whether a
    /// start lies after UNTIL (which may be a UTC instant).
    public func starts(from start: ICalLocalTime, through last: ICalLocalTime,
                       isPastUntil: (ICalLocalTime) -> Bool) -> [ICalLocalTime] {
        var result = [start]
        var produced = 1
        if let count, produced >= count { return result }
        let startDay = Day(start)
        for period in 0..<Self.maxPeriods {
            for day in candidates(period: period, start: start, startDay: startDay) {
                let time = ICalLocalTime(year: day.year, month: day.month, day: day.day, hour: start.hour, minute: start.minute,
                                         second: start.second)
                guard start < time else { continue }
                if last < time || isPastUntil(time) { return result }
                result.append(time)
                produced += 1
                if let count, produced >= count { return result }
            }
        }
        return result
    }

    /// The days of one period that the rule picks, in order, BYSETPOS applied.
    private func candidates(period: Int, start: ICalLocalTime, startDay: Day) -> [Day] {
        var days: [Day]
        switch frequency {
        case .daily:
            days = [Day(number: startDay.number + period * interval)]
            if !byDay.isEmpty { days = days.filter { day in byDay.contains { $0.day == day.weekday } } }
            if !byMonthDay.isEmpty { days = days.filter { monthDays(year: $0.year, month: $0.month).contains($0.day) } }
        case .weekly:
            let first = startDay.number - (startDay.weekday - weekStart + 7) % 7 + period * interval * 7
            let weekdays = byDay.isEmpty ? [startDay.weekday] : byDay.map(\.day)
            days = (0..<7).map { Day(number: first + $0) }.filter { weekdays.contains($0.weekday) }
        case .monthly:
            let index = start.year * 12 + start.month - 1 + period * interval
            days = monthCandidates(year: index / 12, month: index % 12 + 1, start: start)
        case .yearly:
            let year = start.year + period * interval
            if byMonth.isEmpty, !byDay.isEmpty, byMonthDay.isEmpty {
                days = weekdayCandidates(from: Day(year: year, month: 1, day: 1).number, to: Day(year: year + 1, month: 1, day: 1).number)
            } else {
                days = (byMonth.isEmpty ? [start.month] : byMonth.sorted()).flatMap { monthCandidates(year: year, month: $0, start: start) }
            }
        }
        if !byMonth.isEmpty { days = days.filter { byMonth.contains($0.month) } }
        days.sort { $0.number < $1.number }
        guard !bySetPos.isEmpty else { return days }
        return bySetPos.compactMap { position in
            let index = position > 0 ? position - 1 : days.count + position
            return days.indices.contains(index) ? days[index] : nil
        }.sorted { $0.number < $1.number }
    }

    private func monthCandidates(year: Int, month: Int, start: ICalLocalTime) -> [Day] {
        let first = Day(year: year, month: month, day: 1).number
        let length = Day.length(year: year, month: month)
        var days: [Day]
        if !byDay.isEmpty {
            days = weekdayCandidates(from: first, to: first + length)
            if !byMonthDay.isEmpty {
                let picked = monthDays(year: year, month: month)
                days = days.filter { picked.contains($0.day) }
            }
        } else if !byMonthDay.isEmpty {
            days = monthDays(year: year, month: month).map { Day(year: year, month: month, day: $0) }
        } else {
            days = start.day <= length ? [Day(year: year, month: month, day: start.day)] : []
        }
        return days
    }

    /// The days of `from..<to` on BYDAY's weekdays, ordinals counted within that span.
    private func weekdayCandidates(from: Int, to: Int) -> [Day] {
        var days: [Day] = []
        for rule in byDay {
            let matching = (from..<to).map { Day(number: $0) }.filter { $0.weekday == rule.day }
            if rule.ordinal == 0 {
                days += matching
            } else {
                let index = rule.ordinal > 0 ? rule.ordinal - 1 : matching.count + rule.ordinal
                if matching.indices.contains(index) { days.append(matching[index]) }
            }
        }
        return Array(Set(days))
    }

    /// BYMONTHDAY's days in a month (negative ones counted from its end).
    private func monthDays(year: Int, month: Int) -> Set<Int> {
        let length = Day.length(year: year, month: month)
        return Set(byMonthDay.compactMap { value in
            let day = value > 0 ? value : length + value + 1
            return (1...length).contains(day) ? day : nil
        })
    }
}

/// A day of the proleptic Gregorian calendar, by its number since 1970-01-01.
struct Day: Hashable {
    let number: Int

    init(number: Int) { self.number = number }

    init(year: Int, month: Int, day: Int) {
        // Days from civil (H. Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        number = era * 146_097 + dayOfEra - 719_468
    }

    init(_ time: ICalLocalTime) { self.init(year: time.year, month: time.month, day: time.day) }

    private var civil: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    var year: Int { civil.year }
    var month: Int { civil.month }
    var day: Int { civil.day }
    /// 1 (Monday) … 7 (Sunday); 1970-01-01 was a Thursday.
    var weekday: Int { ((number % 7 + 7) % 7 + 3) % 7 + 1 }

    static func length(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// One occurrence of a recurring component: its RECURRENCE-ID (in the form of the series'
/// DTSTART) and its start.
public struct ICalOccurrence: Hashable, Sendable {
    public var recurrenceID: ICalDateTime
    public var start: Date

    /// RECURRENCE-ID's value as written (`20261210T090000`, `20261210`, `…Z`): names it.
    public var key: String { recurrenceID.text }
}

extension ICalComponent {
    /// Whether it is a series: it has an RRULE or RDATE (and is not an override itself).
    public var isRecurring: Bool {
        first("RECURRENCE-ID") == nil && (first("RRULE") != nil || first("RDATE") != nil)
    }

    /// The occurrences of this series (RRULE and RDATE, less EXDATE) that start before
    /// `end` and end after `start` (its duration `duration` seconds), and those named by
    /// `keys` wherever they lie.
    public func occurrences(zones: ICalTimeZones, from start: Date, to end: Date, duration: TimeInterval,
                            keys: Set<String> = []) throws(ContentLineError) -> [ICalOccurrence] {
        guard let dtstart = try dateTime("DTSTART") else { throw ContentLineError(line: 0, "the series \(uid ?? "") has no DTSTART") }
        let zone: ICalZone
        let local: ICalLocalTime
        switch dtstart {
        case .date(let day): local = day; zone = .system(ICalTimeZones.utc)
        case .utc(let date): local = ICalLocalTime(date, in: ICalTimeZones.utc); zone = .system(ICalTimeZones.utc)
        case .local(let time, let tzid):
            local = time
            if let tzid {
                guard let found = zones.zone(tzid) else {
                    throw ContentLineError(line: 0, "the time zone \"\(tzid)\" is neither known nor defined by a VTIMEZONE of the calendar")
                }
                zone = found
            } else {
                zone = .system(ICalTimeZones.utc)
            }
        }
        func value(_ time: ICalLocalTime) -> ICalDateTime {
            switch dtstart {
            case .date: .date(ICalLocalTime(year: time.year, month: time.month, day: time.day))
            case .utc: .utc(time.date(in: ICalTimeZones.utc))
            case .local(_, let tzid): .local(time, tzid: tzid)
            }
        }
        var starts: [ICalLocalTime] = []
        if let rule = first("RRULE") {
            let parsed = try RecurrenceRule(TextValue.unescape(rule.value))
            let until = try parsed.until.map { text throws(ContentLineError) in
                try ICalDateTime(ContentLine(name: "UNTIL", parameters: text.count == 8 ? [.init(name: "VALUE", values: ["DATE"])] : [], value: text))
            }
            let untilDate = try until.map { value throws(ContentLineError) in try value.date(zones: zones) }
            // Expand to the window's end, or to the last start asked for by key.
            // Wall-clock times run up to a day ahead of UTC: two days more are enough.
            var last = ICalLocalTime(end.addingTimeInterval(2 * 86_400), in: ICalTimeZones.utc)
            for key in keys {
                if let named = ICalLocalTime(key.replacingOccurrences(of: "Z", with: ""), dateOnly: key.count == 8), last < named { last = named }
            }
            starts = parsed.starts(from: local, through: last) { time in
                guard let until, let untilDate else { return false }
                if case .date(let day) = until, case .date = dtstart { return day < ICalLocalTime(year: time.year, month: time.month, day: time.day) }
                return zone.date(of: time) > untilDate
            }
        } else {
            starts = [local]
        }
        var occurrences = starts.map { ICalOccurrence(recurrenceID: value($0), start: zone.date(of: $0)) }
        for line in all("RDATE") where line.parameter("VALUE").first?.uppercased() != "PERIOD" {
            for item in line.value.split(separator: ",") {
                var single = line
                single.value = String(item)
                let date = try ICalDateTime(single)
                let id: ICalDateTime = switch date {
                case .date(let day): value(day)
                case .local(let time, _): value(time)
                case .utc(let instant): value(ICalLocalTime(instant, in: zone.timeZone ?? ICalTimeZones.utc))
                }
                occurrences.append(ICalOccurrence(recurrenceID: id, start: try date.date(zones: zones)))
            }
        }
        var excluded = Set<Date>()
        for line in all("EXDATE") {
            for item in line.value.split(separator: ",") {
                var single = line
                single.value = String(item)
                excluded.insert(try ICalDateTime(single).date(zones: zones))
            }
        }
        var seen = Set<String>()
        return occurrences.filter { occurrence in
            guard !excluded.contains(occurrence.start), seen.insert(occurrence.key).inserted else { return false }
            let inWindow = occurrence.start < end && occurrence.start.addingTimeInterval(max(duration, 1)) > start
            return inWindow || keys.contains(occurrence.key)
        }.sorted { $0.start < $1.start }
    }
}

extension ICalZone {
    /// The system zone, when it is one.
    var timeZone: TimeZone? {
        if case .system(let zone) = self { zone } else { nil }
    }
}
