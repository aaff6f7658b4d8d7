import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Logging
import MailStore
import Sync
import Testing
@testable import CRMFolders

/// A CRM change synchronises the CRM folders of the accounts it concerns, not everyone's.
@Suite("CRM folders on the change feed")
struct FolderRoutingTests {
    struct World {
        let crm: EmbeddedCRM
        let store: LocalStore
        let service: CRMFolderService
        var users: [CRMUser] = []
    }

    static func make(accounts: Int, policy: GatewayConfiguration.Policy = .init()) async throws -> World {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "http://127.0.0.1:8080")!)
        let store = try LocalStore(inMemory: ())
        // A long poll interval: only the first round is a full one.
        let config = GatewayConfiguration(crm: .init(pollInterval: 3600), policies: [policy])
        var world = World(crm: crm, store: store, service: CRMFolderService(store: store, connector: crm, state: try SyncStateStore(),
                                                                             configuration: config, logger: Logger(label: "test")))
        for n in 1...accounts {
            let email = "user\(n)@example.com"
            world.users.append(try await crm.createUser(name: "User \(n)", email: email))
            _ = try await store.createUser(email: email, password: "x")
        }
        return world
    }

    func opportunity(_ world: World, owner: Int) async throws -> CRMRecord {
        try await world.crm.createRecord(in: .opportunities, RecordDraft(owner: world.users[owner - 1].id, fields: [
            "name": .text("Deal of \(owner)"), "stage": .text("Proposal"),
        ]))
    }

    @Test func aChangeSynchronisesItsOwnersOnlyAndAReassignmentBothOwners() async throws {
        let world = try await Self.make(accounts: 20)
        #expect(await world.service.round().count == 20, "the first round builds every account's tree")
        #expect(await world.service.round().isEmpty, "nothing changed, nothing to do")

        let deal = try await opportunity(world, owner: 7)
        #expect(await world.service.round() == ["user7@example.com"])
        _ = try await world.crm.updateRecord(deal.ref, RecordDraft(owner: world.users[11].id, fields: [:]))
        #expect(await world.service.round() == ["user12@example.com", "user7@example.com"])

        // An email archived to the deal changes its summary: its owner's folders follow.
        let mail = EmailArchive(key: "k1", messageID: "<k1@test>", subject: "Hello", from: nil, date: Date(), textBody: "hi",
                                rawMessage: Array("raw".utf8), records: [deal.ref], owner: world.users[11].id)
        _ = try await world.crm.archiveEmail(mail)
        #expect(await world.service.round() == ["user12@example.com"])

        // A new contact is named by no summary yet; a renamed account may be named anywhere.
        _ = try await world.crm.createRecord(in: .contacts, RecordDraft(owner: world.users[2].id, fields: ["lastName": .text("New")]))
        #expect(await world.service.round().isEmpty)
        let account = try await world.crm.createRecord(in: .accounts, RecordDraft(owner: world.users[2].id, fields: ["name": .text("Initech")]))
        _ = try await world.crm.updateRecord(account.ref, RecordDraft(fields: ["name": .text("Initrode")]))
        #expect(await world.service.round().count == 20)
    }

    @Test func withTheVisibleScopeEveryoneSeesAChangeOfAModuleVisibleToAll() async throws {
        var policy = GatewayConfiguration.Policy(displayModules: ["opportunities", "accounts"])
        policy.scope = "visible"
        let world = try await Self.make(accounts: 5, policy: policy)
        _ = try await world.service.round()
        _ = try await world.crm.createRecord(in: .accounts, RecordDraft(owner: world.users[0].id, fields: ["name": .text("Initech")]))
        #expect(await world.service.round().count == 5, "accounts are visible to all")
        _ = try await opportunity(world, owner: 3)
        #expect(await world.service.round() == ["user3@example.com"], "opportunities are their owner's")
    }

    @Test func theFoldersOfTheAccountsSynchronisedShowTheChange() async throws {
        let world = try await Self.make(accounts: 3)
        _ = try await world.service.round()
        let deal = try await opportunity(world, owner: 2)
        _ = try await world.service.round()
        let account = try #require(try await world.store.accounts().first { $0.email == "user2@example.com" })
        let names = try await world.store.mailboxes(of: account.id).map(\.name)
        #expect(names.contains("Embedded CRM/Opportunities/Assign To/Deal of 2 (\(deal.number ?? ""))"), "\(names)")
        let status = try await world.service.state.status()
        #expect(status.first { $0.scope.user == "user2@example.com" }?.counts["summaries-written"] == 1)
    }
}
