import CRM
import DAV
import DAVCore
import Foundation

/// Contacts and leads as vCards in an address book: one card per record, its organization
/// the contact's account (matched by name, else by an email address's domain) or the lead's
/// company.
final class ContactsKind: BridgeKind {
    let scope: BridgeScope
    let connector: any CRMConnector
    let client: CardDAVClient
    let book: URL
    private var accountNames: [RecordRef: String] = [:]
    private var accountsByName: [String: RecordRef]?

    init(scope: BridgeScope, connector: any CRMConnector, client: CardDAVClient, book: URL) {
        self.scope = scope
        self.connector = connector
        self.client = client
        self.book = book
    }

    var noun: String { "card" }
    var collection: URL { book }

    // MARK: Cards

    func entries(of card: VCard, href: String, etag: String, linked: Set<String>) -> [BridgeEntry<ContactFields>] {
        let fields = ContactFields(card: card)
        let category = card.categories.contains { $0.caseInsensitiveCompare(scope.category) == .orderedSame }
        return [BridgeEntry(href: href, uid: card.uid, crmID: card.crmID, fields: fields, hash: fields.hash,
                            createsRecord: category && scope.createsFromDAV, modifiedAt: card.text("REV").flatMap(Self.revision),
                            key: "carddav:\(scope.scope.user):\(href)")]
    }

    func hash(_ fields: ContactFields) -> String { fields.hash }

    func newDocument(uid: String, crmID: String, fields: ContactFields) -> VCard {
        ContactFields.newCard(uid: uid, crmID: crmID, fields: fields, category: scope.category)
    }

    func patch(_ card: inout VCard, item href: String, with fields: ContactFields, over old: ContactFields, crmID: String) {
        fields.patch(into: &card, over: old, crmID: crmID, category: scope.category)
    }

    /// REV: when crmgate last wrote the card.
    func stamp(_ card: inout VCard) {
        card.setText("REV", ICalDateTime.utc(Date()).text)
    }

    /// REV as vCard 3.0 and 4.0 write it: `20261206T101500Z`, or ISO 8601 with dashes.
    static func revision(_ text: String) -> Date? {
        let compact = text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        if let day = ICalLocalTime(compact, dateOnly: true) { return day.date(in: ICalTimeZones.utc) }
        // Fractional seconds (`…T101500.250Z`) are kept apart from what ICalLocalTime reads.
        let parts = compact.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? Double("0." + parts[1].dropLast()) : 0
        let whole = parts.count == 2 ? String(parts[0]) + "Z" : compact
        guard whole.hasSuffix("Z"), let fraction, let time = ICalLocalTime(whole, dateOnly: false) else { return nil }
        return time.date(in: ICalTimeZones.utc).addingTimeInterval(fraction)
    }

    // MARK: Records

    func admits(_ record: CRMRecord, linked: Bool) -> Bool {
        scope.module.closedRule?.isClosed(record) != true
    }

    /// A record's fields as a card shows them; a contact's organization is its account's name.
    func fields(of record: CRMRecord) async throws -> ContactFields {
        var organization = record.fields["company"]?.text ?? ""
        if case .reference(let account)? = record.fields["account"] {
            if let name = accountNames[account] {
                organization = name
            } else {
                let name = try await connector.record(account).map { $0.name(in: ModuleDefinition.accounts) } ?? ""
                accountNames[account] = name
                organization = name
            }
        }
        return ContactFields(record: record, organization: organization)
    }

    func recordFields(_ fields: ContactFields, before: ContactFields?, record: CRMRecord?) async throws -> [String: FieldValue?] {
        var draft = fields.recordFields
        if let before { draft = draft.filter { key, value in (before.recordFields[key] ?? nil) != value } }
        if before == nil || fields.organization != before?.organization {
            try await setOrganization(fields, on: &draft, updating: record != nil)
        }
        return draft
    }

    /// A card's organization into a draft: a lead's company, or a contact's account matched
    /// by name, else by an email address's domain; no match leaves the account as it was.
    private func setOrganization(_ fields: ContactFields, on draft: inout [String: FieldValue?], updating: Bool) async throws {
        guard scope.module.field("account") != nil else {
            if scope.module.field("company") != nil {
                draft["company"] = fields.organization.isEmpty ? .some(nil) : .text(fields.organization)
            }
            return
        }
        if fields.organization.isEmpty {
            if updating { draft["account"] = .some(nil) }
            return
        }
        if accountsByName == nil {
            let accounts = try await connector.activeRecords(in: .accounts, visibleTo: scope.user.id)
            accountsByName = Dictionary(accounts.map { ($0.name(in: ModuleDefinition.accounts).lowercased(), $0.ref) }, uniquingKeysWith: { a, _ in a })
        }
        if let ref = accountsByName?[fields.organization.lowercased()] {
            draft["account"] = .reference(ref)
            return
        }
        for email in fields.emails {
            guard let domain = email.split(separator: "@").last.map(String.init),
                  let account = try await connector.findAccounts(domain: domain).first else { continue }
            draft["account"] = .reference(account.ref)
            return
        }
    }
}
