import CRM
import EmbeddedCRM
import Foundation
import Testing

@Suite("Embedded CRM archived emails")
struct ArchiveTests {
    func mail(_ key: String, _ test: TestCRM, records: [RecordRef], people: [RecordRef] = []) -> EmailArchive {
        EmailArchive(key: key, messageID: "<\(key)>", subject: "Quote attached",
                     from: EmailAddress(name: "Carol", address: "carol@acme.test"),
                     to: [EmailAddress(name: "Alice", address: "alice@crm.test")],
                     cc: [EmailAddress(address: "dave@acme.test")],
                     date: Date(timeIntervalSince1970: 1_700_000_000), textBody: "See attached", htmlBody: "<p>See attached</p>",
                     rawMessage: Array("Subject: Quote attached\r\n\r\nSee attached\r\n".utf8),
                     attachments: [EmailAttachment(filename: "quote.pdf", contentType: "application/pdf", data: [1, 2, 3])],
                     people: people, records: records, owner: test.alice.id)
    }

    @Test(arguments: [false, true])
    func concurrentArchivesWithOneKeyCreateOneActivity(onAFile: Bool) async throws {
        let file = TemporaryFile()
        defer { file.remove() }
        let url = try #require(TestCRM.publicURL)
        let test = onAFile ? try await TestCRM.seeded(EmbeddedCRM(path: file.path, publicURL: url)) : try await TestCRM.make()
        let deal = try await test.opportunity("Contended")
        let email = mail("same@test", test, records: [deal.ref])
        let crm = test.crm
        let results = try await withThrowingTaskGroup(of: ArchivedEmail.self) { group in
            for _ in 0..<20 { group.addTask { try await crm.archiveEmail(email) } }
            return try await group.reduce(into: [ArchivedEmail]()) { $0.append($1) }
        }
        #expect(results.filter(\.created).count == 1)
        #expect(Set(results.map(\.id)).count == 1)
        #expect(try await crm.archivedEmails(relatedTo: deal.ref).count == 1)
    }

    @Test func theWebUIReadsHeadersBodiesRawMessageAndAttachments() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Readable")
        let aliceRef = RecordRef(.users, RecordID(test.alice.id.rawValue))
        let archived = try await test.crm.archiveEmail(mail("read@test", test, records: [deal.ref], people: [aliceRef]))

        let content = try #require(try await test.crm.archivedEmail(id: archived.id))
        #expect(content.summary.id == archived.id)
        #expect(content.from == EmailAddress(name: "Carol", address: "carol@acme.test"))
        #expect(content.cc.map(\.address) == ["dave@acme.test"])
        #expect(content.htmlBody == "<p>See attached</p>")
        #expect(content.attachments.map(\.filename) == ["quote.pdf"])
        let attachment = try #require(content.attachments.first)
        #expect(try await test.crm.attachment(id: attachment.id, ofEmail: archived.id)?.data == [1, 2, 3])
        #expect(try await test.crm.rawMessage(ofEmail: archived.id)?.count == content.rawSize)
        #expect(try await test.crm.archivedEmails(relatedTo: aliceRef).map(\.id) == [archived.id])
        #expect(try await test.crm.archivedEmail(id: RecordID("424242")) == nil)
        #expect(try await test.crm.attachment(id: 424242, ofEmail: archived.id) == nil)
    }

    @Test func emailsWithOneMessageIDAreFoundOncePerTargetInArchiveOrder() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Shared")
        let other = try await test.opportunity("Other")
        var first = mail("shared@test|deal", test, records: [deal.ref])
        first.messageID = "<shared@test>"
        var second = mail("shared@test|other", test, records: [other.ref])
        second.messageID = "<shared@test>"
        let a = try await test.crm.archiveEmail(first)
        let b = try await test.crm.archiveEmail(second)
        _ = try await test.crm.archiveEmail(mail("unrelated@test", test, records: [deal.ref]))

        let found = try await test.crm.archivedEmailContents(messageID: "<shared@test>")
        #expect(found.map(\.summary.id) == [a.id, b.id])
        #expect(found.map(\.summary.records) == [[deal.ref], [other.ref]])
        #expect(found.first?.from == EmailAddress(name: "Carol", address: "carol@acme.test"))
        #expect(found.first?.to == [EmailAddress(name: "Alice", address: "alice@crm.test")])
        #expect(found.first?.attachments.map(\.contentType) == ["application/pdf"])
        #expect(try await test.crm.archivedEmailContents(messageID: "shared@test").isEmpty)
        #expect(try await test.crm.archivedEmailContents(messageID: "<nobody@test>").isEmpty)
    }

    @Test func aRecordsEmailContentsAreNewestFirstLikeItsActivities() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Busy")
        let contact = try await test.crm.createRecord(in: .contacts, RecordDraft(owner: test.alice.id, fields: ["lastName": .text("Fischer")]))
        var older = mail("older@test", test, records: [deal.ref], people: [contact.ref])
        older.date = Date(timeIntervalSince1970: 1_700_000_000)
        var newer = mail("newer@test", test, records: [deal.ref])
        newer.date = Date(timeIntervalSince1970: 1_700_086_400)
        let a = try await test.crm.archiveEmail(older)
        let b = try await test.crm.archiveEmail(newer)

        let onDeal = try await test.crm.archivedEmailContents(relatedTo: deal.ref).emails
        #expect(onDeal.map(\.summary.id) == [b.id, a.id])
        #expect(onDeal.map(\.summary.id) == (try await test.crm.archivedEmails(relatedTo: deal.ref)).map(\.id))
        #expect(onDeal.last == (try await test.crm.archivedEmail(id: a.id)))
        #expect(try await test.crm.archivedEmailContents(relatedTo: contact.ref).emails.map(\.summary.id) == [a.id])
        #expect(try await test.crm.archivedEmailContents(relatedTo: RecordRef(.opportunities, RecordID("9999"))).emails.isEmpty)
        await #expect(throws: CRMError.self) { try await test.crm.archivedEmailContents(relatedTo: RecordRef("planets", RecordID("1"))) }
    }

    @Test func anAttachmentIsFoundOnlyThroughItsOwnEmail() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Attached")
        let first = try await test.crm.archiveEmail(mail("first@test", test, records: [deal.ref]))
        let second = try await test.crm.archiveEmail(mail("second@test", test, records: [deal.ref]))
        let attachment = try #require(try await test.crm.archivedEmail(id: first.id)?.attachments.first)

        let found = try await test.crm.attachment(id: attachment.id, ofEmail: first.id)
        #expect(found == EmailAttachment(filename: "quote.pdf", contentType: "application/pdf", data: [1, 2, 3]))
        #expect(try await test.crm.attachment(id: attachment.id, ofEmail: second.id) == nil)
        #expect(try await test.crm.attachment(id: attachment.id, ofEmail: RecordID("not-a-number")) == nil)
        #expect(try await test.crm.attachment(id: 424242, ofEmail: first.id) == nil)
    }

    @Test func archivingNeedsAKeyAndAKnownOwner() async throws {
        let test = try await TestCRM.make()
        var email = mail("  ", test, records: [])
        let noKey = await #expect(throws: CRMError.self) { try await test.crm.archiveEmail(email) }
        #expect(noKey?.field == "key")
        email.key = "owner@test"
        email.owner = CRMUserID("77")
        let noOwner = await #expect(throws: CRMError.self) { try await test.crm.archiveEmail(email) }
        #expect(noOwner?.field == "owner")
        #expect(noOwner?.kind == .permanent)
    }
}
