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

    @Test func managedRootsAreTheTopLevelNamesOfTheUsersManagedFoldersOnly() async throws {
        let (store, alice, _) = try await setUp()
        try await store.ensureManagedMailbox(of: alice, named: "Sales CRM", role: "folder", acceptsMessages: false, recordKey: nil)
        try await store.createMailbox(of: alice, named: "Projects/2026", specialUse: nil)
        let bob = try await store.createUser(email: "bob@example.com", password: "secret")
        try await store.ensureManagedMailbox(of: bob, named: "Bob CRM/Cases", role: "display:cases", acceptsMessages: false, recordKey: nil)
        #expect(try await store.managedRoots(of: alice) == ["CRM", "Sales CRM"])
        #expect(try await store.managedRoots(of: bob) == ["Bob CRM"])
    }

    @Test func ensuringTwiceAdoptsTheSameMailbox() async throws {
        let (store, alice, display) = try await setUp()
        let again = try await store.ensureManagedMailbox(of: alice, named: "CRM/Opportunities", role: "display:opportunities",
                                                         acceptsMessages: false, recordKey: nil)
        #expect(again.id == display.id && again.uidValidity == display.uidValidity)
    }

    @Test func replacingASummaryKeepsItsFlagsAndUIDValidity() async throws {
        let (store, _, display) = try await setUp()
        let first = try await store.replaceSummary(in: display.id, recordKey: "opportunities/42", version: "1",
                                                   raw: summary("v1"), date: Date(), replacing: nil)
        _ = try await store.store(.add, flags: ["\\Flagged", "\\Seen", "$Hot"], uids: [first], in: display.id)
        let old = try #require(try await store.summaries(in: display.id).first)
        let second = try await store.replaceSummary(in: display.id, recordKey: "opportunities/42", version: "2",
                                                    raw: summary("v2"), date: Date(), replacing: old)
        let now = try await store.summaries(in: display.id)
        #expect(now.count == 1 && now[0].uid == second && second > first && now[0].version == "2")
        #expect(Set(now[0].flags) == ["\\Flagged", "\\Seen", "$Hot"])
        #expect(try await store.info(of: display.id).uidValidity == display.uidValidity)
        #expect(try await store.content(in: display.id, uid: second)?.raw == summary("v2"))
    }

    @Test func severalFoldersAreEnsuredInOneCallWithTheirParentsAndInOrder() async throws {
        let (store, alice, display) = try await setUp()
        let folders = (1...3).map { ManagedFolder(name: "CRM/Assign To/Deal \($0)", role: "assign:opportunities/\($0)",
                                                  acceptsMessages: true, recordKey: "opportunities/\($0)") }
        let infos = try await store.ensureManagedMailboxes(of: alice, folders + [ManagedFolder(name: "CRM/Opportunities", role: "display:opportunities",
                                                                                              acceptsMessages: false, recordKey: nil)])
        #expect(infos.map(\.name) == ["CRM/Assign To/Deal 1", "CRM/Assign To/Deal 2", "CRM/Assign To/Deal 3", "CRM/Opportunities"])
        #expect(infos.last?.id == display.id)
        let managed = try await store.managedMailboxes(of: alice)
        #expect(managed.map(\.role) == ["assign:opportunities/1", "assign:opportunities/2", "assign:opportunities/3", "display:opportunities"])
        #expect(managed.first?.recordKey == "opportunities/1" && managed.first?.acceptsMessages == true)
        #expect(try await store.mailbox(of: alice, named: "CRM/Assign To").name == "CRM/Assign To")
        #expect(try await store.subscriptions(of: alice).isSuperset(of: Set(folders.map(\.name))))
        #expect(try await store.ensureManagedMailboxes(of: alice, []).isEmpty)
    }

    @Test func severalSummariesAreReplacedInOneCallEachLikeAReplaceOfItsOwn() async throws {
        let (store, _, display) = try await setUp()
        let firsts = try await store.replaceSummaries(in: display.id, ["1", "2", "3"].map {
            NewSummary(recordKey: "opportunities/\($0)", version: "a", raw: summary("\($0)a"), date: Date(), replacing: nil)
        })
        #expect(firsts.count == 3 && firsts == firsts.sorted())
        _ = try await store.store(.add, flags: ["\\Seen", "$Hot"], uids: [firsts[1]], in: display.id)
        let old = try await store.summaries(in: display.id)
        let seconds = try await store.replaceSummaries(in: display.id, [old[1], old[2]].map {
            NewSummary(recordKey: $0.recordKey, version: "b", raw: summary("\($0.recordKey) b"), date: Date(), replacing: $0,
                       unreadAgain: true)
        })
        let now = try await store.summaries(in: display.id)
        #expect(now.map(\.recordKey) == ["opportunities/1", "opportunities/2", "opportunities/3"])
        #expect(now.map(\.version) == ["a", "b", "b"] && now.map(\.uid) == [firsts[0]] + seconds)
        #expect(now[1].flags == ["$Hot"])  // unread again, as the policy may ask
        #expect(try await store.content(in: display.id, uid: seconds[1])?.raw == summary("opportunities/3 b"))
    }

    @Test func onlyFoldersThatTakeMessagesAreWritable() async throws {
        let (store, alice, display) = try await setUp()
        let drop = try await store.ensureManagedMailbox(of: alice, named: "CRM/- Create New Opportunity", role: "create:opportunities",
                                                        acceptsMessages: true, recordKey: nil)
        #expect(try await store.writableMailbox(of: alice, named: "CRM/- Create New Opportunity") == drop)
        #expect(try await store.writableMailbox(of: alice, named: "inbox").name == "INBOX")
        await #expect(throws: MailStoreError.summariesOnly(display.name)) {
            _ = try await store.writableMailbox(of: alice, named: "CRM/Opportunities")
        }
        // The parents crmgate creates are plain folders.
        #expect(try await store.writableMailbox(of: alice, named: "CRM").name == "CRM")
        await #expect(throws: MailStoreError.mailboxNotFound("Nope")) {
            _ = try await store.writableMailbox(of: alice, named: "Nope")
        }
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
