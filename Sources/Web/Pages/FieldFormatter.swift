import CRM
import Foundation

/// How field values read on pages: money with its currency, dates and times as summary
/// emails show them (`DisplayFormat`: `5 Mar, 14:30` in the reader's zone, with the year
/// when it is not this one), references as links to the referenced record's page. Every
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

    /// `5 Mar`, or `5 Mar 2025` outside the current year.
    func date(_ date: CalendarDate) -> String {
        DisplayFormat(timeZone: timeZone).date(date)
    }

    /// `5 Mar, 09:30` in the reader's time zone (`5 Mar 2025, 09:30` outside the current year).
    func dateTime(_ date: Date) -> String {
        DisplayFormat(timeZone: timeZone).dateTime(date)
    }

    private func webLink(_ text: String) -> String {
        let lower = text.lowercased()
        // Only web addresses become links: a `javascript:` URL typed into a field must not run.
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return HTML.escape(text) }
        return "<a href=\"\(HTML.escape(text))\" rel=\"noopener noreferrer\">\(HTML.escape(text))</a>"
    }
}
