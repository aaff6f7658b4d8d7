import CRM
import EmbeddedCRM
import Testing

@Suite("Embedded CRM: records referencing a record")
struct RelatedRecordsTests {
    @Test func findsLiveReferencingRecordsOfAnyOrOneModule() async throws {
        let t = try await TestCRM.make()
        let account = try await t.crm.createRecord(in: .accounts, RecordDraft(owner: t.alice.id, fields: ["name": .text("Acme")]))
        let other = try await t.crm.createRecord(in: .accounts, RecordDraft(owner: t.alice.id, fields: ["name": .text("Other")]))
        let zoe = try await t.crm.createRecord(in: .contacts, RecordDraft(owner: t.alice.id, fields: [
            "lastName": .text("Zoe"), "account": .reference(account.ref)]))
        let adam = try await t.crm.createRecord(in: .contacts, RecordDraft(owner: t.alice.id, fields: [
            "lastName": .text("Adam"), "account": .reference(account.ref)]))
        _ = try await t.crm.createRecord(in: .contacts, RecordDraft(owner: t.alice.id, fields: [
            "lastName": .text("Elsewhere"), "account": .reference(other.ref)]))
        let deal = try await t.crm.createRecord(in: .opportunities, RecordDraft(owner: t.bob.id, fields: [
            "name": .text("Deal"), "stage": .text("Proposal"), "account": .reference(account.ref)]))
        let gone = try await t.crm.createRecord(in: .contacts, RecordDraft(owner: t.alice.id, fields: [
            "lastName": .text("Gone"), "account": .reference(account.ref)]))
        try await t.crm.deleteRecord(gone.ref)

        let contacts = try await t.crm.records(referencing: account.ref, in: .contacts)
        #expect(contacts.map(\.ref) == [adam.ref, zoe.ref])
        let all = try await t.crm.records(referencing: account.ref)
        #expect(Set(all.map(\.ref)) == [adam.ref, zoe.ref, deal.ref])
        // A reference names its module: the same id under another module finds nothing.
        #expect(try await t.crm.records(referencing: RecordRef(.contacts, account.ref.id)).isEmpty)
    }
}
