@testable import BottleCRM
import CRM
import Foundation
import Testing

/// crmgate's fields in BottleCRM's JSON and back (the table in docs/CONNECTORS.md).
@Suite("BottleCRM field mapping")
struct FieldMappingTests {
    func written(_ module: ModuleMapping, _ fields: [String: FieldValue?]) throws -> (body: [String: JSONValue], custom: [String: JSONValue]) {
        var body: [String: JSONValue] = [:]
        var custom: [String: JSONValue] = [:]
        for (key, value) in fields {
            try #require(module.mapping(key)).write(value, field: key, into: &body, custom: &custom)
        }
        return (body, custom)
    }

    @Test func anOpportunityGoesToBottleCRMsFieldsAndComesBack() throws {
        let fields: [String: FieldValue] = [
            "name": .text("Globex renewal"), "stage": .text("Closed Won"), "amount": .number(Decimal(string: "12500.5")!),
            "probability": .number(40), "closeDate": .date(CalendarDate("2027-03-31")!),
            "account": .reference(RecordRef(.accounts, RecordID("a1"))), "contact": .reference(RecordRef(.contacts, RecordID("c1"))),
            "description": .text("Forty seats"),
        ]
        let (body, custom) = try written(.opportunities, fields)
        #expect(body["stage"] == .string("CLOSED_WON"))
        #expect(body["closed_on"] == .string("2027-03-31"))
        #expect(body["amount"] == .string("12500.5"))
        #expect(body["contacts"] == .array([.string("c1")]))
        #expect(custom.isEmpty)
        // BottleCRM answers with objects for links and strings for decimals.
        var answer = body
        answer["account"] = .object(["id": .string("a1"), "name": .string("Globex")])
        answer["contacts"] = .array([.object(["id": .string("c1"), "first_name": .string("Ines")])])
        answer["amount"] = .string("12500.50")
        #expect(ModuleMapping.opportunities.fields(of: .object(answer)) == fields)
    }

    @Test func emailAddressesBeyondTheFirstAndDomainsLiveInCustomFields() throws {
        let (body, custom) = try written(.contacts, ["emails": .list(["a@x.example", "b@x.example", "c@x.example"])])
        #expect(body["email"] == .string("a@x.example"))
        #expect(custom["crmgate_emails"] == .string("b@x.example c@x.example"))
        let json = JSONValue.object(["email": .string("a@x.example"), "custom_fields": .object(custom)])
        #expect(ModuleMapping.contacts.fields(of: json)["emails"] == .list(["a@x.example", "b@x.example", "c@x.example"]))
        let (_, domains) = try written(.accounts, ["domains": .list(["globex.example", "www.globex.example"])])
        #expect(domains["crmgate_domains"] == .string("globex.example www.globex.example"))
    }

    @Test func aTaskLinksToOneRecordOfFourModules() throws {
        let (body, _) = try written(.tasks, ["related": .reference(RecordRef(.cases, RecordID("k9")))])
        #expect(body["case"] == .string("k9") && body["account"] == .null && body["lead"] == .null && body["opportunity"] == .null)
        #expect(ModuleMapping.tasks.fields(of: .object(body))["related"] == .reference(RecordRef(.cases, RecordID("k9"))))
    }

    @Test(arguments: [
        ("stage", FieldValue.text("Daydreaming")), ("closeDate", .text("next week")), ("probability", .number(Decimal(string: "40.5")!)),
        ("account", .reference(RecordRef(.contacts, RecordID("c1")))), ("name", .number(5)),
    ])
    func valuesThatDoNotFitAreRefusedNamingTheField(_ field: String, _ value: FieldValue) {
        #expect { try written(.opportunities, [field: value]) } throws: { ($0 as? CRMError)?.field == field && ($0 as? CRMError)?.isTransient == false }
    }

    @Test func clearingSendsNull() throws {
        let (body, _) = try written(.opportunities, ["description": FieldValue?.none, "closeDate": FieldValue?.none])
        #expect(body["description"] == .null && body["closed_on"] == .null)
    }
}
