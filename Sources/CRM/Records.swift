import Foundation

/// A CRM user: owns records; a gateway account maps to one by email address.
public struct CRMUser: Hashable, Sendable {
    public var id: CRMUserID
    public var name: String
    public var email: String
    public var active: Bool

    public init(id: CRMUserID, name: String, email: String, active: Bool = true) {
        self.id = id; self.name = name; self.email = email; self.active = active
    }
}

/// A record of any module (accounts, contacts, leads, opportunities, cases, quotes,
/// projects, tasks, events, custom modules): common metadata plus typed fields keyed
/// by the module's field definitions.
public struct CRMRecord: Hashable, Sendable {
    public var ref: RecordRef
    /// The auto number, e.g. `OPP-0042`, for modules that number their records.
    public var number: String?
    public var owner: CRMUserID?
    public var fields: [String: FieldValue]
    public var createdAt: Date
    public var modifiedAt: Date

    public init(ref: RecordRef, number: String? = nil, owner: CRMUserID?, fields: [String: FieldValue],
                createdAt: Date, modifiedAt: Date) {
        self.ref = ref; self.number = number; self.owner = owner; self.fields = fields
        self.createdAt = createdAt; self.modifiedAt = modifiedAt
    }

    /// The display name: the module's name field, or first and last name for people.
    public func name(in module: ModuleDefinition) -> String {
        if let value = fields[module.nameField]?.text, !value.isEmpty { return value }
        let person = [fields["firstName"]?.text, fields["lastName"]?.text].compactMap { $0 }.filter { !$0.isEmpty }
        return person.isEmpty ? (number ?? ref.id.rawValue) : person.joined(separator: " ")
    }

    /// Email addresses of a contact or lead, lower-cased.
    public var emailAddresses: [String] {
        (fields["emails"]?.list ?? []).map { $0.lowercased() }
    }
}

/// A new record or the fields to change in one: field key → value, nil to clear.
public struct RecordDraft: Sendable {
    public var owner: CRMUserID?
    public var fields: [String: FieldValue?]
    /// For a create: a key that makes it happen once. Creating again with the same key
    /// returns the record the first call made (a drop re-run after a crash).
    public var idempotencyKey: String?

    public init(owner: CRMUserID? = nil, fields: [String: FieldValue?], idempotencyKey: String? = nil) {
        self.owner = owner; self.fields = fields; self.idempotencyKey = idempotencyKey
    }
}

/// What a person search by email address found: a CRM user, or a contact or lead record.
public enum PersonMatch: Hashable, Sendable {
    case user(CRMUser)
    case contact(CRMRecord)
    case lead(CRMRecord)
}
