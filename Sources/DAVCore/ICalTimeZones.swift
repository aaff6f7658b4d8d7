import Foundation

/// A time zone a TZID names: one the system knows (an IANA name, or a Windows name as
/// Exchange and Outlook write them), or one only the calendar's own VTIMEZONE defines.
public enum ICalZone: Sendable {
    case system(TimeZone)
    case defined(VTimeZoneRules)

    /// The instant a wall-clock time is in this zone.
    public func date(of local: ICalLocalTime) -> Date {
        switch self {
        case .system(let zone): local.date(in: zone)
        case .defined(let rules): local.date(offset: rules.offset(at: local))
        }
    }
}

/// Resolves the TZIDs of one calendar.
public struct ICalTimeZones: Sendable {
    public static let utc = TimeZone(identifier: "UTC")!

    /// UTC under any of its names (Foundation may call it GMT).
    public static func isUTC(_ zone: TimeZone) -> Bool {
        ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z"].contains(zone.identifier)
    }
    /// The calendar's own VTIMEZONEs by TZID.
    let defined: [String: VTimeZoneRules]

    public init(_ calendar: ICalendar) {
        var defined: [String: VTimeZoneRules] = [:]
        for component in calendar.timeZones {
            guard let tzid = component.text("TZID"), let rules = VTimeZoneRules(component) else { continue }
            defined[tzid] = rules
        }
        self.defined = defined
    }

    /// The zone a TZID names: a system zone by IANA or Windows name first (their rules are
    /// kept up to date), else the calendar's own definition.
    public func zone(_ tzid: String) -> ICalZone? {
        if let zone = Self.systemZone(tzid) { return .system(zone) }
        return defined[tzid].map(ICalZone.defined)
    }

    /// An IANA name, a Windows name (`W. Europe Standard Time`), or either with the
    /// `/mozilla.org/…/` style prefix some clients add.
    public static func systemZone(_ tzid: String) -> TimeZone? {
        let name = tzid.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        if name.contains("/"), let zone = TimeZone(identifier: name) { return zone }
        if let iana = windowsZones[name], let zone = TimeZone(identifier: iana) { return zone }
        if name == "UTC" || name == "GMT" || name == "Z" { return utc }
        // `/freeassociation.sourceforge.net/Tzfile/Europe/Berlin` and the like.
        let parts = name.split(separator: "/")
        for start in parts.indices where parts.count - start >= 2 {
            if let zone = TimeZone(identifier: parts[start...].joined(separator: "/")) { return zone }
        }
        return nil
    }

    /// Windows time zone names (as Exchange writes TZIDs) → IANA, after CLDR's windowsZones
    /// (the "001" territory of each).
    static let windowsZones: [String: String] = [
        "Dateline Standard Time": "Etc/GMT+12", "UTC-11": "Etc/GMT+11", "Hawaiian Standard Time": "Pacific/Honolulu",
        "Alaskan Standard Time": "America/Anchorage", "Pacific Standard Time": "America/Los_Angeles",
        "Pacific Standard Time (Mexico)": "America/Tijuana", "US Mountain Standard Time": "America/Phoenix",
        "Mountain Standard Time": "America/Denver", "Mountain Standard Time (Mexico)": "America/Mazatlan",
        "Central America Standard Time": "America/Guatemala", "Central Standard Time": "America/Chicago",
        "Central Standard Time (Mexico)": "America/Mexico_City", "Canada Central Standard Time": "America/Regina",
        "SA Pacific Standard Time": "America/Bogota", "Eastern Standard Time": "America/New_York",
        "Eastern Standard Time (Mexico)": "America/Cancun", "US Eastern Standard Time": "America/Indiana/Indianapolis",
        "Venezuela Standard Time": "America/Caracas", "Atlantic Standard Time": "America/Halifax",
        "SA Western Standard Time": "America/La_Paz", "Pacific SA Standard Time": "America/Santiago",
        "Newfoundland Standard Time": "America/St_Johns", "E. South America Standard Time": "America/Sao_Paulo",
        "Argentina Standard Time": "America/Argentina/Buenos_Aires", "SA Eastern Standard Time": "America/Cayenne",
        "Greenland Standard Time": "America/Godthab", "Montevideo Standard Time": "America/Montevideo",
        "UTC-02": "Etc/GMT+2", "Azores Standard Time": "Atlantic/Azores", "Cape Verde Standard Time": "Atlantic/Cape_Verde",
        "UTC": "Etc/UTC", "GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
        "Morocco Standard Time": "Africa/Casablanca", "W. Europe Standard Time": "Europe/Berlin",
        "Central Europe Standard Time": "Europe/Budapest", "Romance Standard Time": "Europe/Paris",
        "Central European Standard Time": "Europe/Warsaw", "W. Central Africa Standard Time": "Africa/Lagos",
        "GTB Standard Time": "Europe/Bucharest", "Middle East Standard Time": "Asia/Beirut", "Egypt Standard Time": "Africa/Cairo",
        "E. Europe Standard Time": "Europe/Chisinau", "South Africa Standard Time": "Africa/Johannesburg",
        "FLE Standard Time": "Europe/Kiev", "Israel Standard Time": "Asia/Jerusalem", "Kaliningrad Standard Time": "Europe/Kaliningrad",
        "Turkey Standard Time": "Europe/Istanbul", "Arabic Standard Time": "Asia/Baghdad", "Arab Standard Time": "Asia/Riyadh",
        "Belarus Standard Time": "Europe/Minsk", "Russian Standard Time": "Europe/Moscow", "E. Africa Standard Time": "Africa/Nairobi",
        "Iran Standard Time": "Asia/Tehran", "Arabian Standard Time": "Asia/Dubai", "Azerbaijan Standard Time": "Asia/Baku",
        "Georgian Standard Time": "Asia/Tbilisi", "Caucasus Standard Time": "Asia/Yerevan", "Afghanistan Standard Time": "Asia/Kabul",
        "West Asia Standard Time": "Asia/Tashkent", "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
        "Pakistan Standard Time": "Asia/Karachi", "India Standard Time": "Asia/Calcutta", "Sri Lanka Standard Time": "Asia/Colombo",
        "Nepal Standard Time": "Asia/Katmandu", "Central Asia Standard Time": "Asia/Almaty", "Bangladesh Standard Time": "Asia/Dhaka",
        "Myanmar Standard Time": "Asia/Rangoon", "SE Asia Standard Time": "Asia/Bangkok", "N. Central Asia Standard Time": "Asia/Novosibirsk",
        "China Standard Time": "Asia/Shanghai", "North Asia Standard Time": "Asia/Krasnoyarsk", "Singapore Standard Time": "Asia/Singapore",
        "W. Australia Standard Time": "Australia/Perth", "Taipei Standard Time": "Asia/Taipei", "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
        "Tokyo Standard Time": "Asia/Tokyo", "Korea Standard Time": "Asia/Seoul", "Yakutsk Standard Time": "Asia/Yakutsk",
        "Cen. Australia Standard Time": "Australia/Adelaide", "AUS Central Standard Time": "Australia/Darwin",
        "E. Australia Standard Time": "Australia/Brisbane", "AUS Eastern Standard Time": "Australia/Sydney",
        "West Pacific Standard Time": "Pacific/Port_Moresby", "Tasmania Standard Time": "Australia/Hobart",
        "Vladivostok Standard Time": "Asia/Vladivostok", "Central Pacific Standard Time": "Pacific/Guadalcanal",
        "New Zealand Standard Time": "Pacific/Auckland", "Fiji Standard Time": "Pacific/Fiji", "Tonga Standard Time": "Pacific/Tongatapu",
        "Samoa Standard Time": "Pacific/Apia", "Line Islands Standard Time": "Pacific/Kiritimati",
    ]
}

/// The rules of a calendar's own VTIMEZONE (RFC 5545 §3.6.5): its STANDARD and DAYLIGHT
/// observances, each from its DTSTART, repeating yearly by BYMONTH and BYDAY as Outlook,
/// Apple and Google write them, or on its RDATEs.
public struct VTimeZoneRules: Sendable, Hashable {
    struct Observance: Sendable, Hashable {
        var start: ICalLocalTime
        var offsetTo: Int
        /// FREQ=YEARLY;BYMONTH=m;BYDAY=nWD: the month, the nth (negative: from the end) weekday (1 = Sunday).
        var yearly: (month: Int, ordinal: Int, weekday: Int)?
        var until: ICalLocalTime?
        var rdates: [ICalLocalTime]

        static func == (a: Observance, b: Observance) -> Bool {
            a.start == b.start && a.offsetTo == b.offsetTo && a.until == b.until && a.rdates == b.rdates
                && a.yearly?.month == b.yearly?.month && a.yearly?.ordinal == b.yearly?.ordinal && a.yearly?.weekday == b.yearly?.weekday
        }

        func hash(into hasher: inout Hasher) { hasher.combine(start); hasher.combine(offsetTo) }
    }

    var observances: [Observance]

    init?(_ component: ICalComponent) {
        observances = component.components.compactMap { part -> Observance? in
            guard part.name == "STANDARD" || part.name == "DAYLIGHT", let startLine = part.first("DTSTART"),
                  let start = ICalLocalTime(startLine.value, dateOnly: false),
                  let offset = part.first("TZOFFSETTO").flatMap({ Self.offset($0.value) }) else { return nil }
            var observance = Observance(start: start, offsetTo: offset, yearly: nil, until: nil,
                                        rdates: part.all("RDATE").flatMap { $0.value.split(separator: ",") }
                                            .compactMap { ICalLocalTime(String($0), dateOnly: false) })
            if let rule = part.first("RRULE")?.value {
                var fields: [String: String] = [:]
                for pair in rule.split(separator: ";") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    if kv.count == 2 { fields[kv[0].uppercased()] = String(kv[1]) }
                }
                if fields["FREQ"]?.uppercased() == "YEARLY", let month = fields["BYMONTH"].flatMap({ Int($0) }),
                   let byDay = fields["BYDAY"], let day = Self.weekday(byDay) {
                    observance.yearly = (month, day.ordinal, day.weekday)
                }
                observance.until = fields["UNTIL"].flatMap { ICalLocalTime($0, dateOnly: false) ?? ICalLocalTime($0, dateOnly: true) }
            }
            return observance
        }
        if observances.isEmpty { return nil }
    }

    /// The offset from UTC at a wall-clock time: that of the observance begun last before it.
    func offset(at local: ICalLocalTime) -> Int {
        var best: (onset: ICalLocalTime, offset: Int)?
        for observance in observances {
            var onsets = [observance.start] + observance.rdates
            if let rule = observance.yearly {
                for year in [local.year - 1, local.year] where year >= observance.start.year {
                    if let day = Self.day(year: year, month: rule.month, ordinal: rule.ordinal, weekday: rule.weekday) {
                        let onset = ICalLocalTime(year: year, month: rule.month, day: day, hour: observance.start.hour,
                                                  minute: observance.start.minute, second: observance.start.second)
                        if observance.until.map({ onset <= $0 }) ?? true { onsets.append(onset) }
                    }
                }
            }
            for onset in onsets where onset <= local && (best.map { onset > $0.onset } ?? true) {
                best = (onset, observance.offsetTo)
            }
        }
        return best?.offset ?? observances.min { $0.start < $1.start }?.offsetTo ?? 0
    }

    /// `+0100`, `-0530`, `+013045`.
    static func offset(_ text: String) -> Int? {
        let sign: Int = text.hasPrefix("-") ? -1 : 1
        let digits = text.drop { $0 == "+" || $0 == "-" }
        guard digits.count == 4 || digits.count == 6, digits.allSatisfy(\.isNumber) else { return nil }
        let n = digits.compactMap(\.wholeNumberValue)
        let seconds = (n[0] * 10 + n[1]) * 3600 + (n[2] * 10 + n[3]) * 60 + (digits.count == 6 ? n[4] * 10 + n[5] : 0)
        return sign * seconds
    }

    /// `-1SU` → (-1, 1); `2SU` → (2, 1).
    static func weekday(_ text: String) -> (ordinal: Int, weekday: Int)? {
        let names = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        guard text.count >= 2, let index = names.firstIndex(of: String(text.suffix(2)).uppercased()) else { return nil }
        let prefix = text.dropLast(2)
        return (prefix.isEmpty ? 1 : Int(prefix) ?? 1, index + 1)
    }

    /// The day of the month of the `ordinal`th `weekday` (negative: counted from the end).
    static func day(year: Int, month: Int, ordinal: Int, weekday: Int) -> Int? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = ICalTimeZones.utc
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
              let days = calendar.range(of: .day, in: .month, for: first)?.count else { return nil }
        let firstWeekday = calendar.component(.weekday, from: first)
        let firstMatch = 1 + (weekday - firstWeekday + 7) % 7
        let matches = Array(stride(from: firstMatch, through: days, by: 7))
        let index = ordinal > 0 ? ordinal - 1 : matches.count + ordinal
        return matches.indices.contains(index) ? matches[index] : nil
    }
}

// MARK: - Writing VTIMEZONE

extension ICalComponent {
    /// A VTIMEZONE for a system zone covering `range`: one observance for the zone as it
    /// stands at the start, and one per change of offset within the range (explicit DTSTARTs,
    /// no rules to misread). A calendar that names a TZID carries one of these for it.
    public static func timeZone(_ zone: TimeZone, covering range: ClosedRange<Date>) -> ICalComponent {
        func observance(_ kind: String, start: ICalLocalTime, from: Int, to: Int, name: String?) -> ICalComponent {
            var part = ICalComponent(kind, properties: [
                ContentLine(name: "DTSTART", value: start.text),
                ContentLine(name: "TZOFFSETFROM", value: offsetText(from)),
                ContentLine(name: "TZOFFSETTO", value: offsetText(to)),
            ])
            if let name { part.properties.append(ContentLine(name: "TZNAME", value: TextValue.escape(name))) }
            return part
        }
        var component = ICalComponent("VTIMEZONE", properties: [ContentLine(name: "TZID", value: zone.identifier)])
        let initial = zone.secondsFromGMT(for: range.lowerBound)
        component.components.append(observance(zone.isDaylightSavingTime(for: range.lowerBound) ? "DAYLIGHT" : "STANDARD",
                                               start: ICalLocalTime(year: 1970, month: 1, day: 1), from: initial, to: initial,
                                               name: zone.abbreviation(for: range.lowerBound)))
        var cursor = range.lowerBound
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), change <= range.upperBound {
            let before = zone.secondsFromGMT(for: change.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: change)
            // DTSTART is the wall-clock time of the change in the offset before it.
            let start = ICalLocalTime(change.addingTimeInterval(TimeInterval(before)), in: ICalTimeZones.utc)
            component.components.append(observance(zone.isDaylightSavingTime(for: change) ? "DAYLIGHT" : "STANDARD",
                                                   start: start, from: before, to: after, name: zone.abbreviation(for: change)))
            cursor = change
        }
        return component
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let value = abs(seconds)
        let text = String(format: "%@%02d%02d", sign, value / 3600, value % 3600 / 60)
        return value % 60 == 0 ? text : text + String(format: "%02d", value % 60)
    }
}
