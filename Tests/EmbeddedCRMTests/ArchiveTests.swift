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
        #expect(try await test.crm.attachment(id: attachment.id)?.data == [1, 2, 3])
        #expect(try await test.crm.rawMessage(ofEmail: archived.id)?.count == content.rawSize)
        #expect(try await test.crm.archivedEmails(relatedTo: aliceRef).map(\.id) == [archived.id])
        #expect(try await test.crm.archivedEmail(id: RecordID("424242")) == nil)
        #expect(try await test.crm.attachment(id: 424242) == nil)
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
