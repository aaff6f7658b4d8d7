import CRM
import Foundation
import Hummingbird
import Testing
@testable import Web

/// A valid record of one built-in module, and a change to make to it.
struct ModuleSample: Sendable, CustomStringConvertible {
    var module: String
    /// The create body's fields; `ACCOUNT` stands for the harness account's id.
    var fields: String
    /// A field to change on PATCH, its new value as JSON, and what the API then shows.
    var change: (key: String, json: String, expected: JSONValue)
    /// An optional field the create sets and the PATCH clears with null.
    var cleared: String
    var description: String { module }

    static let all: [ModuleSample] = [
        ModuleSample(module: "accounts",
                     fields: #"{"name": "Initech", "domains": ["initech.example"], "website": "https://initech.example", "phone": "+1 555 0100"}"#,
                     change: ("industry", #""Software""#, "Software"), cleared: "phone"),
        ModuleSample(module: "contacts",
                     fields: #"{"firstName": "Peter", "lastName": "Gibbons", "emails": ["peter@initech.example"], "title": "Engineer", "account": "ACCOUNT"}"#,
                     change: ("title", #""Manager""#, "Manager"), cleared: "account"),
        ModuleSample(module: "leads",
                     fields: #"{"firstName": "Joanna", "lastName": "Smith", "company": "Chotchkie's", "status": "New", "phone": "555-0101"}"#,
                     change: ("status", #""qualified""#, "Qualified"), cleared: "phone"),
        ModuleSample(module: "opportunities",
                     fields: #"{"name": "Initech renewal", "stage": "Proposal", "amount": 12000.50, "currency": "EUR", "closeDate": "2026-04-30", "probability": 40, "account": "ACCOUNT"}"#,
                     change: ("amount", "13500.25", .number(Decimal(string: "13500.25") ?? 0)), cleared: "probability"),
        ModuleSample(module: "cases",
                     fields: #"{"subject": "Printer jams", "status": "New", "priority": "High", "account": "ACCOUNT", "description": "PC LOAD LETTER"}"#,
                     change: ("status", #""Pending""#, "Pending"), cleared: "description"),
        ModuleSample(module: "quotes",
                     fields: #"{"name": "Q-Initech", "stage": "Draft", "total": 999.99, "currency": "USD", "validUntil": "2026-05-31"}"#,
                     change: ("stage", #""Sent""#, "Sent"), cleared: "validUntil"),
        ModuleSample(module: "projects",
                     fields: #"{"name": "Y2K remediation", "status": "Planned", "startDate": "2026-01-05", "endDate": "2026-03-31"}"#,
                     change: ("status", #""Active""#, "Active"), cleared: "endDate"),
        ModuleSample(module: "tasks",
                     fields: #"{"subject": "Send the TPS report", "status": "Not Started", "dueDate": "2026-02-01", "priority": "Normal", "related": {"module": "accounts", "id": "ACCOUNT"}}"#,
                     change: ("dueDate", #""2026-02-15""#, "2026-02-15"), cleared: "related"),
        ModuleSample(module: "events",
                     fields: #"{"subject": "Kick-off", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:30:00+01:00", "allDay": false, "location": "Room 4", "related": {"module": "accounts", "id": "ACCOUNT"}}"#,
                     change: ("allDay", "true", .bool(true)), cleared: "location"),
    ]
}

@Suite("JSON API: create, read, update, list and delete")
struct RecordCRUDTests {
    @Test("every built-in module supports the full record life cycle", arguments: ModuleSample.all)
    func fullLifeCycle(sample: ModuleSample) async throws {
        let harness = try await APIHarness.make()
        let accountID = harness.account.ref.id.rawValue
        let before = try await harness.count(ModuleKey(sample.module))
        try await harness.run { api in
            let body = #"{"fields": \#(sample.fields.replacingOccurrences(of: "ACCOUNT", with: accountID))}"#
            let created = try await api.post("/api/v1/\(sample.module)", body)
            #expect(created.status == .created, "\(created.text)")
            let record = created.json
            let id = try #require(record["id"].string)
            #expect(created.headers[.location] == "\(APIHarness.publicURL)/api/v1/\(sample.module)/\(id)")
            #expect(record["module"].string == sample.module)
            #expect(record["owner"]["email"].string == "alice@example.com")
            #expect(record["owner"]["name"].string == "Alice Martin")
            #expect(record["closed"].bool == false)
            #expect(record["viewUrl"].string == "\(APIHarness.publicURL)/\(sample.module)/\(id)")
            #expect(record["editUrl"].string == "\(APIHarness.publicURL)/\(sample.module)/\(id)/edit")
            #expect(!record["fields"][sample.cleared].isNull)

            let read = try await api.get("/api/v1/\(sample.module)/\(id)")
            #expect(read.status == .ok)
            #expect(read.json == record)

            let patch = #"{"fields": {"\#(sample.change.key)": \#(sample.change.json), "\#(sample.cleared)": null}}"#
            let updated = try await api.patch("/api/v1/\(sample.module)/\(id)", patch)
            #expect(updated.status == .ok, "\(updated.text)")
            #expect(updated.json["fields"][sample.change.key] == sample.change.expected)
            #expect(updated.json["fields"][sample.cleared].isNull)
            #expect(try await api.get("/api/v1/\(sample.module)/\(id)").json == updated.json)

            let list = try await api.get("/api/v1/\(sample.module)")
            #expect(list.status == .ok)
            #expect(list.json["total"].int == before + 1)
            #expect(list.json["data"].array?.contains(updated.json) == true)

            let deleted = try await api.delete("/api/v1/\(sample.module)/\(id)")
            #expect(deleted.status == .noContent)
            #expect(deleted.body.isEmpty)
            #expect(try await api.get("/api/v1/\(sample.module)/\(id)").status == .notFound)
            #expect(try await api.delete("/api/v1/\(sample.module)/\(id)").status == .notFound)
        }
        #expect(try await harness.count(ModuleKey(sample.module)) == before)
    }

    @Test("field values are typed by the field definition")
    func typedFieldValues() async throws {
        let harness = try await APIHarness.make()
        let accountID = harness.account.ref.id.rawValue
        try await harness.run { api in
            let opportunity = try await api.post("/api/v1/opportunities", #"""
                {"fields": {"name": "Typed", "stage": "Closed Won", "amount": 1234.56, "probability": 100,
                 "closeDate": "2026-04-30", "account": "\#(accountID)"}}
                """#).json
            #expect(opportunity["number"].string?.hasPrefix("OPP-") == true)
            #expect(opportunity["closed"].bool == true)
            #expect(opportunity["fields"]["amount"] == .number(Decimal(string: "1234.56") ?? 0))
            #expect(opportunity["fields"]["probability"] == 100)
            #expect(opportunity["fields"]["closeDate"] == "2026-04-30")
            #expect(opportunity["fields"]["account"] == .string(accountID))
            #expect(opportunity["fields"]["description"].isNull)

            let event = try await api.post("/api/v1/events", #"""
                {"fields": {"subject": "Review", "start": "2026-03-02T09:00:00.500Z", "end": "2026-03-02T12:00:00+02:00",
                 "allDay": true, "related": {"module": "accounts", "id": "\#(accountID)"}}}
                """#).json
            #expect(event["fields"]["start"] == "2026-03-02T09:00:00.500Z")
            #expect(event["fields"]["end"] == "2026-03-02T10:00:00Z")
            #expect(event["fields"]["allDay"] == true)
            #expect(event["fields"]["related"] == ["module": "accounts", "id": .string(accountID)])

            let account = try await api.get("/api/v1/accounts/\(accountID)").json
            #expect(account["fields"]["domains"].isNull)
            let patched = try await api.patch("/api/v1/accounts/\(accountID)", #"{"fields": {"domains": ["globex.example", "globex.test"]}}"#).json
            #expect(patched["fields"]["domains"] == ["globex.example", "globex.test"])
            #expect(patched["number"].isNull)
        }
    }

    @Test("the owner can be given by id or email address and changed by PATCH")
    func ownerByIdOrEmail() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let byEmail = try await api.post("/api/v1/leads", #"{"owner": "bob@example.com", "fields": {"lastName": "Lumbergh"}}"#)
            #expect(byEmail.status == .created)
            #expect(byEmail.json["owner"]["id"].string == harness.bob.id.rawValue)
            let id = try #require(byEmail.json["id"].string)
            let byID = try await api.patch("/api/v1/leads/\(id)", #"{"owner": "\#(harness.alice.id.rawValue)"}"#)
            #expect(byID.status == .ok)
            #expect(byID.json["owner"]["email"].string == "alice@example.com")
        }
    }

    @Test("custom modules from the configuration get the same API")
    func customModule() async throws {
        let vendors = ModuleDefinition(
            key: "vendors", singular: "Vendor", plural: "Vendors", nameField: "name", numberPrefix: "VEN",
            fields: [
                FieldDefinition("name", "Name", .text, required: true),
                FieldDefinition("rating", "Rating", .choice(["A", "B", "C"])),
                FieldDefinition("preferred", "Preferred", .bool),
                FieldDefinition("account", "Account", .reference(.accounts)),
            ], visibility: .all)
        let harness = try await APIHarness.make(customModules: [vendors])
        try await harness.run { api in
            let created = try await api.post("/api/v1/vendors", #"{"fields": {"name": "Paper Co", "rating": "b", "preferred": true}}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["fields"]["rating"] == "B")
            #expect(created.json["number"].string == "VEN-0001")
            let id = try #require(created.json["id"].string)
            #expect(try await api.patch("/api/v1/vendors/\(id)", #"{"fields": {"preferred": false}}"#).json["fields"]["preferred"] == false)
            #expect(try await api.get("/api/v1/vendors").json["total"] == 1)
            #expect(try await api.delete("/api/v1/vendors/\(id)").status == .noContent)

            let modules = try await api.get("/api/v1/modules").json["data"].array ?? []
            let vendor = try #require(modules.first { $0["key"] == "vendors" })
            #expect(vendor["custom"] == true)
            #expect(vendor["fields"][1]["choices"] == ["A", "B", "C"])
        }
    }
}
