import Foundation
import GRDB
import Synchronization
import Testing
@testable import MailStore

private func sample(_ subject: String, attachment: Bool = false) -> [UInt8] {
    Array("From: Carol <carol@example.org>\r\nTo: alice@example.com\r\nSubject: \(subject)\r\nMessage-ID: <\(subject)@example.org>\r\n\r\nBody of \(subject)\r\n".utf8)
}

private func storeWithAlice() async throws -> (LocalStore, UserID) {
    let store = try LocalStore(inMemory: ())
    let alice = try await store.createUser(email: "alice@example.com", password: "secret")
    return (store, alice)
}

@Suite("Local store: accounts")
struct AccountTests {
    @Test func everyCommitIsFlushedToDiskBeforeItReturns() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        // 2 = FULL: a commit survives power loss, not only a crash of the process.
        #expect(try await store.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        try store.close()
    }

    @Test func newAccountHasSubscribedSpecialUseMailboxes() async throws {
        let (store, alice) = try await storeWithAlice()
        let boxes = try await store.mailboxes(of: alice)
        #expect(boxes.map(\.name) == ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"])
        #expect(boxes.first { $0.name == "Sent" }?.specialUse == "\\Sent")
        #expect(try await store.subscriptions(of: alice) == Set(boxes.map(\.name)))
    }

    @Test func authenticationChecksThePasswordAndIgnoresEmailCase() async throws {
        let (store, alice) = try await storeWithAlice()
        #expect(try await store.authenticate(email: "alice@example.com", password: "secret") == alice)
        #expect(try await store.authenticate(email: "ALICE@example.com", password: "secret") == alice)
        #expect(try await store.authenticate(email: "alice@example.com", password: "Secret") == nil)
        #expect(try await store.authenticate(email: "nobody@example.com", password: "secret") == nil)
    }

    @Test func duplicateAccountIsRefused() async throws {
        let (store, _) = try await storeWithAlice()
        await #expect(throws: MailStoreError.userExists("Alice@example.com")) {
            try await store.createUser(email: "Alice@example.com", password: "x")
        }
    }

    @Test func passwordChangeTakesEffect() async throws {
        let (store, alice) = try await storeWithAlice()
        try await store.setPassword(email: "alice@example.com", password: "new one")
        #expect(try await store.authenticate(email: "alice@example.com", password: "secret") == nil)
        #expect(try await store.authenticate(email: "alice@example.com", password: "new one") == alice)
        await #expect(throws: MailStoreError.userNotFound("bob@example.com")) {
            try await store.setPassword(email: "bob@example.com", password: "x")
        }
    }

    @Test func passwordsAreStoredAsSaltedHashes() throws {
        let a = try PasswordHasher.hash("secret")
        let b = try PasswordHasher.hash("secret")
        #expect(a != b)
        #expect(a.hasPrefix("pbkdf2-sha256$210000$"))
        #expect(!a.contains("secret"))
        #expect(PasswordHasher.verify("secret", against: a))
        #expect(!PasswordHasher.verify("secret", against: "garbage"))
    }

    /// Hashing runs on its own few threads: never more at once than the pool allows.
    @Test func passwordWorkRunsOnABoundedPoolOfItsOwn() async throws {
        let limit = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        let running = Concurrency()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<(limit + 3) {
                group.addTask {
                    try await PasswordHasher.inPool {
                        running.state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        Thread.sleep(forTimeInterval: 0.02)
                        running.state.withLock { $0.now -= 1 }
                        return OperationQueue.current?.name == "crmgate password hashing"
                    }
                }
            }
            for try await elsewhere in group { #expect(elsewhere) }
        }
        #expect(running.state.withLock { $0.most } <= limit)
    }
}

/// How many pieces of work run at once, and the most seen.
private final class Concurrency: Sendable {
    let state = Mutex((now: 0, most: 0))
}

@Suite("Local store: mailboxes")
struct MailboxTests {
    @Test func createMakesMissingParents() async throws {
        let (store, alice) = try await storeWithAlice()
        try await store.createMailbox(of: alice, named: "Customers/Acme Corp/2026")
        let names = try await store.mailboxes(of: alice).map(\.name)
        #expect(names.contains("Customers") && names.contains("Customers/Acme Corp") && names.contains("Customers/Acme Corp/2026"))
    }

    @Test(arguments: ["", "/a", "a/", "a//b", "a*b", "a%b", "tab\there"])
    func invalidNamesAreRefused(_ name: String) async throws {
        let (store, alice) = try await storeWithAlice()
        await #expect(throws: MailStoreError.self) { try await store.createMailbox(of: alice, named: name) }
    }

    @Test func inboxIsCaseInsensitive() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "inbox")
        #expect(inbox.name == "INBOX")
        await #expect(throws: MailStoreError.mailboxExists("Inbox")) { try await store.createMailbox(of: alice, named: "Inbox") }
        await #expect(throws: MailStoreError.inboxCannotBeDeleted) { try await store.deleteMailbox(of: alice, named: "iNbOx") }
    }

    @Test func deleteRefusesAMailboxWithChildren() async throws {
        let (store, alice) = try await storeWithAlice()
        try await store.createMailbox(of: alice, named: "A/B")
        await #expect(throws: MailStoreError.mailboxHasChildren("A")) { try await store.deleteMailbox(of: alice, named: "A") }
        try await store.deleteMailbox(of: alice, named: "A/B")
        try await store.deleteMailbox(of: alice, named: "A")
    }

    @Test func recreatedMailboxGetsANewUIDValidity() async throws {
        let (store, alice) = try await storeWithAlice()
        try await store.createMailbox(of: alice, named: "Temp")
        let first = try await store.mailbox(of: alice, named: "Temp").uidValidity
        try await store.deleteMailbox(of: alice, named: "Temp")
        try await store.createMailbox(of: alice, named: "Temp")
        #expect(try await store.mailbox(of: alice, named: "Temp").uidValidity != first)
    }

    @Test func renameMovesChildrenAlong() async throws {
        let (store, alice) = try await storeWithAlice()
        try await store.createMailbox(of: alice, named: "Old/Child")
        let id = try await store.mailbox(of: alice, named: "Old/Child").id
        try await store.renameMailbox(of: alice, from: "Old", to: "New name")
        let renamed = try await store.mailbox(of: alice, named: "New name/Child")
        #expect(renamed.id == id)
        await #expect(throws: MailStoreError.mailboxNotFound("Old")) { try await store.mailbox(of: alice, named: "Old") }
    }

    @Test func renamingInboxMovesItsMessagesAndLeavesItEmpty() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        _ = try await store.append(NewMessage(raw: sample("One")), to: inbox.id)
        let before = store.changes.version(of: inbox.id)
        try await store.renameMailbox(of: alice, from: "INBOX", to: "Old Inbox")
        let old = try await store.mailbox(of: alice, named: "Old Inbox")
        #expect(try await store.counts(of: old.id).messages == 1)
        #expect(try await store.counts(of: inbox.id).messages == 0)
        // Sessions with INBOX selected learn of it (they skip reading while the count stays).
        #expect(store.changes.version(of: inbox.id) > before)
    }
}

@Suite("Local store: messages")
struct MessageTests {
    @Test func appendAssignsAscendingUIDsAndRaisesModSeq() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let a = try await store.append(NewMessage(raw: sample("A"), flags: ["\\Seen"]), to: inbox.id)
        let b = try await store.append(NewMessage(raw: sample("B")), to: inbox.id)
        #expect(a.uid == 1 && b.uid == 2 && a.uidValidity == inbox.uidValidity)
        let info = try await store.info(of: inbox.id)
        #expect(info.uidNext == 3 && info.highestModSeq > inbox.highestModSeq)
        let counts = try await store.counts(of: inbox.id)
        #expect(counts.messages == 2 && counts.unseen == 1 && counts.firstUnseen == 2)
    }

    @Test func metadataCarriesPreEncodedEnvelopeAndBodyStructure() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        _ = try await store.append(NewMessage(raw: sample("Hello")), to: inbox.id)
        let meta = try #require(try await store.metadata(in: inbox.id, uids: [1]).first)
        #expect(String(decoding: meta.envelope, as: UTF8.self).contains("\"Hello\""))
        #expect(String(decoding: meta.bodyStructure, as: UTF8.self).uppercased().hasPrefix("(\"TEXT\" \"PLAIN\""))
        let content = try #require(try await store.content(in: inbox.id, uid: 1))
        #expect(content.raw == sample("Hello"))
    }

    @Test func storeChangesFlagsAndHonoursUnchangedSince() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        _ = try await store.append(NewMessage(raw: sample("A")), to: inbox.id)
        _ = try await store.append(NewMessage(raw: sample("B")), to: inbox.id)
        let before = try await store.info(of: inbox.id).highestModSeq
        let first = try await store.store(.add, flags: ["\\Flagged", "$CRMDone"], uids: [1], in: inbox.id)
        #expect(first.states.map(\.flags) == [["\\Flagged", "$CRMDone"]])
        let conditional = try await store.store(.add, flags: ["\\Seen"], uids: [1, 2], in: inbox.id, unchangedSince: before)
        #expect(conditional.modified == [1])
        #expect(conditional.states.map(\.uid) == [2])
        let removed = try await store.store(.remove, flags: ["$crmdone"], uids: [1], in: inbox.id)
        #expect(removed.states.first?.flags == ["\\Flagged"])
    }

    @Test func moveCopiesAndLeavesTombstonesForOtherSessions() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let archive = try await store.mailbox(of: alice, named: "Archive")
        for s in ["A", "B", "C"] { _ = try await store.append(NewMessage(raw: sample(s)), to: inbox.id) }
        let mark = try await store.info(of: inbox.id).highestModSeq
        let result = try await store.move(uids: [1, 3], from: inbox.id, to: archive.id)
        #expect(result.sourceUIDs == [1, 3] && result.destinationUIDs == [1, 2])
        let changes = try await store.changes(in: inbox.id, since: mark)
        #expect(changes.expunged == [1, 3])
        #expect(try await store.states(of: inbox.id).map(\.uid) == [2])
        #expect(try await store.content(in: archive.id, uid: 2)?.raw == sample("C"))
    }

    @Test func sessionsAskingWhatChangedShareOneReadUntilTheMailboxChangesAgain() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let mark = try await store.info(of: inbox.id).highestModSeq
        _ = try await store.append(NewMessage(raw: sample("A")), to: inbox.id)
        #expect(try await store.changes(in: inbox.id, since: mark).changed.map(\.uid) == [1])
        // The next session asking the same is answered from that read.
        #expect(store.recentChanges.answer(inbox.id, since: mark, version: store.changes.version(of: inbox.id))?.changed.map(\.uid) == [1])
        // Once the mailbox changed, the answer is read again and has the change.
        _ = try await store.store(.add, flags: ["\\Seen"], uids: [1], in: inbox.id)
        _ = try await store.append(NewMessage(raw: sample("B")), to: inbox.id)
        #expect(store.recentChanges.answer(inbox.id, since: mark, version: store.changes.version(of: inbox.id)) == nil)
        let again = try await store.changes(in: inbox.id, since: mark)
        #expect(again.changed.map(\.uid) == [1, 2] && again.changed.first?.flags == ["\\Seen"])
        _ = try await store.store(.add, flags: ["\\Deleted"], uids: [2], in: inbox.id)
        #expect(try await store.expunge(inbox.id) == [2])
        #expect(try await store.changes(in: inbox.id, since: mark).expunged == [2])
    }

    @Test func expungeRemovesOnlyDeletedMessagesAndReleasesUnsharedBodies() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let trash = try await store.mailbox(of: alice, named: "Trash")
        for s in ["A", "B", "C"] { _ = try await store.append(NewMessage(raw: sample(s)), to: inbox.id) }
        _ = try await store.copy(uids: [1], from: inbox.id, to: trash.id)
        _ = try await store.store(.add, flags: ["\\Deleted"], uids: [1, 2], in: inbox.id)
        #expect(try await store.expunge(inbox.id, uids: [2, 3]) == [2])
        #expect(try await store.expunge(inbox.id) == [1])
        // The copy in Trash keeps the shared body alive; B's body is gone.
        #expect(try await store.content(in: trash.id, uid: 1)?.raw == sample("A"))
        let bodies = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM body") }
        let chunks = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bodyChunk") }
        #expect(bodies == 2 && chunks == 2)
    }

    @Test func byteRangesAcrossChunkBoundariesReadBack() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let header = Array("Subject: big\r\n\r\n".utf8)
        let raw = header + (0..<(BodyChunks.size * 2 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = try await store.append(NewMessage(raw: raw), to: inbox.id)
        let stored = try #require(try await store.storedMessage(in: inbox.id, uid: 1))
        #expect(stored.index.size == raw.count)
        for range in [0..<10, (BodyChunks.size - 5)..<(BodyChunks.size + 5), 100..<(raw.count), (raw.count - 1)..<(raw.count + 50)] {
            #expect(try await store.read(stored, range: range) == Array(raw[range.clamped(to: 0..<raw.count)]))
        }
        #expect(try await store.content(in: inbox.id, uid: 1)?.raw == raw)
    }

    @Test func searchVisitsMessagesOneByOne() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        for s in ["Alpha", "Beta", "Gamma"] { _ = try await store.append(NewMessage(raw: sample(s)), to: inbox.id) }
        let matches = try await store.uids(in: inbox.id, depth: .content) { message in
            message.content?.index.headerValues("Subject", in: message.content!.raw).first?.hasSuffix("a") == true
                && message.state.uid != 1
        }
        #expect(matches == [2, 3])
    }

    /// The prefilter leaves to Swift only the messages that can match: ASCII texts that
    /// contain the word whatever its case, and every text beyond ASCII (Unicode folding
    /// decides those); a message without stored fields is never dropped either.
    @Test func aSearchPrefilterDropsOnlyAsciiTextsWithoutTheWord() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        for subject in ["Order 1", "Café ORDER 2", "Other 3", "Ünrelated 4"] {
            _ = try await store.append(NewMessage(raw: sample(subject)), to: inbox.id)
        }
        let bySubject = try await store.uids(in: inbox.id, depth: .fields, prefilter: SearchPrefilter(.fields, needle: Array("oRdEr".utf8))) { _ in true }
        #expect(bySubject == [1, 2, 4])
        let byBody = try await store.uids(in: inbox.id, depth: .bodyText, prefilter: SearchPrefilter(.bodyText, needle: Array("body OF other".utf8))) { _ in true }
        #expect(byBody == [2, 3, 4])
        #expect(SearchPrefilter(.fields, needle: Array("Grüße".utf8)) == nil, "a word beyond ASCII is left to Swift")
    }

    @Test func changeBusWakesObserversOfThatMailboxOnlyUntilCancelled() async throws {
        let (store, alice) = try await storeWithAlice()
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let sent = try await store.mailbox(of: alice, named: "Sent")
        let counts = Mutex<(inbox: Int, sent: Int)>((0, 0))
        let inboxSubscription = store.changes.observe(inbox.id) { counts.withLock { $0.inbox += 1 } }
        let sentSubscription = store.changes.observe(sent.id) { counts.withLock { $0.sent += 1 } }
        _ = try await store.append(NewMessage(raw: sample("A")), to: inbox.id)
        #expect(counts.withLock { $0.inbox } == 1 && counts.withLock { $0.sent } == 0)
        inboxSubscription.cancel()
        _ = try await store.append(NewMessage(raw: sample("B")), to: inbox.id)
        #expect(counts.withLock { $0.inbox } == 1, "a cancelled subscription hears nothing more")
        withExtendedLifetime(sentSubscription) {}
    }

    @Test func committedMessagesSurviveReopeningTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try LocalStore(directory: directory)
            let alice = try await store.createUser(email: "alice@example.com", password: "secret")
            let inbox = try await store.mailbox(of: alice, named: "INBOX")
            _ = try await store.append(NewMessage(raw: sample("Kept")), to: inbox.id)
            try store.close()
        }
        let reopened = try LocalStore(directory: directory)
        let alice = try #require(try await reopened.authenticate(email: "alice@example.com", password: "secret"))
        let inbox = try await reopened.mailbox(of: alice, named: "INBOX")
        #expect(try await reopened.content(in: inbox.id, uid: 1)?.raw == sample("Kept"))
    }

    /// Small reads run on the caller's thread through connections of their own: each sees
    /// every commit before it, whether the mailbox is read whole on the readers' threads
    /// (first SELECT) or in place (later ones, the mailbox being small).
    @Test func readsInPlaceSeeEveryCommitBeforeThem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        let alice = try await store.createUser(email: "alice@example.com", password: "secret")
        for n in 1...3 {
            let appended = try await store.append(NewMessage(raw: sample("In place \(n)")), to: try await store.mailbox(of: alice, named: "INBOX").id)
            let selection = try await store.selection(of: alice, named: "INBOX")
            #expect(selection.states.map(\.uid) == Array(1...UInt32(n)))
            let metadata = try await store.metadata(in: selection.info.id, uids: [appended.uid])
            #expect(metadata.map(\.state.uid) == [appended.uid])
            #expect(try await store.content(in: selection.info.id, uid: appended.uid)?.raw == sample("In place \(n)"))
        }
        try store.close()
    }
}

@Suite("Local store: API tokens")
struct TokenTests {
    @Test func tokenIdentifiesItsAccountAndOnlyItsHashIsStored() async throws {
        let (store, alice) = try await storeWithAlice()
        let token = try await store.createToken(email: "alice@example.com")
        #expect(token.hasPrefix("cgt_") && token.count > 40)
        #expect(try await store.account(forToken: token)?.id == alice)
        #expect(try await store.account(forToken: token + "x") == nil)
        let stored = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT hash FROM apiToken") }
        #expect(stored.count == 1 && stored[0] != token && !stored[0].contains(token))
    }

    @Test func tokenForUnknownAccountIsRefused() async throws {
        let (store, _) = try await storeWithAlice()
        await #expect(throws: MailStoreError.userNotFound("nobody@example.com")) {
            _ = try await store.createToken(email: "nobody@example.com")
        }
    }
}

@Suite("Local store: what IMAP extensions read")
struct LocalStoreExtensionTests {
    @Test func aSavedMessageKnowsWhenItWasSavedAndItsBody() async throws {
        let store = try LocalStore(inMemory: ())
        let alice = try await store.createUser(email: "alice@example.com", password: "secret")
        let inbox = try await store.mailbox(of: alice, named: "INBOX")
        let before = Date().addingTimeInterval(-1)
        let (_, uid) = try await store.append(NewMessage(raw: Array("Subject: x\r\n\r\nbody\r\n".utf8)), to: inbox.id)
        let meta = try #require(try await store.metadata(in: inbox.id, uids: [uid]).first)
        #expect(meta.savedAt.map { $0 >= before } == true, "\(String(describing: meta.savedAt))")
        #expect(meta.bodyID > 0)
        let searched = try await store.uids(in: inbox.id, depth: .state) { $0.savedAt != nil && $0.bodyID == meta.bodyID }
        #expect(searched == [uid])
    }
}
