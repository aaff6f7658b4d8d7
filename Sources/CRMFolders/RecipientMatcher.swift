import CRM
import Foundation
import GatewayConfig
import IMAPCore
import MIMECore

/// How a drop matches the people of a mail to the CRM (Riva's must-match, exclusivity
/// and create switches, DESIGN "What happens to a dropped message").
public struct MatchingRules: Sendable {
    /// Match leads when no contact has the address.
    public var matchLeads: Bool
    /// Create a contact (and its account, from the domain) for an address nothing matched.
    public var createContacts: Bool
    /// Domains that never become accounts (webmail providers).
    public var genericDomains: Set<String>
    /// Addresses or domains (regular expressions, whole match, any case) never matched or created.
    public var blocked: [String]

    public init(matchLeads: Bool = true, createContacts: Bool = true,
                genericDomains: Set<String> = Set(GatewayConfiguration.Policy.defaultGenericDomains),
                blocked: [String] = []) {
        self.matchLeads = matchLeads; self.createContacts = createContacts
        self.genericDomains = genericDomains; self.blocked = blocked
    }
}

/// An address of a mail with its display name, lower-cased.
public struct MailAddress: Hashable, Sendable {
    public var name: String?
    public var email: String
    public var domain: String { String(email.split(separator: "@").last ?? "") }

    /// Every distinct address of From, Reply-To, To, Cc and Bcc, in that order.
    public static func all(in index: MessageIndex) -> [MailAddress] {
        let envelope = index.envelope
        var seen = Set<String>()
        var out: [MailAddress] = []
        for case let address? in (envelope.from + envelope.replyTo + envelope.to + envelope.cc + envelope.bcc).map(DroppedMail.address) {
            let email = address.address.lowercased()
            guard seen.insert(email).inserted else { continue }
            out.append(MailAddress(name: address.name, email: email))
        }
        return out
    }
}

/// What matching found for a mail.
public struct MatchResult: Sendable {
    /// CRM users among the addresses (matched first; they end a search, Riva's exclusivity).
    public var users: [CRMUser] = []
    /// Contacts and leads, found or created.
    public var people: [CRMRecord] = []
    /// Accounts of those people, found or created.
    public var accounts: [RecordRef] = []
    /// Addresses skipped by the blocked rules.
    public var blocked: [String] = []
    /// Addresses nothing matched and no contact was created for.
    public var unmatched: [String] = []

    /// True when every address of the mail is a CRM user: an internal mail.
    public var onlyUsers: Bool { !users.isEmpty && people.isEmpty && unmatched.isEmpty && blocked.isEmpty }
}

/// Matches every address of a mail: CRM users first, then contacts, then leads; for the
/// rest, per the rules, an account from the domain (found, or created unless the domain
/// is generic) and a new contact. Creation looks the address up again right before it
/// creates, so repeating a match after a crash creates nothing twice.
public struct RecipientMatcher: Sendable {
    public let connector: any CRMConnector
    public let rules: MatchingRules
    public let owner: CRMUserID
    /// Serialises creation per domain and per address among matchers that share it.
    let creations: KeyedLock
    /// CRM users the caller already has (the account's own, for a drop): their addresses
    /// match them without asking the CRM.
    let knownUsers: [CRMUser]

    public init(connector: any CRMConnector, rules: MatchingRules, owner: CRMUserID) {
        self.init(connector: connector, rules: rules, owner: owner, creations: KeyedLock())
    }

    init(connector: any CRMConnector, rules: MatchingRules, owner: CRMUserID, creations: KeyedLock, knownUsers: [CRMUser] = []) {
        self.connector = connector; self.rules = rules; self.owner = owner; self.creations = creations; self.knownUsers = knownUsers
    }

    public func match(_ addresses: [MailAddress]) async throws -> MatchResult {
        var result = MatchResult()
        for address in addresses {
            if isBlocked(address) { result.blocked.append(address.email); continue }
            if let person = try await find(address, result: &result) {
                result.people.append(person)
                if let account = person.fields["account"]?.reference, !result.accounts.contains(account) { result.accounts.append(account) }
                continue
            }
            if result.users.contains(where: { $0.email.lowercased() == address.email }) { continue }
            guard rules.createContacts else { result.unmatched.append(address.email); continue }
            let account = try await creations.withLock("domain:" + address.domain) { try await self.account(for: address.domain) }
            if let account, !result.accounts.contains(account.ref) { result.accounts.append(account.ref) }
            result.people.append(try await creations.withLock("address:" + address.email) { try await createContact(address, account: account) })
        }
        return result
    }

    /// A user (recorded in `result`), contact or lead with the address; nil when none.
    private func find(_ address: MailAddress, result: inout MatchResult) async throws -> CRMRecord? {
        if let user = knownUsers.first(where: { $0.email.lowercased() == address.email }) {
            if !result.users.contains(user) { result.users.append(user) }
            return nil
        }
        let matches = try await connector.findPeople(email: address.email)
        for case .user(let user) in matches {
            if !result.users.contains(user) { result.users.append(user) }
            return nil
        }
        for case .contact(let contact) in matches { return contact }
        if rules.matchLeads { for case .lead(let lead) in matches { return lead } }
        return nil
    }

    private func isBlocked(_ address: MailAddress) -> Bool {
        rules.blocked.contains { pattern in
            PatternCache.wholeMatch(pattern, address.email) || PatternCache.wholeMatch(pattern, address.domain)
        }
    }

    /// The account of a domain: an existing one, or a new one named after the domain.
    private func account(for domain: String) async throws -> CRMRecord? {
        guard !domain.isEmpty, !rules.genericDomains.contains(domain) else { return nil }
        if let existing = try await connector.findAccounts(domain: domain).first { return existing }
        return try await connector.createRecord(in: .accounts, RecordDraft(owner: owner, fields: [
            "name": .text(Self.companyName(domain)), "domains": .list([domain]), "website": .text("https://\(domain)"),
        ]))
    }

    private func createContact(_ address: MailAddress, account: CRMRecord?) async throws -> CRMRecord {
        // Re-check: a contact made by an earlier, interrupted run of the same drop.
        for case .contact(let contact) in try await connector.findPeople(email: address.email) { return contact }
        var (first, last) = Self.split(address.name, email: address.email)
        // A CRM that requires a first name (BottleCRM) gets the one word known twice
        // rather than a refusal: "Smith <smith@…>" becomes Smith Smith, for a person to fix.
        if first == nil, try await connector.modules().first(where: { $0.key == .contacts })?.field("firstName")?.required == true {
            first = last
        }
        var fields: [String: FieldValue?] = ["lastName": .text(last), "emails": .list([address.email])]
        if let first { fields["firstName"] = .text(first) }
        if let account { fields["account"] = .reference(account.ref) }
        return try await connector.createRecord(in: .contacts, RecordDraft(owner: owner, fields: fields))
    }

    /// "acme-corp.example.com" → "Acme Corp": the registrable part, words capitalised.
    static func companyName(_ domain: String) -> String {
        let labels = domain.split(separator: ".")
        let suffixLength = labels.count >= 3 && twoLevelSuffixes.contains(labels.suffix(2).joined(separator: ".")) ? 3 : 2
        let main = labels.count >= suffixLength ? labels[labels.count - suffixLength] : labels.first ?? Substring(domain)
        return main.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// Public suffixes of two labels where the company name is the third label from the end.
    static let twoLevelSuffixes: Set<String> = ["co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz",
                                                "co.jp", "ne.jp", "or.jp", "com.br", "com.cn", "com.mx", "co.za", "com.tr",
                                                "co.in", "co.kr", "com.sg", "com.hk", "co.at", "or.at"]

    /// First and last name from a display name ("Doe, Jane" or "Jane Doe"), else from the address.
    static func split(_ name: String?, email: String) -> (first: String?, last: String) {
        if let name = name?.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'"))), !name.isEmpty {
            if let comma = name.firstIndex(of: ",") {
                let last = name[..<comma].trimmingCharacters(in: .whitespaces)
                let first = name[name.index(after: comma)...].trimmingCharacters(in: .whitespaces)
                return (first.isEmpty ? nil : first, last)
            }
            let parts = name.split(separator: " ")
            if parts.count == 1 { return (nil, String(parts[0])) }
            return (parts.dropLast().joined(separator: " "), String(parts[parts.count - 1]))
        }
        let local = email.split(separator: "@").first.map(String.init) ?? email
        let parts = local.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        if parts.count >= 2 { return (parts.dropLast().joined(separator: " "), parts[parts.count - 1]) }
        return (nil, parts.first ?? local)
    }
}
