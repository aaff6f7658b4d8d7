import CRM
import EmbeddedCRM
import Foundation
import Hummingbird
import Testing
@testable import Web

/// A request body the API must refuse, and how.
struct BadBody: Sendable, CustomStringConvertible {
    var name: String
    var module: String
    /// `ACCOUNT` stands for the harness account's id.
    var body: String
    var status: HTTPResponse.Status
    /// The `error.field` expected; nil when the error is about the whole body.
    var field: String?
    /// Words the message must contain.
    var says: String
    var description: String { name }

    static let all: [BadBody] = [
        BadBody(name: "malformed JSON", module: "contacts", body: #"{"fields": {"lastName": "Bolton",}}"#,
                status: .badRequest, field: nil, says: "line 1"),
        BadBody(name: "truncated JSON", module: "contacts", body: #"{"fields": {"lastName": "Bol"#,
                status: .badRequest, field: nil, says: "not valid JSON"),
        BadBody(name: "empty body", module: "contacts", body: "", status: .badRequest, field: nil, says: "no body"),
        BadBody(name: "body is an array", module: "contacts", body: #"[{"lastName": "Bolton"}]"#,
                status: .badRequest, field: nil, says: "an array"),
        BadBody(name: "fields is not an object", module: "contacts", body: #"{"fields": ["Bolton"]}"#,
                status: .badRequest, field: "fields", says: "must be an object"),
        BadBody(name: "unknown field", module: "contacts", body: #"{"fields": {"lastName": "Bolton", "shoeSize": 44}}"#,
                status: .badRequest, field: "fields.shoeSize", says: "no field \"shoeSize\""),
        BadBody(name: "unknown top-level key", module: "contacts", body: #"{"fields": {"lastName": "Bolton"}, "colour": "red"}"#,
                status: .badRequest, field: "colour", says: "unknown key"),
        BadBody(name: "field outside fields", module: "contacts", body: #"{"lastName": "Bolton"}"#,
                status: .badRequest, field: "lastName", says: "inside \"fields\""),
        BadBody(name: "read-only key", module: "contacts", body: #"{"id": "99", "fields": {"lastName": "Bolton"}}"#,
                status: .badRequest, field: "id", says: "set by the CRM"),
        BadBody(name: "text given a number", module: "contacts", body: #"{"fields": {"lastName": 42}}"#,
                status: .badRequest, field: "fields.lastName", says: "must be a string"),
        BadBody(name: "number given text", module: "opportunities", body: #"{"fields": {"name": "X", "stage": "Proposal", "amount": "lots"}}"#,
                status: .badRequest, field: "fields.amount", says: "must be a number"),
        BadBody(name: "text list given a string", module: "contacts", body: #"{"fields": {"lastName": "Bolton", "emails": "bolton@initech.example"}}"#,
                status: .badRequest, field: "fields.emails", says: "an array of strings"),
        BadBody(name: "text list with a number", module: "contacts", body: #"{"fields": {"lastName": "Bolton", "emails": ["a@b.example", 7]}}"#,
                status: .badRequest, field: "fields.emails", says: "an array of strings"),
        BadBody(name: "bool given text", module: "events", body: #"{"fields": {"subject": "S", "start": "2026-01-01T10:00:00Z", "end": "2026-01-01T11:00:00Z", "allDay": "yes"}}"#,
                status: .badRequest, field: "fields.allDay", says: "true or false"),
        BadBody(name: "date in the wrong format", module: "opportunities", body: #"{"fields": {"name": "X", "stage": "Proposal", "closeDate": "30/04/2026"}}"#,
                status: .badRequest, field: "fields.closeDate", says: "YYYY-MM-DD"),
        BadBody(name: "date-time without a zone", module: "events", body: #"{"fields": {"subject": "S", "start": "2026-01-01 10:00", "end": "2026-01-01T11:00:00Z"}}"#,
                status: .badRequest, field: "fields.start", says: "ISO 8601"),
        BadBody(name: "reference to any module given a bare id", module: "tasks", body: #"{"fields": {"subject": "S", "status": "Waiting", "related": "ACCOUNT"}}"#,
                status: .badRequest, field: "fields.related", says: "{\"module\""),
        BadBody(name: "owner of the wrong type", module: "contacts", body: #"{"owner": 1, "fields": {"lastName": "Bolton"}}"#,
                status: .badRequest, field: "owner", says: "id or email"),
        BadBody(name: "missing required field", module: "contacts", body: #"{"fields": {"firstName": "Bill"}}"#,
                status: .unprocessableContent, field: "fields.lastName", says: "required"),
        BadBody(name: "no fields at all", module: "opportunities", body: #"{}"#,
                status: .unprocessableContent, field: "fields.name", says: "required"),
        BadBody(name: "required field blank", module: "cases", body: #"{"fields": {"subject": "  ", "status": "New"}}"#,
                status: .unprocessableContent, field: "fields.subject", says: "required"),
        BadBody(name: "value not in the choice list", module: "opportunities", body: #"{"fields": {"name": "X", "stage": "Dreaming"}}"#,
                status: .unprocessableContent, field: "fields.stage", says: "must be one of"),
        BadBody(name: "percentage out of range", module: "opportunities", body: #"{"fields": {"name": "X", "stage": "Proposal", "probability": 140}}"#,
                status: .unprocessableContent, field: "fields.probability", says: "between 0 and 100"),
        BadBody(name: "reference to a missing record", module: "contacts", body: #"{"fields": {"lastName": "Bolton", "account": "9999"}}"#,
                status: .unprocessableContent, field: "fields.account", says: "does not exist"),
        BadBody(name: "reference to a record of the wrong module", module: "contacts", body: #"{"fields": {"lastName": "Bolton", "account": {"module": "contacts", "id": "ACCOUNT"}}}"#,
                status: .unprocessableContent, field: "fields.account", says: "must refer to an Account"),
        BadBody(name: "reference to an unknown module", module: "tasks", body: #"{"fields": {"subject": "S", "status": "Waiting", "related": {"module": "planets", "id": "1"}}}"#,
                status: .unprocessableContent, field: "fields.related", says: "no module"),
        BadBody(name: "owner who is not a user", module: "contacts", body: #"{"owner": "nobody@example.com", "fields": {"lastName": "Bolton"}}"#,
                status: .unprocessableContent, field: "owner", says: "not an active CRM user"),
    ]
}

@Suite("JSON API: bad input is refused with the field named, and nothing is written")
struct APIErrorTests {
    @Test("a bad create body is refused and creates nothing", arguments: BadBody.all)
    func badCreateBody(_ bad: BadBody) async throws {
        let harness = try await APIHarness.make()
        let module = ModuleKey(bad.module)
        let before = try await harness.count(module)
        let body = bad.body.replacingOccurrences(of: "ACCOUNT", with: harness.account.ref.id.rawValue)
        try await harness.run { api in
            let response = try await api.post("/api/v1/\(bad.module)", body)
            #expect(response.status == bad.status, "\(response.text)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.errorField == bad.field)
            #expect(response.errorMessage.contains(bad.says), "\(response.errorMessage)")
        }
        #expect(try await harness.count(module) == before)
    }

    @Test("a bad update body is refused and changes nothing", arguments: BadBody.all.filter { $0.module == "contacts" && $0.name != "missing required field" })
    func badUpdateBody(_ bad: BadBody) async throws {
        let harness = try await APIHarness.make()
        let contact = try await harness.crm.createRecord(in: .contacts, RecordDraft(
            owner: harness.alice.id, fields: ["lastName": .text("Waddams"), "title": .text("Collator")]))
        let body = bad.body.replacingOccurrences(of: "ACCOUNT", with: harness.account.ref.id.rawValue)
        try await harness.run { api in
            let response = try await api.patch("/api/v1/contacts/\(contact.ref.id)", body)
            #expect(response.status == bad.status, "\(response.text)")
            #expect(response.errorField == bad.field)
        }
        #expect(try await harness.crm.record(contact.ref) == contact)
    }

    @Test("clearing a required field is refused")
    func clearingRequiredField() async throws {
        let harness = try await APIHarness.make()
        let contact = try await harness.crm.createRecord(in: .contacts, RecordDraft(owner: harness.alice.id, fields: ["lastName": .text("Waddams")]))
        try await harness.run { api in
            let response = try await api.patch("/api/v1/contacts/\(contact.ref.id)", #"{"fields": {"lastName": null}}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorField == "fields.lastName")
        }
        #expect(try await harness.crm.record(contact.ref) == contact)
    }

    @Test("unknown modules and records answer 404")
    func unknownModuleAndRecord() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/planets"), (.post, "/api/v1/planets"), (.get, "/api/v1/planets/1"),
                                   (.patch, "/api/v1/planets/1"), (.delete, "/api/v1/planets/1")] {
                let response = try await api.send(method, path, body: method == .get || method == .delete ? nil : #"{"fields": {}}"#)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(response.errorMessage.contains("no module \"planets\""))
            }
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/contacts/9999"), (.patch, "/api/v1/contacts/9999"),
                                   (.delete, "/api/v1/contacts/9999"), (.get, "/api/v1/contacts/not-a-number"),
                                   (.get, "/api/v1/contacts/\(harness.account.ref.id)")] {
                let response = try await api.send(method, path, body: method == .patch ? #"{"fields": {"title": "x"}}"# : nil)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(response.errorMessage.contains("no contact with id"))
            }
        }
        #expect(try await harness.count(.contacts) == 0)
    }

    @Test("methods and paths the API does not have answer 405 or 404 in JSON")
    func unknownEndpoints() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for (method, path, status) in [(HTTPRequest.Method.put, "/api/v1/accounts/\(harness.account.ref.id)", HTTPResponse.Status.methodNotAllowed),
                                           (.delete, "/api/v1/accounts", .methodNotAllowed),
                                           (.get, "/api/v1/accounts/\(harness.account.ref.id)/extra", .notFound)] {
                let response = try await api.send(method, path, body: method == .put ? #"{"fields": {"name": "X"}}"# : nil)
                #expect(response.status == status, "\(method) \(path)")
                #expect(response.errorMessage.contains("PATCH"))
                if status == .methodNotAllowed { #expect(response.headers[.allow] != nil) }
            }
            let unauthenticated = try await api.send(.get, "/api/v1/accounts/1/extra", authorization: "")
            #expect(unauthenticated.status == .unauthorized)
        }
        #expect(try await harness.crm.record(harness.account.ref) == harness.account)
    }

    @Test("a missing, malformed or unknown token answers 401 and writes nothing")
    func badTokens() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for authorization in ["", "Bearer cgt_not-a-real-token", "Basic YWxpY2U6cGFzcw==", "Bearer "] {
                for method in [HTTPRequest.Method.get, .post] {
                    let response = try await api.send(method, "/api/v1/contacts", body: method == .post ? #"{"fields": {"lastName": "Bolton"}}"# : nil,
                                                      authorization: authorization)
                    #expect(response.status == .unauthorized, "\(authorization)")
                    #expect(response.errorMessage.contains("token"))
                }
            }
        }
        #expect(try await harness.count(.contacts) == 0)
    }

    @Test("a token whose account has no CRM user answers 403")
    func tokenWithoutCRMUser() async throws {
        let harness = try await APIHarness.make()
        _ = try await harness.store.createUser(email: "mallory@example.com", password: "correct horse battery staple")
        let token = try await harness.store.createToken(email: "mallory@example.com")
        try await harness.run { api in
            let response = try await api.send(.get, "/api/v1/contacts", authorization: "Bearer \(token)")
            #expect(response.status == .forbidden)
        }
    }

    @Test("a body over the limit answers 413 and writes nothing")
    func bodyTooLarge() async throws {
        let harness = try await APIHarness.make()
        let huge = #"{"fields": {"lastName": "Bolton", "title": "\#(String(repeating: "x", count: JSONBody.maxBytes))"}}"#
        try await harness.run { api in
            let response = try await api.post("/api/v1/contacts", huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorMessage.contains("KiB"))
        }
        #expect(try await harness.count(.contacts) == 0)
    }

    @Test("a body that is not JSON by its content type answers 415")
    func wrongContentType() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let response = try await api.send(.post, "/api/v1/contacts", body: "lastName=Bolton", contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .unsupportedMediaType)
            let untyped = try await api.send(.post, "/api/v1/contacts", body: #"{"fields": {"lastName": "Bolton"}}"#, contentType: nil)
            #expect(untyped.status == .created)
        }
        #expect(try await harness.count(.contacts) == 1)
    }

    @Test("while the CRM is unavailable the API answers 503 with Retry-After")
    func crmUnavailable() async throws {
        let harness = try await APIHarness.make()
        harness.crm.setAvailability(.unavailable)
        try await harness.run { api in
            for response in [try await api.get("/api/v1/contacts"),
                             try await api.post("/api/v1/contacts", #"{"fields": {"lastName": "Bolton"}}"#),
                             try await api.get("/api/v1/accounts/\(harness.account.ref.id)")] {
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(response.errorMessage.contains("unavailable"))
            }
        }
        harness.crm.setAvailability(.available)
        #expect(try await harness.count(.contacts) == 0)
    }

    @Test("bad list parameters answer 400 naming the parameter", arguments: [
        ("limit=0", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"), ("page=0", "page"),
        ("page=2&offset=10", "page"), ("modified_since=yesterday", "modified_since"), ("state=pending", "state"),
        ("owner=nobody@example.com", "owner"), ("sort=colour", "sort"), ("limit=5&limit=6", "limit"),
    ])
    func badListParameters(query: String, field: String) async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let response = try await api.get("/api/v1/accounts?\(query)")
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.errorField == field)
        }
    }
}
