import Foundation
import Testing
@testable import MailStore

@Suite("Local store: drop queue")
struct DropQueueTests {
    struct World {
        let store: LocalStore
        let alice: UserID
        let inbox: MailboxInfo
        let drop: MailboxInfo
        let display: MailboxInfo
    }

    private func world(_ store: LocalStore? = nil) async throws -> World {
        let store = try store ?? LocalStore(inMemory: ())
        let alice = try await store.createUser(email: "alice@example.com", password: "x")
        let drop = try await store.ensureManagedMailbox(of: alice, named: "CRM/- Create New Opportunity", role: "create:opportunities",
                                                        acceptsMessages: true, recordKey: nil)
        let display = try await store.ensureManagedMailbox(of: alice, named: "CRM/Opportunities", role: "display:opportunities",
                                                           acceptsMessages: false, recordKey: nil)
        return World(store: store, alice: alice, inbox: try await store.mailbox(of: alice, named: "INBOX"), drop: drop, display: display)
    }

    private func mail(_ subject: String) -> [UInt8] {
        Array("From: bob@example.org\r\nSubject: \(subject)\r\nMessage-ID: <\(subject)@example.org>\r\n\r\nHi\r\n".utf8)
    }

    @Test func appendIntoADropFolderQueuesItAsPendingInTheSameTransaction() async throws {
        let w = try await world()
        var wake = w.store.drops.subscribe().makeAsyncIterator()
        let (_, uid) = try await w.store.append(NewMessage(raw: mail("A")), to: w.drop.id)
        #expect(await wake.next() != nil)
        let jobs = try await w.store.dueDrops()
        #expect(jobs.count == 1 && jobs[0].uid == uid && jobs[0].source == nil && jobs[0].role == "create:opportunities")
        #expect(try await w.store.states(of: w.drop.id).first?.flags == [DropKeyword.pending])
    }

    @Test func moveRemembersWhereTheMessageCameFrom() async throws {
        let w = try await world()
        _ = try await w.store.append(NewMessage(raw: mail("A"), flags: ["\\Seen"]), to: w.inbox.id)
        let moved = try await w.store.move(uids: [1], from: w.inbox.id, to: w.drop.id)
        #expect(moved.queuedDrops)
        let job = try #require(try await w.store.dueDrops().first)
        #expect(job.source == w.inbox.id)
        #expect(Set(try await w.store.states(of: w.drop.id)[0].flags) == ["\\Seen", DropKeyword.pending])
    }

    @Test func ordinaryFoldersQueueNothing() async throws {
        let w = try await world()
        _ = try await w.store.append(NewMessage(raw: mail("A")), to: w.inbox.id)
        let copied = try await w.store.copy(uids: [1], from: w.inbox.id, to: try await w.store.mailbox(of: w.alice, named: "Archive").id)
        #expect(!copied.queuedDrops)
        #expect(try await w.store.dueDrops().isEmpty)
    }

    @Test func deletingTheMessageBeforeProcessingCancelsTheDrop() async throws {
        let w = try await world()
        _ = try await w.store.append(NewMessage(raw: mail("A"), flags: ["\\Deleted"]), to: w.drop.id)
        _ = try await w.store.expunge(w.drop.id)
        #expect(try await w.store.dueDrops().isEmpty)
    }

    @Test func completedDropIsMarkedDoneAndGoesBack() async throws {
        let w = try await world()
        _ = try await w.store.append(NewMessage(raw: mail("A")), to: w.inbox.id)
        _ = try await w.store.move(uids: [1], from: w.inbox.id, to: w.drop.id)
        let job = try #require(try await w.store.dueDrops().first)
        try await w.store.completeDrop(job, moveTo: job.source)
        #expect(try await w.store.dueDrops().isEmpty)
        #expect(try await w.store.states(of: w.drop.id).isEmpty)
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done]])
    }

    @Test func retriedDropWaitsUntilItsTimeAndFailedOneShowsTheError() async throws {
        let w = try await world()
        _ = try await w.store.append(NewMessage(raw: mail("A")), to: w.drop.id)
        let job = try #require(try await w.store.dueDrops().first)
        try await w.store.retryDrop(job, at: Date().addingTimeInterval(60), error: "CRM unavailable")
        #expect(try await w.store.dueDrops().isEmpty)
        let later = try #require(try await w.store.dueDrops(now: Date().addingTimeInterval(61)).first)
        #expect(later.attempts == 1)
        try await w.store.failDrop(later, error: "no match")
        #expect(try await w.store.dueDrops(now: Date().addingTimeInterval(3600)).isEmpty)
        #expect(try await w.store.states(of: w.drop.id).map(\.flags) == [[DropKeyword.error]])
    }

    @Test func droppingAFailedMessageAgainRetriesIt() async throws {
        let w = try await world()
        _ = try await w.store.append(NewMessage(raw: mail("A"), flags: [DropKeyword.error, "\\Flagged"]), to: w.inbox.id)
        _ = try await w.store.move(uids: [1], from: w.inbox.id, to: w.drop.id)
        #expect(Set(try await w.store.states(of: w.drop.id)[0].flags) == ["\\Flagged", DropKeyword.pending])
        #expect(try await w.store.dueDrops().count == 1)
    }

    @Test func queuedDropsSurviveReopeningTheStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drops-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let w = try await world(try LocalStore(directory: directory))
            _ = try await w.store.append(NewMessage(raw: mail("A")), to: w.drop.id)
            try w.store.close()
        }
        let reopened = try LocalStore(directory: directory)
        #expect(try await reopened.dueDrops().count == 1)
    }

    @Test func summariesCountDropsPerAccountWithFailureReasons() async throws {
        let w = try await world()
        for subject in ["A", "B", "C"] { _ = try await w.store.append(NewMessage(raw: mail(subject)), to: w.drop.id) }
        let jobs = try await w.store.dueDrops()
        try await w.store.completeDrop(jobs[0], moveTo: w.inbox.id)  // its message leaves the drop folder
        try await w.store.failDrop(jobs[1], error: "no contact matches x@y.z")
        let summary = try #require(try await w.store.dropSummaries().first)
        #expect(summary.email == "alice@example.com" && summary.pending == 1 && summary.done == 1 && summary.failed == 1)
        #expect(summary.recentFailures == ["no contact matches x@y.z"])
    }
}
