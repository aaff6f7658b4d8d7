import CRM
import EmbeddedCRM
import Foundation
import MIMECore
import Testing
@testable import CRMFolders

@Suite("Drops: recipient matching")
struct RecipientMatcherTests {
    struct World {
        let crm: EmbeddedCRM
        let alice: CRMUser
        let acme: CRMRecord
        let contact: CRMRecord
        let lead: CRMRecord
    }

    func world() async throws -> World {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "http://crm.test")!)
        let alice = try await crm.createUser(name: "Alice Martin", email: "alice@example.com")
        _ = try await crm.createUser(name: "Bob Chen", email: "bob@example.com")
        let acme = try await crm.createRecord(in: .accounts, RecordDraft(fields: ["name": .text("Acme Corp"), "domains": .list(["acme.example"])]))
        let contact = try await crm.createRecord(in: .contacts, RecordDraft(fields: [
            "firstName": .text("Jane"), "lastName": .text("Doe"), "emails": .list(["jane@acme.example"]), "account": .reference(acme.ref)]))
        let lead = try await crm.createRecord(in: .leads, RecordDraft(fields: [
            "lastName": .text("Lee"), "emails": .list(["lee@prospect.example"])]))
        return World(crm: crm, alice: alice, acme: acme, contact: contact, lead: lead)
    }

    func addresses(_ raw: String) -> [MailAddress] {
        MailAddress.all(in: MessageIndex.parse(Array(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8)))
    }

    static let mail = """
        From: Alice Martin <Alice@Example.com>
        To: Jane Doe <jane@acme.example>, Lee <lee@prospect.example>
        Cc: "Smith, John" <john.smith@acme.example>, =?utf-8?Q?J=C3=BCrgen_Weber?= <jw@newco.example>
        Bcc: pat.jones@gmail.com, noreply@spam.example
        Subject: Proposal

        Hi

        """

    @Test func aKnownUserMatchesAsTheCRMWouldMatchIt() async throws {
        let w = try await world()
        let mail = addresses("From: Jane <jane@acme.example>\nTo: ALICE@example.com, bob@example.com\nSubject: x\n\nHi\n")
        let asked = try await RecipientMatcher(connector: w.crm, rules: MatchingRules(), owner: w.alice.id).match(mail)
        let known = try await RecipientMatcher(connector: w.crm, rules: MatchingRules(), owner: w.alice.id, creations: KeyedLock(),
                                               knownUsers: [w.alice]).match(mail)
        #expect(known.users == asked.users && known.users.map(\.email) == ["alice@example.com", "bob@example.com"])
        #expect(known.people == asked.people && known.accounts == asked.accounts && known.onlyUsers == asked.onlyUsers)
    }

    @Test func matrixOfUsersContactsLeadsUnknownGenericAndBlocked() async throws {
        let w = try await world()
        let matcher = RecipientMatcher(connector: w.crm, rules: MatchingRules(blocked: [".*@spam\\.example"]), owner: w.alice.id)
        let result = try await matcher.match(addresses(Self.mail))
        #expect(result.users.map(\.email) == ["alice@example.com"])
        #expect(result.blocked == ["noreply@spam.example"] && result.unmatched.isEmpty)
        let emails = result.people.map { $0.emailAddresses.first ?? "" }
        #expect(emails == ["jane@acme.example", "lee@prospect.example", "john.smith@acme.example", "jw@newco.example", "pat.jones@gmail.com"])
        #expect(result.people[1].ref.module == .leads)
        // John joins Acme (found by domain); Jürgen gets a new account named after his domain; Pat none (generic domain).
        #expect(result.people[2].fields["account"]?.reference == w.acme.ref)
        #expect(result.people[2].fields["firstName"]?.text == "John" && result.people[2].fields["lastName"]?.text == "Smith")
        #expect(result.people[3].fields["firstName"]?.text == "Jürgen" && result.people[3].fields["lastName"]?.text == "Weber")
        let newco = try #require(try await w.crm.findAccounts(domain: "newco.example").first)
        #expect(newco.fields["name"]?.text == "Newco" && result.accounts.contains(newco.ref))
        #expect(result.people[4].fields["account"] == nil && result.people[4].fields["lastName"]?.text == "Jones")
        #expect(try await w.crm.findAccounts(domain: "gmail.com").isEmpty)
    }

    @Test func matchingTwiceCreatesNothingTwice() async throws {
        let w = try await world()
        let matcher = RecipientMatcher(connector: w.crm, rules: MatchingRules(), owner: w.alice.id)
        let first = try await matcher.match(addresses(Self.mail))
        let second = try await matcher.match(addresses(Self.mail))
        #expect(first.people.map(\.ref) == second.people.map(\.ref))
        #expect(try await w.crm.findAccounts(domain: "newco.example").count == 1)
    }

    @Test func withoutLeadsOrCreationTheRestIsUnmatched() async throws {
        let w = try await world()
        let matcher = RecipientMatcher(connector: w.crm, rules: MatchingRules(matchLeads: false, createContacts: false), owner: w.alice.id)
        let result = try await matcher.match(addresses(Self.mail))
        #expect(result.people.map(\.ref) == [w.contact.ref])
        #expect(result.unmatched == ["lee@prospect.example", "john.smith@acme.example", "jw@newco.example", "pat.jones@gmail.com", "noreply@spam.example"])
    }

    @Test func mailBetweenUsersOnlyIsRecognised() async throws {
        let w = try await world()
        let matcher = RecipientMatcher(connector: w.crm, rules: MatchingRules(), owner: w.alice.id)
        let result = try await matcher.match(addresses("From: alice@example.com\nTo: Bob <BOB@example.com>\nSubject: lunch\n\nx\n"))
        #expect(result.onlyUsers && result.users.count == 2)
    }

    @Test(arguments: [
        ("Doe, Jane", "x@y.z", "Jane", "Doe"), ("Jane van Doe", "x@y.z", "Jane van", "Doe"), ("Madonna", "x@y.z", nil, "Madonna"),
        (nil, "jane.doe@y.z", "Jane", "Doe"), (nil, "info@y.z", nil, "Info"),
    ] as [(String?, String, String?, String)])
    func namesComeFromTheDisplayNameOrTheAddress(_ name: String?, _ email: String, _ first: String?, _ last: String) {
        let split = RecipientMatcher.split(name, email: email)
        #expect(split.first == first && split.last == last)
    }

    @Test func companyNamesComeFromTheDomain() {
        #expect(RecipientMatcher.companyName("acme-corp.example.com") == "Example")
        #expect(RecipientMatcher.companyName("newco.example") == "Newco")
        #expect(RecipientMatcher.companyName("blue_yonder.de") == "Blue Yonder")
        #expect(RecipientMatcher.companyName("mail.acme.co.uk") == "Acme")
    }
}
