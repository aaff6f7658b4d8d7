import CRM
import EmbeddedCRM
import Testing

@Suite("Embedded CRM: listings")
struct QueryTests {
    @Test func listingFiltersByStateOwnerAndTextAndPages() async throws {
        let test = try await TestCRM.make()
        _ = try await test.opportunity("Website redesign - Acme")
        _ = try await test.opportunity("ERP rollout - Acme", owner: test.bob)
        _ = try await test.opportunity("Support 100% - Globex", stage: "Closed Won")
        let crm = test.crm
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery()).total == 3)
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery(state: .open)).total == 2)
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery(state: .closed)).records.map { $0.fields["name"]?.text } == ["Support 100% - Globex"])
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery(owner: test.bob.id)).total == 1)
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery(search: "acme")).total == 2)
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery(search: "100%")).total == 1)
        #expect(try await crm.records(in: .opportunities, matching: RecordQuery(search: "OPP-0002")).total == 1)
        let page = try await crm.records(in: .opportunities, matching: RecordQuery(offset: 1, limit: 1))
        #expect(page.total == 3 && page.records.count == 1)
    }

    @Test func deletedRecordsAreNeverListed() async throws {
        let test = try await TestCRM.make()
        let gone = try await test.opportunity("Gone")
        try await test.crm.deleteRecord(gone.ref)
        #expect(try await test.crm.records(in: .opportunities, matching: RecordQuery()).total == 0)
    }
}
