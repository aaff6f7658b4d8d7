import CRM
import Foundation

/// Valid records of any module, built from the connector's own module definitions, with
/// every field filled (referenced records are created first) and not matching the closed rule.
struct SampleRecords {
    let fixture: ContractFixture

    /// A draft of `module` named `name`, owned by `owner`; `emails` and `domains` go to the
    /// people and account fields of those names.
    func draft(_ module: ModuleDefinition, name: String, owner: CRMUserID,
               emails: [String]? = nil, domains: [String]? = nil) async throws -> RecordDraft {
        var fields: [String: FieldValue?] = [:]
        for (index, field) in module.fields.enumerated() {
            fields[field.key] = try await value(for: field, index: index, in: module, name: name, owner: owner)
        }
        if let emails, module.field("emails") != nil { fields["emails"] = .list(emails) }
        if let domains, module.field("domains") != nil { fields["domains"] = .list(domains) }
        return RecordDraft(owner: owner, fields: fields)
    }

    /// Creates a sample record and returns it.
    func create(_ key: ModuleKey, name: String, owner: CRMUserID? = nil,
                emails: [String]? = nil, domains: [String]? = nil) async throws -> CRMRecord {
        let module = try await fixture.module(key)
        let draft = try await draft(module, name: name, owner: owner ?? fixture.alice.id, emails: emails, domains: domains)
        return try await fixture.connector.createRecord(in: key, draft)
    }

    /// A choice value of `field` that does (or does not) close a record of `module`.
    static func choice(of field: FieldDefinition, in module: ModuleDefinition, closing: Bool) -> String? {
        guard case .choice(let choices) = field.type else { return nil }
        return choices.first { choice in
            guard let rule = module.closedRule, rule.field == field.key else { return !closing }
            let probe = CRMRecord(ref: RecordRef(module.key, RecordID("probe")), owner: nil,
                                  fields: [field.key: .text(choice)], createdAt: Date(), modifiedAt: Date())
            return rule.isClosed(probe) == closing
        }
    }

    private func value(for field: FieldDefinition, index: Int, in module: ModuleDefinition,
                       name: String, owner: CRMUserID) async throws -> FieldValue? {
        let tag = fixture.tag
        let base = Date(timeIntervalSince1970: 1_900_000_000)
        switch field.type {
        case .text, .longText:
            if field.key == module.nameField || field.key == "lastName" { return .text(name) }
            if field.key == "recurrence" { return .text("FREQ=WEEKLY;COUNT=3") }
            return .text("\(field.label) of \(name)")
        case .textList:
            if field.key == "emails" { return .list(["\(slug(name))@\(tag).contract.example"]) }
            if field.key == "domains" { return .list(["\(slug(name)).\(tag).contract.example"]) }
            if field.key == "attendees" { return .list(["guest-\(slug(name))@\(tag).contract.example"]) }
            return .list(["first \(tag)", "second \(tag)"])
        case .email: return .text("\(slug(name))@\(tag).contract.example")
        case .url: return .text("https://\(tag).contract.example/\(slug(name))")
        case .phone: return .text("+1 555 0100")
        case .number, .money: return .number(Decimal(string: "12345.5") ?? 12345)
        case .percent: return .number(40)
        case .bool: return .bool(true)
        case .date: return CalendarDate(year: 2030, month: 6, day: 15).map(FieldValue.date)
        case .dateTime: return .dateTime(base.addingTimeInterval(Double(index) * 3600))
        case .choice: return Self.choice(of: field, in: module, closing: false).map(FieldValue.text)
        case .reference(let target):
            let targetKey = target ?? .accounts
            guard targetKey != module.key else { return nil }
            let referenced = try await create(targetKey, name: "\(name) \(targetKey)", owner: owner)
            return .reference(referenced.ref)
        }
    }

    private func slug(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
