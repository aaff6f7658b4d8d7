import CRM
import GRDB

/// Checks a draft against its module's definition and the database, and merges it into
/// the record's current fields. Every failure is a permanent `CRMError` naming the field,
/// worded so that the person who typed the value knows what to change.
struct RecordValidator {
    let module: ModuleDefinition
    let catalog: ModuleCatalog

    /// The fields the record has after applying `draft` to `current` (empty for a new record).
    func merge(_ draft: RecordDraft, into current: [String: FieldValue], _ db: Database) throws -> [String: FieldValue] {
        var fields = current
        for key in draft.fields.keys.sorted() {
            guard let definition = module.field(key) else {
                let known = module.fields.map(\.key).joined(separator: ", ")
                throw CRMError(.permanent, "\(article(module.singular)) has no field \"\(key)\"; its fields are \(known)", field: key)
            }
            if let value = draft.fields[key] ?? nil {
                fields[key] = try check(value, against: definition, db)
                try checkCalendarValue(value, of: definition)
            } else {
                fields[key] = nil
            }
        }
        for definition in module.fields where definition.required && isBlank(fields[definition.key]) {
            throw CRMError(.permanent, "\(definition.label) is required for every \(module.singular.lowercased()); give it a value", field: definition.key)
        }
        return fields
    }

    /// What a calendar needs of the fields that go to one: attendees are email addresses, a
    /// recurrence is an RRULE (RFC 5545 §3.3.10) as calendars write it.
    private func checkCalendarValue(_ value: FieldValue, of field: FieldDefinition) throws {
        guard module.key == .events || module.key == .tasks else { return }
        switch (field.key, value) {
        case ("attendees", .list(let addresses)):
            if let bad = addresses.first(where: { !Self.looksLikeEmail($0) }) {
                throw CRMError(.permanent, "\(field.label): \"\(bad)\" is not an email address like name@example.com", field: field.key)
            }
        case ("recurrence", .text(let rule)):
            if let problem = Self.rruleProblem(rule) {
                throw CRMError(.permanent, "\(field.label): \(problem), e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10", field: field.key)
            }
        default:
            break
        }
    }

    /// Why `rule` is not an RRULE, or nil: `KEY=VALUE` parts, FREQ once and known, no
    /// COUNT together with UNTIL.
    static func rruleProblem(_ rule: String) -> String? {
        var keys: [String: String] = [:]
        for part in rule.split(separator: ";", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, !pair[1].isEmpty else { return "\"\(part)\" is not a KEY=VALUE part of a rule" }
            let key = pair[0].uppercased()
            guard keys[key] == nil else { return "\(key) is given twice" }
            keys[key] = String(pair[1])
        }
        let frequencies = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
        guard let frequency = keys["FREQ"] else { return "a rule needs FREQ" }
        guard frequencies.contains(frequency.uppercased()) else { return "FREQ must be one of \(frequencies.joined(separator: ", "))" }
        if keys["COUNT"] != nil && keys["UNTIL"] != nil { return "a rule has COUNT or UNTIL, not both" }
        if let count = keys["COUNT"], Int(count).map({ $0 < 1 }) ?? true { return "COUNT must be a number of 1 or more" }
        if let interval = keys["INTERVAL"], Int(interval).map({ $0 < 1 }) ?? true { return "INTERVAL must be a number of 1 or more" }
        return nil
    }

    /// Checks that `owner` is a user of this CRM.
    static func checkOwner(_ owner: CRMUserID, _ db: Database) throws -> Int64 {
        guard let rowID = owner.rowID, try UserRow.find(db, id: rowID) != nil else {
            throw CRMError(.permanent, "the owner \"\(owner)\" is not a user of this CRM; choose one of its users", field: "owner")
        }
        return rowID
    }

    private func check(_ value: FieldValue, against field: FieldDefinition, _ db: Database) throws -> FieldValue {
        let wrongType = CRMError(.permanent, "\(field.label) must be \(expected(field.type)), not \(describe(value))", field: field.key)
        switch (field.type, value) {
        case (.text, .text), (.longText, .text), (.url, .text), (.phone, .text),
             (.textList, .list), (.number, .number), (.money, .number), (.bool, .bool),
             (.date, .date), (.dateTime, .dateTime):
            return value
        case (.email, .text(let address)):
            guard Self.looksLikeEmail(address) else {
                throw CRMError(.permanent, "\(field.label) must be an email address like name@example.com, not \"\(address)\"", field: field.key)
            }
            return value
        case (.percent, .number(let number)):
            guard number >= 0, number <= 100 else {
                throw CRMError(.permanent, "\(field.label) is a percentage and must lie between 0 and 100, not \(number)", field: field.key)
            }
            return value
        case (.choice(let choices), .text(let text)):
            guard let canonical = choices.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                throw CRMError(.permanent, "\(field.label) must be one of \(choices.joined(separator: ", ")); \"\(text)\" is not one of them", field: field.key)
            }
            return .text(canonical)
        case (.reference(let target), .reference(let ref)):
            try checkReference(ref, target: target, field: field, db)
            return value
        default:
            throw wrongType
        }
    }

    private func checkReference(_ ref: RecordRef, target: ModuleKey?, field: FieldDefinition, _ db: Database) throws {
        if let target, ref.module != target {
            throw CRMError(.permanent, "\(field.label) must refer to \(article(singular(target))), not to \(article(singular(ref.module))) (\(ref))", field: field.key)
        }
        guard catalog.definition(ref.module) != nil else {
            throw CRMError(.permanent, "\(field.label) refers to \(ref), but the CRM has no module \"\(ref.module)\"", field: field.key)
        }
        guard try RecordRow.live(ref.id, in: ref.module, db) != nil else {
            throw CRMError.missingReference(ref, field: field, singular: singular(ref.module))
        }
    }

    private func isBlank(_ value: FieldValue?) -> Bool {
        switch value {
        case nil: true
        case .text(let text)?: text.allSatisfy(\.isWhitespace)
        case .list(let list)?: list.isEmpty
        default: false
        }
    }

    private func singular(_ key: ModuleKey) -> String {
        catalog.definition(key)?.singular ?? key.rawValue
    }

    private func expected(_ type: FieldType) -> String {
        switch type {
        case .text, .longText: "text"
        case .textList: "a list of text values"
        case .email: "an email address"
        case .url: "a web address"
        case .phone: "a phone number"
        case .number: "a number"
        case .money: "an amount (a number)"
        case .percent: "a percentage (a number from 0 to 100)"
        case .bool: "yes or no"
        case .date: "a date (YYYY-MM-DD)"
        case .dateTime: "a date and time"
        case .choice(let choices): "one of \(choices.joined(separator: ", "))"
        case .reference(let target?): "a reference to \(article(singular(target)))"
        case .reference(nil): "a reference to a record"
        }
    }

    private func describe(_ value: FieldValue) -> String {
        switch value {
        case .text(let text): "the text \"\(text)\""
        case .list(let list): "a list of \(list.count) values"
        case .number(let number): "the number \(number)"
        case .bool(let bool): bool ? "yes" : "no"
        case .date(let date): "the date \(date)"
        case .dateTime(let date): "the date and time \(date.formatted(.iso8601))"
        case .reference(let ref): "a reference to \(ref)"
        }
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !text.contains(where: \.isWhitespace)
    }
}

/// "an Account", "a Case": the singular with its indefinite article.
func article(_ singular: String) -> String {
    let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
    return (singular.first.map { vowels.contains(Character($0.lowercased())) } ?? false ? "an " : "a ") + singular
}

extension CRMError {
    /// The refusal of a reference to a record that does not exist. The web UI gives the same
    /// answer for a record outside the user's scope, so that a guessed id learns nothing.
    public static func missingReference(_ ref: RecordRef, field: FieldDefinition, singular: String) -> CRMError {
        CRMError(.permanent, "\(field.label) refers to \(singular.lowercased()) \(ref.id), which does not exist (it may have been deleted); choose an existing one", field: field.key)
    }
}
