import Foundation

/// Parses the Date header (RFC 5322 §3.3 `date-time`, with the §4.3 obsolete forms).
///
/// Accepts an optional day name, 2- and 3-digit years, seconds-less times, comments,
/// obsolete zones (UT, GMT, EST…PDT, military letters) and the asctime order
/// (`Tue Jun 14 10:00:00 2022`). Unknown zones count as +0000 as RFC 5322 §4.3 says.
public enum DateParser {
    /// The calendar day written in a Date header, whatever its time and zone (what SEARCH
    /// SENTBEFORE, SENTON and SENTSINCE compare, RFC 3501 §6.4.4).
    public static func writtenDay(_ value: [UInt8]) -> (year: Int, month: Int, day: Int)? {
        fields(value).map { ($0.year, $0.month, $0.day) }
    }

    static func parse(_ value: [UInt8]) -> Date? {
        guard let f = fields(value) else { return nil }
        let days = daysFromCivil(year: f.year, month: f.month, day: f.day)
        let seconds = days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second - f.offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    // date-time = [ day-of-week "," ] date time [CFWS]
    // date      = day month year
    // time      = time-of-day zone ; time-of-day = hour ":" minute [ ":" second ]
    private static func fields(_ value: [UInt8]) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offsetSeconds: Int)? {
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (hour: Int, minute: Int, second: Int)?
        var offsetSeconds = 0

        for word in words(value) {
            if word.contains(ASCII.colon) {
                guard time == nil else { continue }
                time = parseTime(word)
            } else if word.allSatisfy(ASCII.isDigit) {
                guard let number = Int(String(decoding: word.prefix(9), as: UTF8.self)) else { continue }
                if day == nil, word.count <= 2 {
                    day = number
                } else if year == nil {
                    year = fullYear(number, digits: word.count)
                }
            } else if let sign = word.first, sign == 0x2B || sign == ASCII.dash, word.count == 5,
                      word.dropFirst().allSatisfy(ASCII.isDigit),
                      let hhmm = Int(String(decoding: word.dropFirst(), as: UTF8.self)) {
                let offset = (hhmm / 100) * 3600 + (hhmm % 100) * 60
                offsetSeconds = sign == ASCII.dash ? -offset : offset
            } else {
                let name = ASCII.lowercasedString(word)
                if month == nil, let m = months.firstIndex(where: { name.hasPrefix($0) }) {
                    month = m + 1
                } else if time != nil, let zone = obsoleteZones[name] {
                    offsetSeconds = zone * 3600
                }
            }
        }
        guard let day, let month, let year, let time,
              (1...31).contains(day), (0...23).contains(time.hour), (0...59).contains(time.minute),
              (0...60).contains(time.second) else { return nil }
        return (year, month, day, time.hour, time.minute, time.second, offsetSeconds)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    // obs-zone = "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" / "MST" / "MDT" / "PST" / "PDT" / military
    private static let obsoleteZones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]

    // obs-year = [CFWS] 2*DIGIT [CFWS] : 00-49 → 20xx, 50-99 → 19xx, 3 digits → +1900  (RFC 5322 §4.3)
    private static func fullYear(_ year: Int, digits: Int) -> Int {
        switch digits {
        case 1, 2: return year < 50 ? 2000 + year : 1900 + year
        case 3: return 1900 + year
        default: return year
        }
    }

    private static func parseTime(_ word: ArraySlice<UInt8>) -> (hour: Int, minute: Int, second: Int)? {
        let fields = word.split(separator: ASCII.colon, omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count) else { return nil }
        var numbers: [Int] = []
        for field in fields {
            guard (1...2).contains(field.count), field.allSatisfy(ASCII.isDigit),
                  let n = Int(String(decoding: field, as: UTF8.self)) else { return nil }
            numbers.append(n)
        }
        return (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
    }

    /// Words of the value with comments dropped and commas treated as spaces.
    private static func words(_ value: [UInt8]) -> [ArraySlice<UInt8>] {
        var cleaned: [UInt8] = []
        var index = 0
        while index < value.count {
            if value[index] == ASCII.openParen {
                ContentTypeParser.skipCFWS(value, &index)
                cleaned.append(ASCII.space)
            } else {
                cleaned.append(value[index] == ASCII.comma ? ASCII.space : value[index])
                index += 1
            }
        }
        return cleaned.split(whereSeparator: ASCII.isLineSpace)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
