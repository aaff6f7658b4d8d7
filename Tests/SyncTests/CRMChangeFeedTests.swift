import CRM
import EmbeddedCRM
import Foundation
import Testing
@testable import Sync

@Suite("CRM change feed: queued once, for the scopes a change concerns")
struct CRMChangeFeedTests {
    let alice = SyncScope(user: "alice@example.com", policy: "sales", module: "contacts")
    let bob = SyncScope(user: "bob@example.com", policy: "sales", module: "contacts")

    private func crm() throws -> EmbeddedCRM {
        try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "https://crm.example.com")!)
    }

    private func contact(_ crm: EmbeddedCRM, _ name: String, owner: CRMUser) async throws -> CRMRecord {
        try await crm.createRecord(in: .contacts, RecordDraft(owner: owner.id, fields: ["lastName": .text(name)]))
    }

    @Test func theFirstReadOnlyFindsTheEndAndLaterChangesGoToTheirOwnersScopesOnly() async throws {
        let crm = try crm()
        let store = try SyncStateStore()
        let a = try await crm.createUser(name: "Alice", email: "alice@example.com")
        let b = try await crm.createUser(name: "Bob", email: "bob@example.com")
        _ = try await contact(crm, "Before", owner: a)
        let route: (RecordChange) async throws -> Set<SyncScope> = { change in
            Set(CRMChangeFeed.owners(of: change).map { $0 == a.id ? self.alice : self.bob })
        }
        let feed = CRMChangeFeed(consumer: "test", connector: crm, store: store)
        #expect(try await feed.drain(.contacts, route: route).isEmpty, "history before the first read is a first sync's")
        #expect(try await store.pending(alice).crmIDs.isEmpty)

        let gibbons = try await contact(crm, "Gibbons", owner: a)
        // A second feed on the same state continues where the first stopped.
        let again = CRMChangeFeed(consumer: "test", connector: crm, store: store)
        #expect(try await again.drain(.contacts, route: route) == [alice])
        #expect(try await store.pending(alice).crmIDs == [gibbons.ref.description])
        #expect(try await store.pending(bob).crmIDs.isEmpty)
        #expect(try await again.drain(.contacts, route: route).isEmpty, "a change is queued once")

        // A reassignment concerns the old owner and the new one.
        _ = try await crm.updateRecord(gibbons.ref, RecordDraft(owner: b.id, fields: [:]))
        #expect(try await again.drain(.contacts, route: route) == [alice, bob])
        #expect(try await store.pending(alice).crmIDs == [gibbons.ref.description], "the same record is named once")
    }

    @Test func aFeedReadsInBatchesUntilTheEnd() async throws {
        let crm = try crm()
        let store = try SyncStateStore()
        let a = try await crm.createUser(name: "Alice", email: "alice@example.com")
        var feed = CRMChangeFeed(consumer: "test", connector: crm, store: store)
        feed.batchSize = 2
        _ = try await feed.drain(.contacts) { _ in [] }
        for n in 1...5 { _ = try await contact(crm, "C\(n)", owner: a) }
        _ = try await feed.drain(.contacts) { _ in [self.alice] }
        #expect(try await store.pending(alice).crmIDs.count == 5)
    }

    @Test func aRunDropsOnlyTheQueuedChangesItTookIn() async throws {
        let store = try SyncStateStore()
        try await store.enqueue(consumer: "test", module: "contacts", cursor: "1", [(alice, "contacts/1"), (alice, "contacts/2")])
        let taken = try await store.pending(alice)
        // A change queued while the run works is not lost when it saves.
        try await store.enqueue(consumer: "test", module: "contacts", cursor: "2", [(alice, "contacts/3")])
        try await store.save(alice, SyncCheckpoint(remoteToken: nil, crmCursor: "feed", pendingThrough: taken.through, counts: ["created-remote": 2]))
        #expect(try await store.pending(alice).crmIDs == ["contacts/3"])
        #expect(try await store.feedCursor(consumer: "test", module: "contacts") == "2")
        #expect(try await store.feedCursor(consumer: "other", module: "contacts") == nil)
    }

    @Test func statusShowsTheLastRunItsCountsTheBacklogAndTheLastError() async throws {
        let store = try SyncStateStore()
        let link = SyncLink(crmID: "contacts/1", href: "/b/1.vcf", etag: "e", crmVersion: "v")
        try await store.save(alice, SyncCheckpoint(links: [link], remoteToken: "t", crmCursor: "feed", counts: ["created-remote": 1]))
        try await store.enqueue(consumer: "test", module: "contacts", cursor: "9", [(alice, "contacts/4"), (alice, "contacts/4")])
        try await store.recordFailure(bob, "the DAV server cannot be reached")
        let status = try await store.status()
        #expect(status.map(\.scope) == [alice, bob])
        #expect(status[0].lastRunAt != nil && status[0].counts == ["created-remote": 1] && status[0].linked == 1 && status[0].backlog == 1)
        #expect(status[0].lastError == nil && status[1].lastError == "the DAV server cannot be reached" && status[1].lastRunAt == nil)
        // A successful run clears the error.
        try await store.save(bob, SyncCheckpoint(remoteToken: nil, crmCursor: "feed"))
        #expect(try await store.status()[1].lastError == nil)
    }

    @Test func theScopesLinkingARecordAreFoundForItsDeletion() async throws {
        let store = try SyncStateStore()
        let link = SyncLink(crmID: "contacts/1", href: "/b/1.vcf")
        try await store.save(alice, SyncCheckpoint(links: [link], remoteToken: nil, crmCursor: nil))
        try await store.save(bob, SyncCheckpoint(links: [link], remoteToken: nil, crmCursor: nil))
        #expect(Set(try await store.scopesLinking(module: "contacts", crmID: "contacts/1")) == [alice, bob])
        #expect(try await store.scopesLinking(module: "contacts", crmID: "contacts/2").isEmpty)
    }
}
