import Foundation
import Testing
@testable import Sync

@Suite("Sync state: links and cursors, saved together")
struct SyncStateStoreTests {
    let contacts = SyncScope(user: "Alice@Example.com", policy: "sales", module: "contacts")

    private func link(_ n: Int, etag: String = "e1") -> SyncLink {
        SyncLink(crmID: "contacts/\(n)", remoteUID: "uid-\(n)", href: "/book/\(n).vcf", etag: etag, remoteHash: "h\(n)", crmVersion: "v1")
    }

    @Test func aRunsLinksAndCursorsComeBackAsSaved() async throws {
        let store = try SyncStateStore()
        #expect(try await store.links(contacts).isEmpty)
        #expect(try await store.cursors(contacts) == (nil, nil))
        try await store.save(contacts, SyncCheckpoint(links: [link(2), link(1)], remoteToken: "t1", crmCursor: "c1"))
        #expect(try await store.links(contacts) == [link(1), link(2)])
        #expect(try await store.cursors(contacts) == ("t1", "c1"))

        try await store.save(contacts, SyncCheckpoint(links: [link(1, etag: "e2")], removed: ["contacts/2"], remoteToken: "t2", crmCursor: "c2"))
        #expect(try await store.links(contacts) == [link(1, etag: "e2")])
        #expect(try await store.cursors(contacts) == ("t2", "c2"))
    }

    @Test func scopesAreSeparateAndUserNamesCaseInsensitive() async throws {
        let store = try SyncStateStore()
        try await store.save(contacts, SyncCheckpoint(links: [link(1)], remoteToken: "t", crmCursor: nil))
        #expect(try await store.links(SyncScope(user: "alice@example.com", policy: "sales", module: "contacts")) == [link(1)])
        #expect(try await store.links(SyncScope(user: "bob@example.com", policy: "sales", module: "contacts")).isEmpty)
        #expect(try await store.links(SyncScope(user: "alice@example.com", policy: "sales", module: "leads")).isEmpty)
    }

    /// Two records claiming one item break the state's rule: nothing of that run is saved,
    /// so its cursors stay where the last good run left them.
    @Test func aSaveThatBreaksARuleSavesNothing() async throws {
        let store = try SyncStateStore()
        try await store.save(contacts, SyncCheckpoint(links: [link(1)], remoteToken: "t1", crmCursor: "c1"))
        var clash = link(2)
        clash.href = "/book/1.vcf"
        await #expect(throws: (any Error).self) {
            try await store.save(contacts, SyncCheckpoint(links: [link(3), clash], remoteToken: "t2", crmCursor: "c2"))
        }
        #expect(try await store.links(contacts) == [link(1)])
        #expect(try await store.cursors(contacts) == ("t1", "c1"))
    }

    @Test func resetForgetsOneScopeForAFullRelink() async throws {
        let store = try SyncStateStore()
        let leads = SyncScope(user: "alice@example.com", policy: "sales", module: "leads")
        try await store.save(contacts, SyncCheckpoint(links: [link(1)], remoteToken: "t", crmCursor: "c"))
        try await store.save(leads, SyncCheckpoint(links: [link(9)], remoteToken: "u", crmCursor: "d"))
        try await store.reset(contacts)
        #expect(try await store.links(contacts).isEmpty)
        #expect(try await store.cursors(contacts) == (nil, nil))
        #expect(try await store.links(leads) == [link(9)])
    }

    @Test func theStateOutlivesTheProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-sync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try SyncStateStore(directory: directory)
            try await store.save(contacts, SyncCheckpoint(links: [link(1)], remoteToken: "t", crmCursor: "c"))
        }
        let reopened = try SyncStateStore(directory: directory)
        #expect(try await reopened.links(contacts) == [link(1)])
        #expect(try await reopened.cursors(contacts) == ("t", "c"))
    }
}
