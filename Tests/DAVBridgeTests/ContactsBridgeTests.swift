import CRM
import DAV
import DAVCore
import DAVServerFixtures
import Foundation
import GatewayConfig
import Sync
import Testing
@testable import DAVBridge

/// The contacts bridge between the embedded CRM and a real Radicale 3.9.0 and Xandikos
/// 0.4.10 (scripts/test installs both; a missing one fails the run).
@Suite("Contacts bridge against real DAV servers")
struct SyncBridgeTests {
    @Test(arguments: BridgeFixture.kinds)
    func firstSyncCopiesTheUsersRecordsTaggedWithTheCategoryAndASecondRunDoesNothing(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let initech = try await f.account("Initech", domain: "initech.example")
        let peter = try await f.contact("Peter", "Gibbons", ["account": .reference(initech.ref), "title": .text("Engineer")])
        _ = try await f.contact("Samir", "Nagheenanajar")
        _ = try await f.contact("Bill", "Lumbergh", owner: f.bob)
        let lead = try await f.crm.createRecord(in: .leads, RecordDraft(owner: f.alice.id, fields: [
            "firstName": .text("Joanna"), "lastName": .text("Smith"), "company": .text("Chotchkie's"), "status": .text("New"),
        ]))

        let first = try await f.sync()
        #expect(first.counts["created-remote"] == 3, "\(first.counts)")
        let cards = try await f.cards()
        #expect(cards.count == 3)
        #expect(cards.allSatisfy { $0.card.categories == ["Embedded CRM"] && $0.card.crmID != nil })
        let card = try await f.card(of: peter.ref).card
        #expect(card.organization == ["Initech"] && card.title == "Engineer" && card.emails.map(\.value) == ["peter@gibbons.example"])
        #expect(try await f.card(of: lead.ref).card.organization == ["Chotchkie's"])

        let second = try await f.sync()
        #expect(second.total == 0, "a run with no change writes nothing: \(second.counts)")
        #expect(try await f.cards().count == 3)
    }

    @Test(arguments: BridgeFixture.kinds)
    func changesFlowBothWaysAndAreNeverEchoedBack(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let peter = try await f.contact("Peter", "Gibbons")
        try await f.sync()

        _ = try await f.crm.updateRecord(peter.ref, RecordDraft(fields: ["title": .text("Team lead")]))
        try await f.expectSync(["updated-remote": 1])
        #expect(try await f.card(of: peter.ref).card.title == "Team lead")

        try await f.edit(peter.ref) { card in
            card.setText("NOTE", "Met at the TPS review")
            card.properties.append(ContentLine(name: "BDAY", value: "19700101"))
        }
        try await f.expectSync(["updated-crm": 1])
        #expect(try await f.crm.record(peter.ref)?.fields["description"] == .text("Met at the TPS review"))
        #expect(try await f.sync().total == 0, "the CRM update is not written back to the card")

        // The user's own fields stay when the CRM writes again; a change of only those is no CRM change.
        try await f.edit(peter.ref) { $0.setText("NICKNAME", "Pete") }
        #expect(try await f.sync().total == 0)
        _ = try await f.crm.updateRecord(peter.ref, RecordDraft(fields: ["title": .text("Manager")]))
        try await f.sync()
        let card = try await f.card(of: peter.ref).card
        #expect(card.text("BDAY") == "19700101" && card.text("NICKNAME") == "Pete" && card.title == "Manager")
    }

    @Test(arguments: BridgeFixture.kinds)
    func whenBothSidesChangedThePolicysRuleDecides(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let peter = try await f.contact("Peter", "Gibbons")
        try await f.sync()

        // Newest wins (default): the card was changed after the record.
        _ = try await f.crm.updateRecord(peter.ref, RecordDraft(fields: ["title": .text("From the CRM")]))
        try await Task.sleep(for: .milliseconds(1100))
        try await f.edit(peter.ref) { $0.setText("TITLE", "From the phone") }
        let newest = try await f.sync()
        #expect(newest.counts["conflicts"] == 1 && newest.counts["updated-crm"] == 1, "\(newest.counts)")
        #expect(try await f.crm.record(peter.ref)?.fields["title"] == .text("From the phone"))

        // CRM wins: the card is changed back.
        var policy = f.policy
        policy.conflict = "crm"
        try f.reconfigure(policy)
        try await f.edit(peter.ref) { $0.setText("TITLE", "Phone again") }
        _ = try await f.crm.updateRecord(peter.ref, RecordDraft(fields: ["title": .text("CRM again")]))
        let crmWins = try await f.sync()
        #expect(crmWins.counts["conflicts"] == 1 && crmWins.counts["updated-remote"] == 1, "\(crmWins.counts)")
        #expect(try await f.card(of: peter.ref).card.title == "CRM again")
        #expect(try await f.crm.record(peter.ref)?.fields["title"] == .text("CRM again"))
    }

    @Test(arguments: BridgeFixture.kinds)
    func deletesFollowRivasRules(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let peter = try await f.contact("Peter", "Gibbons")
        let samir = try await f.contact("Samir", "Nagheenanajar")
        let michael = try await f.contact("Michael", "Bolton")
        try await f.sync()

        // Deleted in the address book: the record stays, and its card comes back when it changes.
        let card = try await f.card(of: peter.ref)
        try await f.client.delete(card.href, etag: card.etag)
        try await f.expectSync(["deleted-by-user": 1])
        #expect(try await f.crm.record(peter.ref) != nil)
        #expect(try await f.sync().total == 0, "a card the user deleted is not re-created by itself")
        _ = try await f.crm.updateRecord(peter.ref, RecordDraft(fields: ["title": .text("Back")]))
        try await f.expectSync(["created-remote": 1])
        #expect(try await f.card(of: peter.ref).card.title == "Back")

        // Leaving the user's scope in the CRM (reassigned, deleted, a lead converted): the card goes.
        let lead = try await f.crm.createRecord(in: .leads, RecordDraft(owner: f.alice.id, fields: [
            "firstName": .text("Joanna"), "lastName": .text("Smith"), "status": .text("Qualified"),
        ]))
        try await f.expectSync(["created-remote": 1])
        _ = try await f.crm.updateRecord(samir.ref, RecordDraft(owner: f.bob.id, fields: [:]))
        try await f.crm.deleteRecord(michael.ref)
        _ = try await f.crm.updateRecord(lead.ref, RecordDraft(fields: ["status": .text("Converted")]))
        try await f.expectSync(["deleted-remote": 3])
        #expect(try await f.cards().compactMap(\.card.crmID) == [peter.ref.description])

        // With dav_deletes_crm, a deleted card deletes its record.
        var policy = f.policy
        policy.davDeletesCRM = true
        try f.reconfigure(policy)
        let again = try await f.card(of: peter.ref)
        try await f.client.delete(again.href, etag: again.etag)
        try await f.expectSync(["deleted-crm": 1])
        #expect(try await f.crm.record(peter.ref) == nil)
    }

    @Test(arguments: BridgeFixture.kinds)
    func aNewCardInTheCategoryBecomesAContactOfTheMatchingAccount(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let initech = try await f.account("Initech", domain: "initech.example")
        try await f.sync()
        let client = try f.client
        let book = try await f.book()
        var tagged = VCard(version: .v3)
        tagged.setText("UID", "phone-1")
        tagged.properties += [
            ContentLine(name: "N", value: "Waddams;Milton;;;"), ContentLine(name: "FN", value: "Milton Waddams"),
            ContentLine(name: "ORG", value: "Initech"), ContentLine(name: "EMAIL", value: "milton@initech.example"),
            ContentLine(name: "CATEGORIES", value: "Embedded CRM"),
        ]
        _ = try await client.create(tagged, named: "phone-1", in: book)
        var untagged = tagged
        untagged.setText("UID", "phone-2")
        untagged.replace("CATEGORIES", with: [])
        _ = try await client.create(untagged, named: "phone-2", in: book)

        try await f.expectSync(["created-crm": 1])
        let contacts = try await f.crm.activeRecords(in: .contacts, visibleTo: f.alice.id)
        #expect(contacts.count == 1)
        let milton = try #require(contacts.first)
        #expect(milton.owner == f.alice.id && milton.fields["lastName"] == .text("Waddams"))
        #expect(milton.fields["account"] == .reference(initech.ref) && milton.emailAddresses == ["milton@initech.example"])
        #expect(try await f.card(of: milton.ref).card.uid == "phone-1", "the card now carries its record's id")
        #expect(try await f.sync().total == 0)
    }

    @Test(arguments: BridgeFixture.kinds)
    func aRefusedSyncTokenLeadsToAFullReconcileThatLosesNothing(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        var people: [CRMRecord] = []
        for n in 1...6 { people.append(try await f.contact("Person\(n)", "Example")) }
        try await f.sync()
        for module in ["contacts", "leads"] {
            let scope = SyncScope(user: "alice@example.com", policy: f.policy.name, module: module)
            let kept = try await f.state.cursors(scope).crmCursor
            try await f.state.save(scope, SyncCheckpoint(remoteToken: "http://radicale.org/ns/sync/not-a-token", crmCursor: kept))
        }
        _ = try await f.crm.updateRecord(people[0].ref, RecordDraft(fields: ["title": .text("Changed in the CRM")]))
        try await f.edit(people[1].ref) { $0.setText("TITLE", "Changed on the phone") }

        let counts = try await f.sync().counts
        #expect(counts == ["updated-remote": 1, "updated-crm": 1], "\(counts)")
        #expect(try await f.cards().count == 6)
        #expect(try await f.crm.record(people[1].ref)?.fields["title"] == .text("Changed on the phone"))
        #expect(try await f.sync().total == 0)
    }

    @Test(arguments: BridgeFixture.kinds)
    func lostStateIsRebuiltFromTheCRMIDsTheCardsCarryWithoutDuplicates(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        for n in 1...5 { _ = try await f.contact("Person\(n)", "Example") }
        try await f.sync()
        for module in ["contacts", "leads"] {
            try await f.state.reset(SyncScope(user: "alice@example.com", policy: f.policy.name, module: module))
        }
        let counts = try await f.sync().counts
        #expect(counts["relinked"] == 5 && counts["created-remote"] == nil && counts["created-crm"] == nil, "\(counts)")
        #expect(try await f.cards().count == 5)
        #expect(try await f.crm.activeRecords(in: .contacts, visibleTo: f.alice.id).count == 5)
        #expect(try await f.sync().total == 0)
    }

    @Test(arguments: BridgeFixture.kinds)
    func commasSemicolonsNewlinesAndNonASCIIRoundTripExactly(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let awkward: [String: FieldValue?] = [
            "title": .text("Sales, EMEA; Nordics \\ Baltics"),
            "description": .text("Line one, with a comma;\nline two: ünïcödé — 日本語"),
            "address": .text("Storgatan 1, 3 tr\n114 51 Stockholm"),
            "phone": .text("+46 8 123 45 67"),
        ]
        let zoe = try await f.contact("Zoë", "Ångström-Øster", awkward)
        try await f.sync()
        let card = try await f.card(of: zoe.ref).card
        #expect(card.title == "Sales, EMEA; Nordics \\ Baltics")
        #expect(card.note == "Line one, with a comma;\nline two: ünïcödé — 日本語")
        #expect(card.name?.first == ["Ångström-Øster"] && card.name?[1] == ["Zoë"])

        try await f.edit(zoe.ref) { $0.setText("TITLE", "Sales, APAC; Japan") }
        try await f.sync()
        let record = try #require(try await f.crm.record(zoe.ref))
        #expect(record.fields["title"] == .text("Sales, APAC; Japan"))
        for key in ["description", "address", "phone", "firstName", "lastName"] {
            #expect(record.fields[key] == (awkward[key] ?? zoe.fields[key]), "\(key)")
        }
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func aCRMChangeRunsOnlyTheScopesOfTheUsersItConcerns(_ kind: DAVTestServer.Kind) async throws {
        let users = (1...8).map { "user\($0)@example.com" }
        let f = try await BridgeFixture(kind, accounts: users)
        var people: [CRMUser] = []
        for email in users { people.append(try await f.crm.createUser(name: email, email: email)) }
        let record = try await f.contact("Peter", "Gibbons", owner: people[4])
        try await f.sync()
        #expect(try await f.round().isEmpty, "nothing is due within the policy's interval")

        _ = try await f.crm.updateRecord(record.ref, RecordDraft(fields: ["title": .text("Changed")]))
        let outcomes = try await f.round()
        #expect(outcomes.map(\.scope.user) == ["user5@example.com"], "only the owner's contacts scope runs")
        #expect(outcomes.counts == ["updated-remote": 1])

        _ = try await f.crm.updateRecord(record.ref, RecordDraft(owner: people[6].id, fields: [:]))
        let moved = try await f.round()
        #expect(Set(moved.map(\.scope.user)) == ["user5@example.com", "user7@example.com"], "the old owner and the new one")
        #expect(moved.counts == ["deleted-remote": 1, "created-remote": 1])
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func aDryRunSaysWhatItWouldDoAndWritesNothing(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        _ = try await f.contact("Peter", "Gibbons")
        try await f.sync()
        let peter = try await f.contact("Samir", "Nagheenanajar")
        let dry = try await f.sync(dryRun: true)
        #expect(dry.counts == ["created-remote": 1])
        #expect(dry.flatMap { $0.report?.actions ?? [] } == ["create card for \(peter.ref)"])
        #expect(try await f.cards().count == 1)
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func aFirstSyncLeavesCardsAlreadyInTheBookOutOfTheCRM(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let client = try f.client
        let book = try await client.createAddressBook(named: "Embedded CRM", in: try await client.addressBookHome()).url
        func tagged(_ uid: String, _ last: String) -> VCard {
            var card = VCard(version: .v3)
            card.setText("UID", uid)
            card.properties += [ContentLine(name: "N", value: "\(last);Ann;;;"), ContentLine(name: "FN", value: "Ann \(last)"),
                                ContentLine(name: "CATEGORIES", value: "Embedded CRM")]
            return card
        }
        _ = try await client.create(tagged("old-1", "Before"), named: "old-1", in: book)
        _ = try await f.contact("Peter", "Gibbons")
        try await f.expectSync(["created-remote": 1], "as Riva: nothing goes from the address book to the CRM in a first sync")
        _ = try await client.create(tagged("new-1", "After"), named: "new-1", in: book)
        try await f.expectSync(["created-crm": 1])
        let names = try await f.crm.activeRecords(in: .contacts, visibleTo: f.alice.id).compactMap { $0.fields["lastName"]?.text }
        #expect(Set(names) == ["Gibbons", "After"])
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func syncingOneAccountKeepsTheOthersQueuedChanges(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, accounts: ["alice@example.com", "user2@example.com"])
        let user2 = try await f.crm.createUser(name: "User Two", email: "user2@example.com")
        let theirs = try await f.contact("Samir", "Nagheenanajar", owner: user2)
        try await f.sync()
        _ = try await f.crm.updateRecord(theirs.ref, RecordDraft(fields: ["title": .text("Changed")]))
        let alone = await f.bridge.round(only: "alice@example.com", dryRun: false)
        #expect(Set(alone.map(\.scope.user)) == ["alice@example.com"])
        let everyone = try await f.sync()
        #expect(everyone.counts == ["updated-remote": 1], "user2's change was queued for them, not lost")
    }

    @Test(arguments: BridgeFixture.kinds)
    func anAddressBookTheUserDeletedIsMadeAgainWithEveryCard(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        for n in 1...6 { _ = try await f.contact("Person\(n)", "Example") }
        try await f.sync()
        let client = try f.client
        let gone = try await client.transport.send("DELETE", try await f.book())
        #expect((200..<300).contains(gone.status))
        _ = await f.bridge.round(only: "alice@example.com", dryRun: false)  // meets the missing book, forgets where it was
        try await f.expectSync(["created-remote": 6])
        #expect(try await f.cards().count == 6)
        try await f.expectSync([:])
    }

    @Test(arguments: BridgeFixture.kinds)
    func aCardThatCannotBeReadIsReportedAndTheRestSyncs(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        let peter = try await f.contact("Peter", "Gibbons")
        try await f.sync()
        // An Outlook-style vCard 2.1 export, which the server keeps and crmgate does not read.
        let legacy = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Waddams;Milton\r\nFN:Milton Waddams\r\nUID:legacy-1\r\n"
            + "CATEGORIES:Embedded CRM\r\nEND:VCARD\r\n"
        let book = try await f.book()
        let put = try await f.client.transport.send("PUT", try f.client.transport.resolve(f.client.href(named: "legacy-1", in: book)),
                                                   body: Array(legacy.utf8), contentType: "text/vcard", headers: [("If-None-Match", "*")])
        #expect((200..<300).contains(put.status), "the server keeps a 2.1 card (\(put.status))")
        _ = try await f.crm.updateRecord(peter.ref, RecordDraft(fields: ["title": .text("Still synced")]))
        let outcomes = await f.bridge.round(only: "alice@example.com", dryRun: false)
        let contacts = try #require(outcomes.first { $0.scope.module == "contacts" }?.report)
        #expect(contacts.counts == ["updated-remote": 1, "failed": 1], "\(contacts.counts)")
        #expect(contacts.failures.first?.contains("vCard version 2.1 is not supported") == true, "\(contacts.failures)")
        #expect(try await f.card(of: peter.ref).card.title == "Still synced")
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func aPolicyThatWidensTheScopeBringsInWhatItNowTakesOnce(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind)
        _ = try await f.contact("Peter", "Gibbons")
        let bobs = try await f.contact("Bill", "Lumbergh", owner: f.bob)
        try await f.expectSync(["created-remote": 1])
        var policy = f.policy
        policy.syncScope = "visible"
        try f.reconfigure(policy)
        try await f.expectSync(["full-reconcile": 4, "created-remote": 1], "contacts are visible to all: Bob's comes in (every module reconciles)")
        #expect(try await f.card(of: bobs.ref).card.formattedName == "Bill Lumbergh")
        try await f.expectSync([:])
        // Back to the user's own: Bob's card leaves again.
        policy.syncScope = "owned"
        try f.reconfigure(policy)
        try await f.expectSync(["full-reconcile": 4, "deleted-remote": 1])
    }
}
