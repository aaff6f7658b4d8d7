import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Logging
import MailStore
import MIMECore
import Testing
@testable import CRMFolders

@Suite("Drops: processing")
struct DropProcessorTests {
    /// The flags of a mail whose drop failed, under the default policy (`flag_failed_drops`).
    static let failed: Set<String> = [DropKeyword.error, "\\Flagged", DropKeyword.importantLabel, DropKeyword.flaggedByCRMGate]

    struct World {
        let crm: EmbeddedCRM
        let store: LocalStore
        let processor: DropProcessor
        let alice: UserID
        let aliceCRM: CRMUser
        let inbox: MailboxInfo
        let acme: CRMRecord
        let jane: CRMRecord

        func drop(into role: String, name: String, recordKey: String? = nil) async throws -> MailboxInfo {
            try await store.ensureManagedMailbox(of: alice, named: "CRM/\(name)", role: role, acceptsMessages: true, recordKey: recordKey)
        }

        /// Appends `raw` to INBOX and moves it into `folder`, as a client's MOVE does.
        func move(_ raw: String, into folder: MailboxInfo) async throws {
            let (_, uid) = try await store.append(NewMessage(raw: Array(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8)), to: inbox.id)
            _ = try await store.move(uids: [uid], from: inbox.id, to: folder.id)
        }
    }

    func world(policy: GatewayConfiguration.Policy = .init(), crm crmSection: GatewayConfiguration.CRM = .init(),
               bytesInFlight: Int = DropProcessor.bytesInFlight) async throws -> World {
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "http://crm.test")!)
        let store = try LocalStore(inMemory: ())
        let aliceCRM = try await crm.createUser(name: "Alice Martin", email: "alice@example.com")
        let alice = try await store.createUser(email: "alice@example.com", password: "x")
        let acme = try await crm.createRecord(in: .accounts, RecordDraft(fields: ["name": .text("Acme Corp"), "domains": .list(["acme.example"])]))
        let jane = try await crm.createRecord(in: .contacts, RecordDraft(fields: [
            "firstName": .text("Jane"), "lastName": .text("Doe"), "emails": .list(["jane@acme.example"]), "account": .reference(acme.ref)]))
        let processor = DropProcessor(store: store, connector: crm, configuration: GatewayConfiguration(crm: crmSection, policies: [policy]),
                                      logger: Logger(label: "test"), bytesInFlight: bytesInFlight)
        return World(crm: crm, store: store, processor: processor, alice: alice, aliceCRM: aliceCRM,
                     inbox: try await store.mailbox(of: alice, named: "INBOX"), acme: acme, jane: jane)
    }

    static let proposal = """
        From: Jane Doe <jane@acme.example>
        To: Alice Martin <alice@example.com>
        Subject: Re: Fwd: Website relaunch
        Message-ID: <relaunch-1@acme.example>
        Date: Tue, 24 Nov 2026 10:00:00 +0000
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain; charset=utf-8

        We would like a new website by March.
        --b
        Content-Type: application/pdf; name=brief.pdf
        Content-Disposition: attachment; filename=brief.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --b--

        """

    @Test func createNewOpportunityCreatesOneRecordArchivesTheMailAndReturnsIt() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move(Self.proposal, into: folder)
        #expect(await w.processor.processDue() == 1)
        let opportunities = try await w.crm.records(in: .opportunities, matching: RecordQuery()).records
        #expect(opportunities.count == 1)
        let deal = try #require(opportunities.first)
        #expect(deal.fields["name"]?.text == "Website relaunch" && deal.owner == w.aliceCRM.id)
        #expect(deal.fields["account"]?.reference == w.acme.ref && deal.fields["contact"]?.reference == w.jane.ref)
        #expect(deal.fields["description"]?.text?.contains("new website by March") == true)
        let archived = try await w.crm.archivedEmails(relatedTo: deal.ref)
        #expect(archived.count == 1 && archived[0].attachmentNames == ["brief.pdf"] && archived[0].people == [w.jane.ref])
        // Back in INBOX, marked done; the drop folder is empty.
        #expect(try await w.store.states(of: folder.id).isEmpty)
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done]])
    }

    @Test func droppingTheSameMailTwiceMakesNoSecondRecordOrArchive() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move(Self.proposal, into: folder)
        await w.processor.processDue()
        try await w.move(Self.proposal, into: folder)
        await w.processor.processDue()
        let deals = try await w.crm.records(in: .opportunities, matching: RecordQuery()).records
        #expect(deals.count == 1)
        #expect(try await w.crm.archivedEmails(relatedTo: deals[0].ref).count == 1)
    }

    @Test func assignToArchivesToThatRecordAndCreateEmailToThePeople() async throws {
        let w = try await world()
        let deal = try await w.crm.createRecord(in: .opportunities, RecordDraft(owner: w.aliceCRM.id, fields: ["name": .text("ERP"), "stage": .text("Proposal")]))
        let assign = try await w.drop(into: "assign:opportunities/\(deal.ref.id)", name: "Assign To ERP",
                                      recordKey: "opportunities/\(deal.ref.id)")
        let email = try await w.drop(into: "create-email", name: "- Create New Email")
        try await w.move(Self.proposal, into: assign)
        try await w.move(Self.proposal.replacingOccurrences(of: "relaunch-1", with: "relaunch-2"), into: email)
        #expect(await w.processor.processDue() == 2)
        #expect(try await w.crm.archivedEmails(relatedTo: deal.ref).count == 1)
        #expect(try await w.crm.archivedEmails(relatedTo: w.jane.ref).count == 2)
    }

    @Test func noMatchWithoutCreationFailsWithAReportBesideTheMail() async throws {
        let w = try await world(policy: .init(createContacts: false))
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        try await w.move("From: stranger@unknown.example\nTo: alice@example.com\nSubject: Hello\n\nhi\n", into: folder)
        await w.processor.processDue()
        let states = try await w.store.states(of: folder.id)
        #expect(states.count == 2 && Set(states[0].flags) == Self.failed)
        let report = try #require(try await w.store.content(in: folder.id, uid: states[1].uid))
        #expect(report.index.headerValues("Subject", in: report.raw) == ["Could not archive \"Hello\""])
        #expect(String(decoding: report.raw, as: UTF8.self).contains("stranger@unknown.example"))
        #expect(try await w.store.dueDrops(now: Date().addingTimeInterval(86_400)).isEmpty)
    }

    /// A drop from an unknown sender that fails, then works once the sender is a contact.
    func failThenFix(_ w: World, movingBack: Bool) async throws -> MailboxInfo {
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        try await w.move("From: Sam Stranger <sam@unknown.example>\nTo: alice@example.com\nSubject: Hello\nMessage-ID: <hello-1@unknown.example>\nDate: Tue, 24 Nov 2026 10:00:00 +0000\n\nhi\n", into: folder)
        await w.processor.processDue()
        let failed = try await w.store.states(of: folder.id)
        #expect(failed.map { Set($0.flags) } == [Self.failed, []])  // the mail (flagged) and its report
        _ = try await w.crm.createRecord(in: .contacts, RecordDraft(fields: ["lastName": .text("Stranger"), "emails": .list(["sam@unknown.example"])]))
        if movingBack {
            // The user moves the failed mail out and into the folder again.
            _ = try await w.store.move(uids: [failed[0].uid], from: folder.id, to: w.inbox.id)
            let back = try #require(try await w.store.states(of: w.inbox.id).last)
            _ = try await w.store.move(uids: [back.uid], from: w.inbox.id, to: folder.id)
        } else {
            // Or drops another copy of it, leaving the failed one where it is.
            try await w.move("From: Sam Stranger <sam@unknown.example>\nTo: alice@example.com\nSubject: Hello\nMessage-ID: <hello-1@unknown.example>\nDate: Tue, 24 Nov 2026 10:00:00 +0000\n\nhi\n", into: folder)
        }
        #expect(await w.processor.processDue() == 1)
        return folder
    }

    @Test func aDropThatWorksAfterFailingTakesItsReportAndErrorMarkAway() async throws {
        let w = try await world(policy: .init(createContacts: false))
        let folder = try await failThenFix(w, movingBack: true)
        #expect(try await w.store.states(of: folder.id).isEmpty)  // the report went, the mail went home
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done]])
        let sam = try #require(try await w.crm.records(in: .contacts, matching: RecordQuery(search: "Stranger")).records.first)
        #expect(try await w.crm.archivedEmails(relatedTo: sam.ref).count == 1)
    }

    @Test func aSecondCopyThatWorksClearsTheFailedCopysErrorMark() async throws {
        let w = try await world(policy: .init(createContacts: false))
        let folder = try await failThenFix(w, movingBack: false)
        // The failed copy stays (it is the user's mail) but shows done; no report is left.
        #expect(try await w.store.states(of: folder.id).map(\.flags) == [[DropKeyword.done]])
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done]])
    }

    @Test func aFailedDropIsFlaggedForEveryClientUnlessThePolicySaysNot() async throws {
        for flagging in [true, false] {
            let w = try await world(policy: .init(flagFailedDrops: flagging, createContacts: false))
            let folder = try await w.drop(into: "create-email", name: "- Create New Email")
            try await w.move("From: x@unknown.example\nTo: alice@example.com\nSubject: Hi\n\nhi\n", into: folder)
            await w.processor.processDue()
            let flags = Set(try await w.store.states(of: folder.id)[0].flags)
            #expect(flags == (flagging ? Self.failed : [DropKeyword.error]), "flag_failed_drops = \(flagging)")
        }
        // A flag the user set stays theirs: crmgate neither adds its marker nor takes it away.
        let w = try await world(policy: .init(createContacts: false))
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        let (_, uid) = try await w.store.append(NewMessage(raw: Array("From: x@unknown.example\r\nSubject: Hi\r\n\r\nhi\r\n".utf8), flags: ["\\Flagged"]), to: w.inbox.id)
        _ = try await w.store.move(uids: [uid], from: w.inbox.id, to: folder.id)
        await w.processor.processDue()
        let flagged = try await w.store.states(of: folder.id)[0]
        #expect(Set(flagged.flags) == ["\\Flagged", DropKeyword.error])
        _ = try await w.store.move(uids: [flagged.uid], from: folder.id, to: w.inbox.id)
        #expect(try await w.store.states(of: w.inbox.id)[0].flags.contains("\\Flagged"))
    }

    @Test func thePolicyMayReplaceTheReportWithANoteThatItWorked() async throws {
        let w = try await world(policy: .init(resolvedReports: "note", createContacts: false))
        let folder = try await failThenFix(w, movingBack: true)
        let left = try await w.store.states(of: folder.id)
        #expect(left.count == 1 && left[0].flags.isEmpty)
        let note = try #require(try await w.store.content(in: folder.id, uid: left[0].uid))
        #expect(note.index.headerValues("Subject", in: note.raw) == [#"Done: "Hello" is now in Embedded CRM"#])
        #expect(note.index.headerValues("X-CRMGate-Report", in: note.raw) == ["drop-resolved"])
    }

    @Test func aFailedDropThatWorkedSinceNoLongerCountsAsFailed() async throws {
        let w = try await world(policy: .init(createContacts: false))
        _ = try await failThenFix(w, movingBack: true)
        let summary = try #require(try await w.store.dropSummaries().first)
        #expect((summary.pending, summary.done, summary.failed) == (0, 1, 0))
        #expect(summary.recentFailures.isEmpty)
    }

    /// Proxy mode: a mail appended from the upstream fails, its report goes back to the
    /// upstream INBOX; the mail is dropped again, fixed, and works.
    func failThenFixFromUpstream(_ w: World) async throws -> MailboxInfo {
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        let raw = Array("From: Sam Stranger <sam@unknown.example>\r\nSubject: Hello\r\nMessage-ID: <hello-2@unknown.example>\r\n\r\nhi\r\n".utf8)
        _ = try await w.store.append(NewMessage(raw: raw), to: folder.id, origin: UpstreamOrigin(folder: "INBOX"))
        await w.processor.processDue()
        // The report is due upstream; the returner puts it there and it leaves the folder.
        let report = try #require(try await w.store.dueUpstreamReturns().first { $0.uid != 1 })
        try await w.store.completeUpstreamReturn(report)
        _ = try await w.crm.createRecord(in: .contacts, RecordDraft(fields: ["lastName": .text("Stranger"), "emails": .list(["sam@unknown.example"])]))
        _ = try await w.store.append(NewMessage(raw: raw), to: folder.id, origin: UpstreamOrigin(folder: "INBOX"))
        #expect(await w.processor.processDue() == 1)
        return folder
    }

    @Test func aReportAlreadyOnTheMailServerIsQueuedToBeTakenBackThere() async throws {
        let w = try await world(policy: .init(createContacts: false))
        let folder = try await failThenFixFromUpstream(w)
        let retraction = try #require(try await w.store.dueUpstreamRetractions().first)
        #expect(retraction.email == "alice@example.com" && retraction.messageID.hasSuffix("@crmgate.invalid>"))
        // No note instead: nothing in the folder but the two copies of the mail, now done.
        #expect(try await w.store.states(of: folder.id).map { $0.flags.contains(DropKeyword.done) } == [true, true])
        try await w.store.completeUpstreamRetraction(retraction)
        #expect(try await w.store.dueUpstreamRetractions().isEmpty)
    }

    @Test func underTheNotePolicyAReportOnTheMailServerStaysAndANoteFollows() async throws {
        let w = try await world(policy: .init(resolvedReports: "note", createContacts: false))
        let folder = try await failThenFixFromUpstream(w)
        #expect(try await w.store.dueUpstreamRetractions().isEmpty)
        let states = try await w.store.states(of: folder.id)
        let last = try #require(states.last)
        let note = try #require(try await w.store.content(in: folder.id, uid: last.uid))
        #expect(note.index.headerValues("X-CRMGate-Report", in: note.raw) == ["drop-resolved"])
    }

    func report(_ w: World, in folder: MailboxInfo) async throws -> (subject: String, body: String) {
        let states = try await w.store.states(of: folder.id)
        let last = try #require(states.last)
        let report = try #require(try await w.store.content(in: folder.id, uid: last.uid))
        let body = String(decoding: try #require(report.index.decodedBody([1], in: report.raw) ?? report.index.decodedBody([], in: report.raw)), as: UTF8.self)
        return (report.index.headerValues("Subject", in: report.raw).first ?? "", body)
    }

    @Test func aReportNamesTheMailWhatWentWrongAndWhatToDo() async throws {
        let w = try await world(policy: .init(createContacts: false))
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move("From: Sam Stranger <sam@unknown.example>\nTo: alice@example.com\nSubject: Offer\nMessage-ID: <offer-1@unknown.example>\nDate: Tue, 24 Nov 2026 10:00:00 +0000\n\nhi\n", into: folder)
        await w.processor.processDue()
        let (subject, body) = try await report(w, in: folder)
        #expect(subject == #"Could not create an opportunity from "Offer""#)
        for part in ["Subject:    Offer", "From:       Sam Stranger <sam@unknown.example>", "Date:       Tue, 24 Nov 2026 10:00:00 +0000",
                     "Message-ID: <offer-1@unknown.example>", "Folder:     CRM/- Create New Opportunity",
                     "No contact or lead in Embedded CRM has the address sam@unknown.example",
                     "Add the address to a contact or lead in Embedded CRM"] {
            #expect(body.contains(part), "\(part) in \(body)")
        }
    }

    @Test func mailAmongColleaguesIsNotToldToAddAContact() async throws {
        let w = try await world(policy: .init(skipInternal: false))
        _ = try await w.crm.createUser(name: "Bob Stone", email: "bob@example.com")
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        try await w.move("From: bob@example.com\nTo: alice@example.com\nSubject: Lunch\n\nx\n", into: folder)
        await w.processor.processDue()
        let (subject, body) = try await report(w, in: folder)
        #expect(subject == #"Could not archive "Lunch""#)
        #expect(body.contains("belongs to a colleague") && body.contains("Assign To folder"), "\(body)")
        #expect(!body.contains("Add the address") && !body.contains("contact or lead in"), "\(body)")
    }

    @Test func anAssignToRefusalNamesTheRecordsFolder() async throws {
        let w = try await world()
        let deal = try await w.crm.createRecord(in: .opportunities, RecordDraft(fields: ["name": .text("Relaunch"), "stage": .text("Proposal")]))
        let folder = try await w.drop(into: "assign:opportunities/\(deal.ref.id)", name: "Assign To/Relaunch (OPP-1)",
                                      recordKey: "opportunities/\(deal.ref.id)")
        try await w.crm.deleteRecord(deal.ref)
        try await w.move(Self.proposal, into: folder)
        await w.processor.processDue()
        let (subject, body) = try await report(w, in: folder)
        #expect(subject == #"Could not add "Re: Fwd: Website relaunch" to Relaunch (OPP-1)"#)
        #expect(body.contains("The record this folder stands for (Relaunch (OPP-1)) no longer exists in Embedded CRM"), "\(body)")
        #expect(!body.contains("Add the address"))
    }

    @Test func crmOutageKeepsTheDropPendingUntilItIsBack() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move(Self.proposal, into: folder)
        w.crm.setAvailability(.unavailable)
        await w.processor.processDue()
        #expect(try await w.store.states(of: folder.id).map(\.flags) == [[DropKeyword.pending]])
        w.crm.setAvailability(.available)
        #expect(await w.processor.processDue() == 0)
        #expect(await w.processor.processDue(now: Date().addingTimeInterval(10)) == 1)
        #expect(try await w.crm.records(in: .opportunities, matching: RecordQuery()).total == 1)
    }

    @Test(arguments: [("Re: Fwd: Offer", "Offer"), ("AW: WG: Angebot", "Angebot"), ("RE[2]: x", "x"), ("Reply needed", "Reply needed"),
                      ("  re :  Antw: SV:Tilbud ", "Tilbud"), ("Re [12] : x", "x"), ("Re[]: x", "Re[]: x"), ("Re2: x", "Re2: x"),
                      ("Rex: x", "Rex: x"), ("Re:", ""), ("Offer: Re: x", "Offer: Re: x")])
    func replyAndForwardPrefixesAreRemovedFromNames(_ subject: String, _ name: String) {
        #expect(DropProcessor.recordName(fromSubject: subject) == name)
    }

    @Test func htmlBecomesReadableText() {
        #expect(DroppedMail.text(fromHTML: "<p>Hello&nbsp;<b>you</b></p><style>p{}</style><br>Bye &amp; thanks") == "Hello you\n\nBye & thanks")
    }

    @Test func afterProcessingKeepLeavesTheMailAndDeleteRemovesIt() async throws {
        for (choice, remaining) in [("keep", 1), ("delete", 0)] {
            let w = try await world(policy: .init(afterProcessing: choice))
            let folder = try await w.drop(into: "create-email", name: "- Create New Email")
            try await w.move(Self.proposal, into: folder)
            await w.processor.processDue()
            let left = try await w.store.states(of: folder.id)
            #expect(left.count == remaining, "after_processing = \(choice)")
            #expect(left.allSatisfy { $0.flags == [DropKeyword.done] })
            #expect(try await w.store.states(of: w.inbox.id).isEmpty)
        }
    }

    @Test func internalMailIsSkippedUnlessThePolicyArchivesIt() async throws {
        let internalMail = "From: alice@example.com\nTo: alice@example.com\nSubject: note to self\n\nx\n"
        let skipping = try await world()
        let folder = try await skipping.drop(into: "create-email", name: "- Create New Email")
        try await skipping.move(internalMail, into: folder)
        await skipping.processor.processDue()
        #expect(Set(try await skipping.store.states(of: folder.id).first?.flags ?? []) == Self.failed)

        let archiving = try await world(policy: .init(mustMatch: false, skipInternal: false))
        let other = try await archiving.drop(into: "create-email", name: "- Create New Email")
        try await archiving.move(internalMail, into: other)
        await archiving.processor.processDue()
        #expect(try await archiving.store.states(of: archiving.inbox.id).map(\.flags) == [[DropKeyword.done]])
    }

    /// A reply to `parent`; `thread` is the conversation before it, as References carries it.
    static func reply(_ id: String, to parent: String, thread: [String] = [], from: String = "Jane Doe <jane@acme.example>",
                      cc: String = "") -> String {
        """
        From: \(from)
        To: Alice Martin <alice@example.com>
        \(cc.isEmpty ? "" : "Cc: \(cc)\n")Subject: Re: Website relaunch
        Message-ID: <\(id)@acme.example>
        In-Reply-To: <\(parent)@acme.example>
        References: \((thread + [parent]).map { "<\($0)@acme.example>" }.joined(separator: " "))

        Sounds good.

        """
    }

    /// Appends `raw` to a folder as mail delivery or a client's Sent copy does.
    func deliver(_ raw: String, to w: World, folder: String = "INBOX") async throws {
        let box = try await w.store.mailbox(of: w.alice, named: folder)
        _ = try await w.store.append(NewMessage(raw: Array(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8)), to: box.id)
    }

    @Test func laterMailsOfATrackedConversationFollowItToTheSameRecords() async throws {
        let w = try await world()
        let bob = try await w.crm.createRecord(in: .contacts, RecordDraft(fields: ["lastName": .text("Bob"), "emails": .list(["bob@acme.example"])]))
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move(Self.proposal, into: folder)
        await w.processor.processDue()
        let deal = try #require(try await w.crm.records(in: .opportunities, matching: RecordQuery()).records.first)
        // The customer answers (in INBOX), Bob in Cc; then the answer to that is saved in Sent.
        try await deliver(Self.reply("relaunch-2", to: "relaunch-1", cc: "bob@acme.example, nobody@else.example"), to: w)
        try await deliver(Self.reply("relaunch-3", to: "relaunch-2", thread: ["relaunch-1"], from: "alice@example.com"), to: w, folder: "Sent")
        try await deliver(Self.reply("other-1", to: "unrelated"), to: w)
        #expect(await w.processor.processDue() == 2)
        let archived = try await w.crm.archivedEmails(relatedTo: deal.ref)
        #expect(Set(archived.compactMap(\.messageID)) == ["<relaunch-1@acme.example>", "<relaunch-2@acme.example>", "<relaunch-3@acme.example>"])
        let followUp = try #require(archived.first { $0.messageID == "<relaunch-2@acme.example>" })
        #expect(followUp.records.contains(deal.ref) && followUp.records.contains(w.acme.ref))
        #expect(Set(followUp.people) == [w.jane.ref, bob.ref])
        // Nobody was created for the unknown Cc; the follow-ups stay where they are, done.
        #expect(try await w.crm.records(in: .contacts, matching: RecordQuery()).total == 2)
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done], [DropKeyword.done], []])
        // The same reply arriving again (another copy) archives nothing twice.
        try await deliver(Self.reply("relaunch-2", to: "relaunch-1"), to: w, folder: "Archive")
        await w.processor.processDue()
        #expect(try await w.crm.archivedEmails(relatedTo: deal.ref).count == 3)
    }

    @Test func conversationFollowOffLeavesRepliesAlone() async throws {
        let w = try await world(policy: .init(conversationFollow: false))
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move(Self.proposal, into: folder)
        await w.processor.processDue()
        try await deliver(Self.reply("relaunch-2", to: "relaunch-1"), to: w)
        #expect(await w.processor.processDue() == 0)
        #expect(try await w.crm.archivedEmails(relatedTo: w.jane.ref).count == 1)
        #expect(try await w.store.states(of: w.inbox.id).map(\.flags) == [[DropKeyword.done], []])
    }

    @Test func aPolicyTurnedOffAfterTrackingDismissesTheQueuedFollowUp() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        try await w.move(Self.proposal, into: folder)
        await w.processor.processDue()
        w.processor.apply(GatewayConfiguration(policies: [.init(conversationFollow: false)]))
        try await deliver(Self.reply("relaunch-2", to: "relaunch-1"), to: w)
        #expect(await w.processor.processDue() == 1)
        #expect(try await w.crm.archivedEmails(relatedTo: w.jane.ref).count == 1)
        #expect(try await w.store.states(of: w.inbox.id).last?.flags == [])
    }

    @Test func transientFailuresStopAtTheRetryLimitWithAReport() async throws {
        let w = try await world(crm: .init(retryLimit: 2))
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        try await w.move(Self.proposal, into: folder)
        w.crm.setAvailability(.unavailable)
        await w.processor.processDue()
        #expect(try await w.store.states(of: folder.id).map(\.flags) == [[DropKeyword.pending]])
        await w.processor.processDue(now: Date().addingTimeInterval(3600))
        let states = try await w.store.states(of: folder.id)
        #expect(states.count == 2 && Set(states[0].flags) == Self.failed)
        let failure = try #require(try await w.store.dropSummaries().first?.recentFailures.first)
        #expect(failure.contains("could not be reached (2 attempts"))
    }

    @Test func concurrentDropsFromOneNewSenderCreateOneContactAndOneAccount() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        for n in 1...(DropProcessor.concurrency * 3) {
            try await w.move("From: Nora Quint <nora@quintech.example>\nCc: ops@quintech.example\nSubject: Deal \(n)\nMessage-ID: <deal-\(n)@quintech.example>\n\nHi\n",
                             into: folder)
        }
        #expect(await w.processor.processDue() == DropProcessor.concurrency * 3)
        #expect(try await w.crm.records(in: .opportunities, matching: RecordQuery()).total == DropProcessor.concurrency * 3)
        #expect(try await w.crm.records(in: .contacts, matching: RecordQuery()).total == 3)  // Jane, Nora, ops
        #expect(try await w.crm.records(in: .accounts, matching: RecordQuery()).total == 2)  // Acme, Quintech
    }

    @Test func aBacklogLargerThanOneBatchIsProcessedInOneGo() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create-email", name: "- Create New Email")
        for n in 1...(DropProcessor.batchSize + 5) {
            try await w.move(Self.proposal.replacingOccurrences(of: "relaunch-1", with: "backlog-\(n)"), into: folder)
        }
        #expect(await w.processor.processDue() == DropProcessor.batchSize + 5)
        #expect(try await w.store.dueDrops().isEmpty)
    }

    @Test func aSlowDropDoesNotHoldBackTheDropsQueuedAfterIt() async throws {
        let w = try await world()
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        // The first drop names a new sender's domain; while the test holds that domain's
        // creation lock, the drop cannot finish.
        try await w.move("From: Nora Quint <nora@quintech.example>\nSubject: Slow\nMessage-ID: <slow@quintech.example>\n\nHi\n", into: folder)
        let others = DropProcessor.batchSize + 5
        for n in 1...others {
            try await w.move(Self.proposal.replacingOccurrences(of: "relaunch-1", with: "after-slow-\(n)"), into: folder)
        }
        let handled = try await processDue(w, holdingCreationsOf: "quintech.example") {
            // Every later drop is done while the first still waits: none of them waits for it.
            var pending = Int.max
            for _ in 0..<3000 where pending > 1 {
                try await Task.sleep(for: .milliseconds(20))
                pending = try await w.store.dueDrops().count
            }
            #expect(pending == 1)
            #expect(try await w.crm.records(in: .opportunities, matching: RecordQuery()).total == others)
        }
        #expect(handled == others + 1)
        #expect(try await w.store.dueDrops().isEmpty)
    }

    /// Runs `processDue` while holding the creation lock of `domain`, so that a drop whose
    /// sender is new there cannot finish, and lets `whileHeld` look meanwhile; then lets go
    /// and returns how many drops the run handled.
    private func processDue(_ w: World, holdingCreationsOf domain: String, whileHeld: () async throws -> Void) async throws -> Int {
        let held = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await w.processor.creations.withLock("domain:\(domain)") {
                held.continuation.yield()
                for await _ in release.stream { break }
            }
        }
        for await _ in held.stream { break }
        let run = Task { await w.processor.processDue() }
        do {
            defer { release.continuation.yield() }
            try await whileHeld()
        }
        let handled = await run.value
        try await holder.value
        return handled
    }

    /// Each drop in flight holds its whole mail: the next waits, in queue order, while its mail
    /// would take the drops in flight past `bytesInFlight`; a mail bigger than that goes alone.
    @Test func dropsWaitWhileTheMailInFlightWouldPassTheByteBound() async throws {
        let w = try await world(bytesInFlight: 5_000)
        let folder = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        let padding = String(repeating: "Figures for the quarter.\n", count: 240)
        // The first mail alone passes the bound; while the test holds the creation lock of
        // its sender's domain, it cannot finish.
        try await w.move("From: Nora Quint <nora@quintech.example>\nSubject: Big\nMessage-ID: <big@quintech.example>\n\n\(padding)", into: folder)
        for n in 1...3 {
            try await w.move(Self.proposal.replacingOccurrences(of: "relaunch-1", with: "after-big-\(n)"), into: folder)
        }
        let handled = try await processDue(w, holdingCreationsOf: "quintech.example") {
            // The big mail is in flight alone; the small ones wait behind it.
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await w.store.dueDrops().count == 4)
            #expect(try await w.crm.records(in: .opportunities, matching: RecordQuery()).total == 0)
        }
        #expect(handled == 4)
        #expect(try await w.crm.records(in: .opportunities, matching: RecordQuery()).total == 4)
        #expect(try await w.store.dueDrops().isEmpty)
    }

    @Test func mustMatchAlsoGuardsCreateNewRecordAndNamesBlockedSenders() async throws {
        let w = try await world(policy: .init(mustMatch: true, createContacts: false, blocked: ["spam\\.example"]))
        let create = try await w.drop(into: "create:opportunities", name: "- Create New Opportunity")
        let email = try await w.drop(into: "create-email", name: "- Create New Email")
        try await w.move("From: Bert <bert@unknown.example>\nTo: alice@example.com\nSubject: Quote\n\nhi\n", into: create)
        try await w.move("From: Deals <offers@SPAM.example>\nTo: alice@example.com\nSubject: Offer\n\nhi\n", into: email)
        await w.processor.processDue()
        #expect(try await w.crm.records(in: .opportunities, matching: RecordQuery()).total == 0)
        for (folder, subject, names) in [(create, "Could not create an opportunity from \"Quote\"", "bert@unknown.example"),
                                         (email, "Could not archive \"Offer\"", "offers@spam.example is excluded from Embedded CRM by your administrator's rules")] {
            let states = try await w.store.states(of: folder.id)
            #expect(states.count == 2 && Set(states[0].flags) == Self.failed)
            let report = try #require(try await w.store.content(in: folder.id, uid: states[1].uid))
            #expect(report.index.headerValues("Subject", in: report.raw) == [subject])
            let body = String(decoding: try #require(report.index.decodedBody([1], in: report.raw)), as: UTF8.self)
            #expect(body.contains(names), "\(body)")
        }
    }
}
