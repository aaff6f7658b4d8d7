import CRM
import Foundation

/// Converts between field values and the text of form inputs: the stored value shown in
/// an edit form, and the submitted text read back into a `RecordDraft`. Input that cannot
/// be a value of the field's type (`12x` for an amount) is an error naming the field; the
/// CRM itself then checks the draft (required fields, choices, references).
struct RecordFormReader: Sendable {
    let module: ModuleDefinition
    let timeZone: TimeZone

    /// What the user typed (or the stored values), and the messages to show next to fields.
    struct Result: Sendable {
        var values: [String: String]
        var errors: [String: String]
        /// Nil when any input could not be read.
        var draft: RecordDraft?
    }

    // MARK: Values → input text

    /// The inputs' text for a stored record (owner under the key `owner`).
    func values(of record: CRMRecord) -> [String: String] {
        var values: [String: String] = [:]
        for field in module.fields {
            if let value = record.fields[field.key] { values[field.key] = text(value, type: field.type) }
        }
        values["owner"] = record.owner?.rawValue
        return values
    }

    func text(_ value: FieldValue, type: FieldType) -> String {
        switch value {
        case .text(let text): return text
        case .list(let items): return items.joined(separator: "\n")
        case .number(let number): return "\(number)"
        case .bool(let flag): return flag ? "yes" : ""
        case .date(let date): return date.description
        case .dateTime(let date): return localDateTime(date)
        case .reference(let ref):
            // A field that may refer to any module needs the module too.
            if case .reference(nil) = type { return ref.description }
            return ref.id.rawValue
        }
    }

    // MARK: Submitted form → draft

    /// Reads a submitted form; `current` is the record being edited (nil when creating).
    /// For an edit only fields the form carried with a changed text change, so that a
    /// value the form shows less precisely (seconds of a time) survives a save. An
    /// unchecked checkbox is never sent, so yes/no fields always count.
    func read(_ form: FormValues, current: CRMRecord?) -> Result {
        var result = Result(values: [:], errors: [:], draft: nil)
        var fields: [String: FieldValue?] = [:]
        for field in module.fields {
            let name = FieldInput.name(field.key)
            if case .bool = field.type {
                result.values[field.key] = form.contains(name) ? "yes" : ""
                fields[field.key] = .bool(form.contains(name))
                continue
            }
            guard current == nil || form.contains(name) else { continue }
            // Browsers send CR LF line ends from text areas; the CRM keeps LF.
            let raw = (form[name] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            result.values[field.key] = raw
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if let stored = current?.fields[field.key], trimmed == text(stored, type: field.type) { continue }
            do {
                fields[field.key] = try value(trimmed, field: field)
            } catch {
                result.errors[field.key] = error.message
            }
        }
        let owner = form.trimmed("owner")
        result.values["owner"] = owner
        if result.errors.isEmpty {
            result.draft = RecordDraft(owner: owner.map(CRMUserID.init), fields: fields)
        }
        return result
    }

    private func value(_ text: String, field: FieldDefinition) throws(CRMError) -> FieldValue? {
        guard !text.isEmpty else { return nil }
        let invalid = { (example: String) in
            CRMError(.permanent, "\(field.label) must be \(example), not \u{201C}\(text)\u{201D}", field: field.key)
        }
        switch field.type {
        case .text, .longText, .email, .url, .phone, .choice:
            return .text(text)
        case .textList:
            let items = text.split(whereSeparator: { $0 == "," || $0.isNewline })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return items.isEmpty ? nil : .list(items)
        case .number, .money, .percent:
            guard let number = Self.decimal(text) else { throw invalid("a number like 1200 or 1200.50") }
            return .number(number)
        case .bool:
            return .bool(true)
        case .date:
            guard let date = CalendarDate(text) else { throw invalid("a date like 2026-03-05") }
            return .date(date)
        case .dateTime:
            guard let date = parseLocalDateTime(text) else { throw invalid("a date and time like 2026-03-05T14:30") }
            return .dateTime(date)
        case .reference(let target):
            var parts = text.split(separator: "/").map(String.init)
            if parts.last == "edit" { parts.removeLast() }
            if let target, let id = parts.last {
                return .reference(RecordRef(target, RecordID(id)))
            }
            guard parts.count >= 2 else { throw invalid("a record as module/id, e.g. opportunities/12") }
            return .reference(RecordRef(ModuleKey(parts[parts.count - 2]), RecordID(parts[parts.count - 1])))
        }
    }

    /// Digits with an optional sign and decimal point; thousands separators (`,`, spaces) are dropped.
    static func decimal(_ text: String) -> Decimal? {
        let cleaned = text.filter { $0 != "," && !$0.isWhitespace }
        let negative = cleaned.hasPrefix("-")
        let body = negative || cleaned.hasPrefix("+") ? cleaned.dropFirst() : Substring(cleaned)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts.contains(where: { !$0.isEmpty }) else { return nil }
        return Decimal(string: (negative ? "-" : "") + body, locale: Locale(identifier: "en_US_POSIX"))
    }

    // MARK: datetime-local, in the server's time zone

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    func localDateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// `YYYY-MM-DDTHH:MM`, optionally with `:SS`, as a browser's datetime-local input sends it.
    func parseLocalDateTime(_ text: String) -> Date? {
        let halves = text.split(separator: "T", maxSplits: 1)
        guard halves.count == 2, let day = CalendarDate(String(halves[0])) else { return nil }
        let time = halves[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(time.count), let hour = time[0], let minute = time[1],
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        let second = time.count == 3 ? time[2] : 0
        guard let second, (0...59).contains(second) else { return nil }
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second))
    }
}
