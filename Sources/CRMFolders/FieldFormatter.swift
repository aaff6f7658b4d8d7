import CRM
import Foundation

/// Formats field values for people: amounts with their currency, dates as `15 Dec`,
/// references by the referenced record's name.
struct FieldFormatter {
    let today: Date
    /// Names of referenced records, looked up by the caller.
    let referenceNames: [RecordRef: String]

    func format(_ value: FieldValue, type: FieldType?, currency: String?, short: Bool) -> String {
        switch value {
        case .text(let text): return text
        case .list(let values): return values.joined(separator: ", ")
        case .bool(let flag): return flag ? "Yes" : "No"
        case .number(let number):
            switch type {
            case .money?: return money(number, currency: currency)
            case .percent?: return "\(grouped(number))%"
            default: return grouped(number)
            }
        case .date(let date): return format(date, short: short)
        case .dateTime(let date): return format(date, short: short)
        case .reference(let ref): return referenceNames[ref] ?? ref.description
        }
    }

    func money(_ amount: Decimal, currency: String?) -> String {
        let code = (currency ?? "USD").uppercased()
        let symbols = ["USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"]
        if let symbol = symbols[code] { return symbol + grouped(amount) }
        return "\(grouped(amount)) \(code)"
    }

    func grouped(_ number: Decimal) -> String {
        number.formatted(.number.locale(Self.numberLocale).grouping(.automatic).precision(.fractionLength(0...2)))
    }

    static let locale = Locale(identifier: "en_US_POSIX")
    /// POSIX has no digit grouping; US English groups with commas.
    static let numberLocale = Locale(identifier: "en_US")

    /// `15 Dec` this year, `15 Dec 2027` otherwise; long form `15 December 2027`.
    func format(_ date: CalendarDate, short: Bool) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let longMonths = ["January", "February", "March", "April", "May", "June", "July", "August",
                          "September", "October", "November", "December"]
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: today)
        if short {
            return "\(date.day) \(months[date.month - 1])" + (date.year == thisYear ? "" : " \(date.year)")
        }
        return "\(date.day) \(longMonths[date.month - 1]) \(date.year)"
    }

    func format(_ date: Date, short: Bool) -> String {
        let calendar = Calendar(identifier: .gregorian)
        let style: Date.VerbatimFormatStyle = short
            ? .init(format: "\(day: .defaultDigits) \(month: .abbreviated) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
                    locale: Self.locale, timeZone: .gmt, calendar: calendar)
            : .init(format: "\(day: .defaultDigits) \(month: .wide) \(year: .defaultDigits), \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) UTC",
                    locale: Self.locale, timeZone: .gmt, calendar: calendar)
        return date.formatted(style)
    }
}
