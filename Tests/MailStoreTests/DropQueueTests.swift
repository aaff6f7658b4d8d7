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

    private func mail(_ subject: String, inReplyTo: String? = nil, references: String? = nil) -> [UInt8] {
        var header = "From: bob@example.org\r\nSubject: \(subject)\r\nMessage-ID: <\(subject)@example.org>\r\n"
        if let inReplyTo { header += "In-Reply-To: \(inReplyTo)\r\n" }
        if let references { header += "References: \(references)\r\n" }
        return Array((header + "\r\nHi\r\n").utf8)
    }

    /// Drops `subject` from INBOX, completes it and tracks it as archived to opportunity 42.
    private func trackedDrop(_ w: World, _ subject: String) async throws {
        _ = try await w.store.append(NewMessage(raw: mail(subject)), to: w.inbox.id)
        let uid = try #require(try await w.store.states(of: w.inbox.id).last?.uid)
        _ = try await w.store.move(uids: [uid], from: w.inbox.id, to: w.drop.id)
        let job = try #require(try await w.store.dueDrops().first)
        try await w.store.completeDrop(job, .moveTo(w.inbox.id), tracking: [
            TrackedMessage(messageID: "<\(subject)@example.org>", target: "opportunities/42",
                           records: ["opportunities/42", "accounts/7"], people: ["contacts/3"]),
        ])
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

    @Test func theQueueIsReadOnPastTheJobsAlreadyTaken() async throws {
        let w = try await world()
        for subject in ["A", "B", "C"] { _ = try await w.store.append(NewMessage(raw: mail(subject)), to: w.drop.id) }
        let first = try await w.store.dueDrops(limit: 2)
        #expect(first.map(\.uid) == [1, 2])
        let rest = try await w.store.dueDrops(after: try #require(first.last?.id), limit: 2)
        #expect(rest.map(\.uid) == [3])
        #expect(try await w.store.dueDrops(after: try #require(rest.last?.id)).isEmpty)
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
        try await w.store.completeDrop(job, .moveTo(try #require(job.source)))
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
        try await w.store.completeDrop(jobs[0], .moveTo(w.inbox.id))  // its message leaves the drop folder
        try await w.store.failDrop(jobs[1], error: "no contact matches x@y.z")
        let summary = try #require(try await w.store.dropSummaries().first)
        #expect(summary.email == "alice@example.com" && summary.pending == 1 && summary.done == 1 && summary.failed == 1)
        #expect(summary.recentFailures == ["no contact matches x@y.z"])
    }

    @Test func keepLeavesTheDoneMessageInTheDropFolderAndDeleteExpungesIt() async throws {
        let w = try await world()
        for subject in ["A", "B"] { _ = try await w.store.append(NewMessage(raw: mail(subject)), to: w.drop.id) }
        let jobs = try await w.store.dueDrops()
        try await w.store.completeDrop(jobs[0], .keep)
        try await w.store.completeDrop(jobs[1], .delete)
        #expect(try await w.store.states(of: w.drop.id).map(\.flags) == [[DropKeyword.done]])
        #expect(try await w.store.dueDrops().isEmpty)
    }

    @Test func aReplyToATrackedMailArrivingInAnyFolderIsQueuedAsAFollowUp() async throws {
        let w = try await world()
        try await trackedDrop(w, "A")
        // The tracked mail itself went back to INBOX without being queued again.
        #expect(try await w.store.dueDrops().isEmpty)
        _ = try await w.store.append(NewMessage(raw: mail("B", inReplyTo: "<A@example.org>")), to: w.inbox.id)
        let sent = try await w.store.mailbox(of: w.alice, named: "Sent")
        _ = try await w.store.append(NewMessage(raw: mail("C", references: "<x@y> <A@example.org>")), to: sent.id)
        _ = try await w.store.append(NewMessage(raw: mail("D", inReplyTo: "<unrelated@example.org>")), to: w.inbox.id)
        let jobs = try await w.store.dueDrops()
        #expect(jobs.map(\.role) == [DropJob.followRole, DropJob.followRole])
        #expect(jobs.map(\.mailbox) == [w.inbox.id, sent.id])
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done], [DropKeyword.pending], []])
        let tracked = try await w.store.trackedMessages(of: w.alice, among: ["<x@y>", "<A@example.org>"])
        #expect(tracked == [TrackedMessage(messageID: "<A@example.org>", target: "opportunities/42",
                                           records: ["opportunities/42", "accounts/7"], people: ["contacts/3"])])
    }

    @Test func copyingAReplyIntoAnotherFolderQueuesItThereUnlessItIsTrackedAlready() async throws {
        let w = try await world()
        try await trackedDrop(w, "A")
        let archive = try await w.store.mailbox(of: w.alice, named: "Archive")
        _ = try await w.store.append(NewMessage(raw: mail("B", inReplyTo: "<A@example.org>")), to: archive.id, queueDrop: false)
        _ = try await w.store.copy(uids: [1], from: archive.id, to: w.inbox.id)
        let job = try #require(try await w.store.dueDrops().first)
        #expect(job.follow && job.mailbox == w.inbox.id && job.source == archive.id)
        try await w.store.completeDrop(job, .keep, tracking: [
            TrackedMessage(messageID: "<B@example.org>", target: "opportunities/42", records: ["opportunities/42"], people: []),
        ])
        // Tracked now: copying it again is no new follow-up.
        _ = try await w.store.copy(uids: [1], from: archive.id, to: w.inbox.id)
        #expect(try await w.store.dueDrops().isEmpty)
    }

    @Test func aDismissedFollowUpLeavesNoTrace() async throws {
        let w = try await world()
        try await trackedDrop(w, "A")
        _ = try await w.store.append(NewMessage(raw: mail("B", inReplyTo: "<A@example.org>"), flags: ["\\Seen"]), to: w.inbox.id)
        let job = try #require(try await w.store.dueDrops().first)
        try await w.store.dismissDrop(job)
        #expect(try await w.store.dueDrops().isEmpty)
        #expect(try await w.store.states(of: w.inbox.id).last?.flags == ["\\Seen"])
        #expect(try await w.store.dropSummaries().first?.done == 1)
    }
}
