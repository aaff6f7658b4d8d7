import CRM
import Foundation

/// How one crmgate field is kept in BottleCRM's JSON, both ways.
enum FieldMapping: Sendable {
    /// A string field (`""` and null read as no value).
    case text(String)
    /// A decimal kept as a string or number (`amount`).
    case decimal(String)
    /// A whole number (`probability`).
    case integer(String)
    /// A `YYYY-MM-DD` date.
    case date(String)
    /// BottleCRM's code for a choice (`CLOSED_WON`), shown by its label (`Closed Won`).
    case choice(String, [(label: String, code: String)])
    /// A link to one record: an id, or an object with an `id`.
    case reference(String, ModuleKey)
    /// The first of a list of linked records (`contacts`), written as a one-element list.
    case firstOf(String, ModuleKey)
    /// Email addresses: the first in BottleCRM's own field, the others in a custom field.
    case emails(String, extra: String)
    /// A list of words kept in a custom field, separated by spaces (`crmgate_domains`).
    case customList(String)
    /// A task's link to an account, opportunity, case or lead: one of four fields.
    case related

    static let relatedFields: [(field: String, module: ModuleKey)] = [
        ("account", .accounts), ("opportunity", .opportunities), ("case", .cases), ("lead", .leads),
    ]

    /// The BottleCRM field the value is kept in (for naming it in errors).
    var apiKey: String? {
        switch self {
        case .text(let key), .decimal(let key), .integer(let key), .date(let key), .choice(let key, _),
             .reference(let key, _), .firstOf(let key, _), .emails(let key, _):
            key
        case .customList(let key): key
        case .related: nil
        }
    }

    /// The custom fields a mapping needs defined in BottleCRM.
    var customFieldKey: String? {
        switch self {
        case .emails(_, let extra): extra
        case .customList(let key): key
        default: nil
        }
    }

    /// The field's value in a record's JSON; nil when it has none.
    func read(_ json: JSONValue) -> FieldValue? {
        switch self {
        case .text(let key):
            return json[key].nonEmptyString.map(FieldValue.text)
        case .decimal(let key), .integer(let key):
            return json[key].decimal.map(FieldValue.number)
        case .date(let key):
            return json[key].nonEmptyString.flatMap { CalendarDate(String($0.prefix(10))) }.map(FieldValue.date)
        case .choice(let key, let choices):
            guard let code = json[key].nonEmptyString else { return nil }
            return .text(choices.first { $0.code.caseInsensitiveCompare(code) == .orderedSame }?.label ?? code)
        case .reference(let key, let module):
            return json[key].id.map { .reference(RecordRef(module, RecordID($0))) }
        case .firstOf(let key, let module):
            return json[key].array?.first?.id.map { .reference(RecordRef(module, RecordID($0))) }
        case .emails(let key, let extra):
            let first = json[key].nonEmptyString.map { [$0] } ?? []
            let others = Self.words(json["custom_fields"][extra].string)
            let all = first + others
            return all.isEmpty ? nil : .list(all)
        case .customList(let key):
            let words = Self.words(json["custom_fields"][key].string)
            return words.isEmpty ? nil : .list(words)
        case .related:
            for (field, module) in Self.relatedFields {
                if let id = json[field].id { return .reference(RecordRef(module, RecordID(id))) }
            }
            return nil
        }
    }

    /// Writes `value` (nil clears) into a request body; `custom` collects custom fields.
    /// Throws a permanent error naming `field` when the value does not fit.
    func write(_ value: FieldValue?, field: String, into body: inout [String: JSONValue],
               custom: inout [String: JSONValue]) throws(CRMError) {
        func wrong(_ expected: String) -> CRMError {
            CRMError(.permanent, "\(field) must be \(expected)", field: field)
        }
        switch self {
        case .text(let key):
            guard let value else { body[key] = .null; return }
            guard case .text(let text) = value else { throw wrong("text") }
            body[key] = .string(text)
        case .decimal(let key), .integer(let key):
            guard let value else { body[key] = .null; return }
            guard case .number(let number) = value else { throw wrong("a number") }
            if case .integer = self {
                var whole = Decimal()
                var copy = number
                NSDecimalRound(&whole, &copy, 0, .plain)
                guard whole == number else { throw wrong("a whole number") }
            }
            body[key] = .string("\(number)")
        case .date(let key):
            guard let value else { body[key] = .null; return }
            guard case .date(let date) = value else { throw wrong("a date (YYYY-MM-DD)") }
            body[key] = .string(date.description)
        case .choice(let key, let choices):
            guard let value else { body[key] = .null; return }
            guard case .text(let label) = value,
                  let choice = choices.first(where: { $0.label.caseInsensitiveCompare(label) == .orderedSame }) else {
                throw wrong("one of \(choices.map(\.label).joined(separator: ", "))")
            }
            body[key] = .string(choice.code)
        case .reference(let key, let module):
            guard let value else { body[key] = .null; return }
            guard case .reference(let ref) = value, ref.module == module else { throw wrong("a link to a record of \(module)") }
            body[key] = .string(ref.id.rawValue)
        case .firstOf(let key, let module):
            guard let value else { body[key] = .array([]); return }
            guard case .reference(let ref) = value, ref.module == module else { throw wrong("a link to a record of \(module)") }
            body[key] = .array([.string(ref.id.rawValue)])
        case .emails(let key, let extra):
            guard let value else { body[key] = .null; custom[extra] = .string(""); return }
            guard case .list(let addresses) = value else { throw wrong("a list of email addresses") }
            guard addresses.allSatisfy({ !$0.contains(" ") && $0.contains("@") }) else { throw wrong("email addresses") }
            body[key] = addresses.first.map(JSONValue.string) ?? .null
            custom[extra] = .string(addresses.dropFirst().joined(separator: " "))
        case .customList(let key):
            guard let value else { custom[key] = .string(""); return }
            guard case .list(let words) = value, words.allSatisfy({ !$0.contains(" ") && !$0.isEmpty }) else {
                throw wrong("a list of words without spaces")
            }
            custom[key] = .string(words.joined(separator: " "))
        case .related:
            for (field, _) in Self.relatedFields { body[field] = .null }
            guard let value else { return }
            guard case .reference(let ref) = value,
                  let target = Self.relatedFields.first(where: { $0.module == ref.module }) else {
                throw wrong("a link to an account, opportunity, case or lead")
            }
            body[target.field] = .string(ref.id.rawValue)
        }
    }

    private static func words(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
    }
}
