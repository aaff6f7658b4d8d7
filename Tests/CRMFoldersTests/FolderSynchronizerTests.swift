import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Logging
import MailStore
import MIMECore
import Sync
import Testing
@testable import CRMFolders

/// The embedded CRM and a mail store, both in memory, with alice and bob in both.
struct FolderWorld {
    let crm: EmbeddedCRM
    let store: LocalStore
    let service: CRMFolderService
    let alice: (account: UserID, crm: CRMUser)
    let bob: (account: UserID, crm: CRMUser)

    static func make(policy: GatewayConfiguration.Policy = .init()) async throws -> FolderWorld {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "http://127.0.0.1:8080")!)
        let store = try LocalStore(inMemory: ())
        let aliceCRM = try await crm.createUser(name: "Alice Martin", email: "alice@example.com")
        let bobCRM = try await crm.createUser(name: "Bob Chen", email: "bob@example.com")
        let alice = try await store.createUser(email: "alice@example.com", password: "x")
        let bob = try await store.createUser(email: "bob@example.com", password: "x")
        let config = GatewayConfiguration(policies: [policy])
        let service = CRMFolderService(store: store, connector: crm, state: try SyncStateStore(), configuration: config, logger: Logger(label: "test"))
        return FolderWorld(crm: crm, store: store, service: service, alice: (alice, aliceCRM), bob: (bob, bobCRM))
    }

    func opportunity(_ name: String, owner: CRMUser, stage: String = "Proposal") async throws -> CRMRecord {
        try await crm.createRecord(in: .opportunities, RecordDraft(owner: owner.id, fields: ["name": .text(name), "stage": .text(stage)]))
    }

    @discardableResult
    func sync(_ who: (account: UserID, crm: CRMUser)) async throws -> FolderSyncReport {
        try #require(try await service.synchronize(account: who.account, email: who.crm.email))
    }

    func folderNames(_ who: (account: UserID, crm: CRMUser)) async throws -> [String] {
        try await store.mailboxes(of: who.account).map(\.name).filter { $0.hasPrefix("Embedded CRM") }
    }

    func summaries(_ who: (account: UserID, crm: CRMUser), module: String = "Opportunities") async throws -> [StoredSummary] {
        let box = try await store.mailbox(of: who.account, named: "Embedded CRM/\(module)")
        return try await store.summaries(in: box.id)
    }
}

@Suite("CRM folders: synchronisation")
struct FolderSynchronizerTests {
    @Test func firstSyncBuildsTheTreeWithASummaryAndAssignToFolderPerOwnedRecord() async throws {
        let world = try await FolderWorld.make()
        let deal = try await world.opportunity("Website redesign", owner: world.alice.crm)
        _ = try await world.opportunity("Bob's deal", owner: world.bob.crm)
        try await world.sync(world.alice)
        let names = try await world.folderNames(world.alice)
        #expect(names.contains("Embedded CRM/- Create New Email"))
        #expect(names.contains("Embedded CRM/- Create New Opportunity"))
        #expect(names.contains("Embedded CRM/Cases/Assign To"))
        #expect(names.contains("Embedded CRM/Opportunities/Assign To/Website redesign (\(deal.number ?? ""))"))
        #expect(!names.contains { $0.contains("Bob's deal") })
        let summaries = try await world.summaries(world.alice)
        #expect(summaries.map(\.recordKey) == ["opportunities/\(deal.ref.id)"])
        let box = try await world.store.mailbox(of: world.alice.account, named: "Embedded CRM/Opportunities")
        let raw = try #require(try await world.store.content(in: box.id, uid: summaries[0].uid)).raw
        #expect(String(decoding: raw, as: UTF8.self).contains("http://127.0.0.1:8080/opportunities/\(deal.ref.id)"))
    }

    @Test func secondSyncWithoutChangesWritesNothing() async throws {
        let world = try await FolderWorld.make()
        _ = try await world.opportunity("A", owner: world.alice.crm)
        try await world.sync(world.alice)
        #expect(try await world.sync(world.alice).isEmpty)
    }

    @Test(arguments: [false, true])
    func changedRecordReplacesItsSummaryKeepingItsFlagsAndReadStateUnlessThePolicySaysUnread(_ unreadAgain: Bool) async throws {
        let world = try await FolderWorld.make(policy: .init(updatedSummariesUnread: unreadAgain))
        let deal = try await world.opportunity("A", owner: world.alice.crm)
        try await world.sync(world.alice)
        let box = try await world.store.mailbox(of: world.alice.account, named: "Embedded CRM/Opportunities")
        let first = try #require(try await world.summaries(world.alice).first)
        #expect(first.flags.isEmpty)  // a new item arrives unread
        _ = try await world.store.store(.add, flags: ["\\Flagged", "\\Seen"], uids: [first.uid], in: box.id)
        _ = try await world.crm.updateRecord(deal.ref, RecordDraft(fields: ["stage": .text("Negotiation")]))
        let report = try await world.sync(world.alice)
        #expect(report.summariesWritten == 1 && report.foldersCreated == 0)
        let now = try #require(try await world.summaries(world.alice).first)
        #expect(now.uid > first.uid)
        #expect(Set(now.flags) == (unreadAgain ? ["\\Flagged"] : ["\\Flagged", "\\Seen"]))
        #expect(try await world.store.info(of: box.id).uidValidity == box.uidValidity)
    }

    @Test func summariesShowTimesInTheAccountsZoneElseThePolicys() async throws {
        let world = try await FolderWorld.make(policy: .init(timeZone: "Asia/Tokyo"))
        _ = try await world.opportunity("A", owner: world.alice.crm)
        try await world.sync(world.alice)
        func lastChanged() async throws -> String {
            let box = try await world.store.mailbox(of: world.alice.account, named: "Embedded CRM/Opportunities")
            let uid = try #require(try await world.summaries(world.alice).first?.uid)
            let raw = try #require(try await world.store.content(in: box.id, uid: uid)?.raw)
            let plain = String(decoding: try #require(MessageIndex.parse(raw).decodedBody([1], in: raw)), as: UTF8.self)
            return String(try #require(plain.split(separator: "\r\n").first { $0.hasPrefix("Last changed:") }))
        }
        let modified = try #require(try await world.crm.activeRecords(in: .opportunities, visibleTo: world.alice.crm.id).first?.modifiedAt)
        #expect(try await lastChanged() == "Last changed: " + DisplayFormat(timeZone: TimeZone(identifier: "Asia/Tokyo")!).dateTime(modified))
        try await world.store.setTimeZone(email: "alice@example.com", "America/Los_Angeles")
        _ = try await world.sync(world.alice)
        #expect(try await lastChanged() == "Last changed: " + DisplayFormat(timeZone: TimeZone(identifier: "America/Los_Angeles")!).dateTime(modified))
    }

    @Test func closedRecordLosesItsSummaryAndAssignToFolder() async throws {
        let world = try await FolderWorld.make()
        let deal = try await world.opportunity("Won deal", owner: world.alice.crm)
        try await world.sync(world.alice)
        _ = try await world.crm.updateRecord(deal.ref, RecordDraft(fields: ["stage": .text("Closed Won")]))
        let report = try await world.sync(world.alice)
        #expect(report.foldersRemoved == 1 && report.summariesRemoved == 1)
        #expect(try await world.summaries(world.alice).isEmpty)
        #expect(!(try await world.folderNames(world.alice)).contains { $0.contains("Won deal") })
    }

    @Test func reassignedRecordMovesToTheNewOwnersMailbox() async throws {
        let world = try await FolderWorld.make()
        let deal = try await world.opportunity("Handover", owner: world.alice.crm)
        try await world.sync(world.alice)
        try await world.sync(world.bob)
        _ = try await world.crm.updateRecord(deal.ref, RecordDraft(owner: world.bob.crm.id, fields: [:]))
        try await world.sync(world.alice)
        try await world.sync(world.bob)
        #expect(try await world.summaries(world.alice).isEmpty)
        #expect(try await world.summaries(world.bob).map(\.recordKey) == ["opportunities/\(deal.ref.id)"])
        #expect(try await world.folderNames(world.bob).contains { $0.contains("Handover") })
    }

    @Test func renamedRecordRenamesItsAssignToFolderKeepingItsMail() async throws {
        let world = try await FolderWorld.make()
        let deal = try await world.opportunity("Old name", owner: world.alice.crm)
        try await world.sync(world.alice)
        let number = deal.number ?? ""
        let folder = try await world.store.mailbox(of: world.alice.account, named: "Embedded CRM/Opportunities/Assign To/Old name (\(number))")
        _ = try await world.crm.updateRecord(deal.ref, RecordDraft(fields: ["name": .text("New name")]))
        let report = try await world.sync(world.alice)
        #expect(report.foldersRenamed == 1)
        let renamed = try await world.store.mailbox(of: world.alice.account, named: "Embedded CRM/Opportunities/Assign To/New name (\(number))")
        #expect(renamed.id == folder.id && renamed.uidValidity == folder.uidValidity)
    }

    @Test func accountsWithoutPolicyOrCRMUserGetNoFolders() async throws {
        let world = try await FolderWorld.make(policy: .init(users: ["alice@example.com"]))
        #expect(try await world.service.synchronize(account: world.bob.account, email: "bob@example.com") == nil)
        let carol = try await world.store.createUser(email: "carol@example.com", password: "x")
        let everyone = CRMFolderService(store: world.store, connector: world.crm, state: try SyncStateStore(),
                                        configuration: GatewayConfiguration(policies: [.init()]), logger: Logger(label: "test"))
        #expect(try await everyone.synchronize(account: carol, email: "carol@example.com") == nil)
    }

    @Test func policyTemplateShapesTheSummarySubject() async throws {
        let world = try await FolderWorld.make(policy: .init(summarySubjects: ["opportunities": "{stage}: {name} · {amount}"]))
        _ = try await world.opportunity("Fleet tracking", owner: world.alice.crm)
        try await world.sync(world.alice)
        let box = try await world.store.mailbox(of: world.alice.account, named: "Embedded CRM/Opportunities")
        let uid = try #require(try await world.summaries(world.alice).first).uid
        let content = try #require(try await world.store.content(in: box.id, uid: uid))
        #expect(content.index.headerValues("Subject", in: content.raw) == ["Proposal: Fleet tracking"])
    }
}
