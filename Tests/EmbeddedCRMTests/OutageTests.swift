import CRM
import EmbeddedCRM
import Foundation
import Testing

@Suite("Embedded CRM outage switch")
struct OutageTests {
    @Test func anUnavailableCRMFailsEveryCallTransientlyAndRecovers() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Survives the outage")
        let crm = test.crm
        crm.setAvailability(.unavailable)

        let calls: [(String, @Sendable () async throws -> Void)] = [
            ("modules", { _ = try await crm.modules() }),
            ("user(email:)", { _ = try await crm.user(email: "alice@crm.test") }),
            ("findPeople", { _ = try await crm.findPeople(email: "alice@crm.test") }),
            ("findAccounts", { _ = try await crm.findAccounts(domain: "crm.test") }),
            ("activeRecords", { _ = try await crm.activeRecords(in: .opportunities, visibleTo: test.alice.id) }),
            ("record", { _ = try await crm.record(deal.ref) }),
            ("createRecord", { _ = try await crm.createRecord(in: .opportunities, RecordDraft(owner: test.alice.id, fields: ["name": .text("x"), "stage": .text("Proposal")])) }),
            ("updateRecord", { _ = try await crm.updateRecord(deal.ref, RecordDraft(fields: ["name": .text("y")])) }),
            ("deleteRecord", { try await crm.deleteRecord(deal.ref) }),
            ("changes", { _ = try await crm.changes(in: .opportunities, since: nil, limit: 10) }),
            ("archivedEmails", { _ = try await crm.archivedEmails(relatedTo: deal.ref) }),
        ]
        for (name, call) in calls {
            let error = await #expect(throws: CRMError.self, "\(name) while unavailable") { try await call() }
            #expect(error?.isTransient == true, "\(name) should fail transiently")
            #expect(error?.message.contains("unavailable") == true)
        }

        crm.setAvailability(.available)
        #expect(try await crm.record(deal.ref) == deal)
        #expect(try await crm.activeRecords(in: .opportunities, visibleTo: test.alice.id).map(\.ref) == [deal.ref])
    }

    @Test func archivingDuringAnOutageFailsTransientlyAndSucceedsOnRetry() async throws {
        let test = try await TestCRM.make()
        let deal = try await test.opportunity("Retry target")
        let mail = EmailArchive(key: "retry@test", messageID: nil, subject: "Retry", from: nil, date: .now,
                                textBody: nil, rawMessage: [], records: [deal.ref], owner: test.alice.id)
        test.crm.setAvailability(.unavailable)
        let error = await #expect(throws: CRMError.self) { try await test.crm.archiveEmail(mail) }
        #expect(error?.kind == .transient)
        test.crm.setAvailability(.available)
        #expect(try await test.crm.archiveEmail(mail).created)
        #expect(try await test.crm.archivedEmails(relatedTo: deal.ref).count == 1)
    }
}
