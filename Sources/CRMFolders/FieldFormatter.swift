import CRM
import Foundation

/// Formats field values for people: amounts with their currency, dates and times as the
/// web UI shows them (`DisplayFormat`: `15 Dec, 14:30` in the reader's zone, the year when
/// it is not this one), text without trailing blank lines, references by the referenced
/// record's name.
struct FieldFormatter {
    let display: DisplayFormat
    /// Names of referenced records, looked up by the caller.
    let referenceNames: [RecordRef: String]

    func format(_ value: FieldValue, type: FieldType?, currency: String?) -> String {
        switch value {
        case .text(let text): return text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .list(let values): return values.joined(separator: ", ")
        case .bool(let flag): return flag ? "Yes" : "No"
        case .number(let number):
            switch type {
            case .money?: return money(number, currency: currency)
            case .percent?: return "\(grouped(number))%"
            default: return grouped(number)
            }
        case .date(let date): return display.date(date)
        case .dateTime(let date): return display.dateTime(date)
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
}
