import CRM
import Foundation

/// How field values read on pages: money with its currency, dates spelled out, times in
/// the server's zone, references as links to the referenced record's page. Every
/// result is HTML with user text escaped.
struct FieldFormatter: Sendable {
    var timeZone: TimeZone
    var locale = Locale(identifier: "en_US")

    /// The value of `field` on `record` as HTML; `names` holds the display names of
    /// referenced records (a missing one reads as deleted).
    func html(_ field: FieldDefinition, of record: CRMRecord, names: [RecordRef: String]) -> String {
        guard let value = record.fields[field.key] else { return "<span class=\"muted\">—</span>" }
        switch (field.type, value) {
        case (.money, .number(let amount)):
            return HTML.escape(money(amount, currency: record.fields["currency"]?.text))
        case (.percent, .number(let number)):
            return HTML.escape(self.number(number) + " %")
        case (.url, .text(let text)):
            return webLink(text)
        case (.email, .text(let address)):
            return "<a href=\"mailto:\(HTML.escape(address))\">\(HTML.escape(address))</a>"
        case (.longText, .text(let text)):
            return "<div class=\"prose\">\(HTML.escape(text))</div>"
        case (_, .reference(let ref)):
            return reference(ref, names: names)
        default:
            return HTML.escape(text(value))
        }
    }

    /// Plain text for any value (list cells, titles).
    func text(_ value: FieldValue) -> String {
        switch value {
        case .text(let text): text
        case .list(let items): items.joined(separator: ", ")
        case .number(let number): self.number(number)
        case .bool(let flag): flag ? "Yes" : "No"
        case .date(let date): self.date(date)
        case .dateTime(let date): dateTime(date)
        case .reference(let ref): ref.description
        }
    }

    /// A link to the referenced record's page, named by it.
    func reference(_ ref: RecordRef, names: [RecordRef: String]) -> String {
        guard let name = names[ref] else {
            return "<span class=\"muted\">\(HTML.escape(ref.description)) (deleted)</span>"
        }
        return "<a href=\"\(HTML.escape(PagePaths.view(ref)))\">\(HTML.escape(name))</a>"
    }

    /// `$12,500.00`, `€900.00`; an unknown currency follows the number (`1,200.00 BTC`).
    func money(_ amount: Decimal, currency: String?) -> String {
        let code = currency?.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
        let plain = amount.formatted(.number.precision(.fractionLength(2)).grouping(.automatic).locale(locale))
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return code.isEmpty ? plain : plain + " " + code
        }
        return amount.formatted(.currency(code: code).locale(locale))
    }

    func number(_ number: Decimal) -> String {
        number.formatted(.number.grouping(.automatic).locale(locale))
    }

    /// `Mar 5, 2026`.
    func date(_ date: CalendarDate) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? timeZone
        guard let instant = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else {
            return date.description
        }
        return instant.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, locale: locale, calendar: calendar,
                                                  timeZone: calendar.timeZone))
    }

    /// `Mar 5, 2026, 9:30 AM` in the server's time zone.
    func dateTime(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, locale: locale, timeZone: timeZone))
    }

    private func webLink(_ text: String) -> String {
        let lower = text.lowercased()
        // Only web addresses become links: a `javascript:` URL typed into a field must not run.
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return HTML.escape(text) }
        return "<a href=\"\(HTML.escape(text))\" rel=\"noopener noreferrer\">\(HTML.escape(text))</a>"
    }
}
