import Foundation
import Testing
@testable import MailStore

@Suite("Local store: CRM-managed folders")
struct ManagedMailboxTests {
    private func setUp() async throws -> (LocalStore, UserID, MailboxInfo) {
        let store = try LocalStore(inMemory: ())
        let alice = try await store.createUser(email: "alice@example.com", password: "secret")
        let display = try await store.ensureManagedMailbox(of: alice, named: "CRM/Opportunities", role: "display:opportunities",
                                                           acceptsMessages: false, recordKey: nil)
        return (store, alice, display)
    }

    private func summary(_ text: String) -> [UInt8] {
        Array("From: crm@crmgate.invalid\r\nSubject: \(text)\r\n\r\n\(text)\r\n".utf8)
    }

    @Test func managedFoldersAndTheirParentsCannotBeDeletedOrRenamedByUsers() async throws {
        let (store, alice, _) = try await setUp()
        await #expect(throws: MailStoreError.managedMailbox("CRM/Opportunities")) {
            try await store.deleteMailbox(of: alice, named: "CRM/Opportunities")
        }
        await #expect(throws: MailStoreError.managedMailbox("CRM")) {
            try await store.renameMailbox(of: alice, from: "CRM", to: "Old CRM")
        }
        #expect(try await store.managedMailboxes(of: alice).map(\.mailbox.name) == ["CRM/Opportunities"])
        #expect(try await store.subscriptions(of: alice).contains("CRM/Opportunities"))
    }

    @Test func ensuringTwiceAdoptsTheSameMailbox() async throws {
        let (store, alice, display) = try await setUp()
        let again = try await store.ensureManagedMailbox(of: alice, named: "CRM/Opportunities", role: "display:opportunities",
                                                         acceptsMessages: false, recordKey: nil)
        #expect(again.id == display.id && again.uidValidity == display.uidValidity)
    }

    @Test func replacingASummaryKeepsUserFlagsClearsSeenAndKeepsUIDValidity() async throws {
        let (store, _, display) = try await setUp()
        let first = try await store.replaceSummary(in: display.id, recordKey: "opportunities/42", version: "1",
                                                   raw: summary("v1"), date: Date(), replacing: nil)
        _ = try await store.store(.add, flags: ["\\Flagged", "\\Seen", "$Hot"], uids: [first], in: display.id)
        let old = try #require(try await store.summaries(in: display.id).first)
        let second = try await store.replaceSummary(in: display.id, recordKey: "opportunities/42", version: "2",
                                                    raw: summary("v2"), date: Date(), replacing: old)
        let now = try await store.summaries(in: display.id)
        #expect(now.count == 1 && now[0].uid == second && second > first && now[0].version == "2")
        #expect(Set(now[0].flags) == ["\\Flagged", "$Hot"])
        #expect(try await store.info(of: display.id).uidValidity == display.uidValidity)
        #expect(try await store.content(in: display.id, uid: second)?.raw == summary("v2"))
    }

    @Test func removingAManagedFolderDeletesItsMessages() async throws {
        let (store, alice, display) = try await setUp()
        _ = try await store.replaceSummary(in: display.id, recordKey: "opportunities/1", version: "1", raw: summary("a"), date: Date(), replacing: nil)
        try await store.removeManagedMailbox(display.id)
        #expect(try await store.managedMailboxes(of: alice).isEmpty)
        await #expect(throws: MailStoreError.mailboxNotFound("CRM/Opportunities")) {
            _ = try await store.mailbox(of: alice, named: "CRM/Opportunities")
        }
    }
}
