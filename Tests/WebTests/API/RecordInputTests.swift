import CRM
import Foundation
import Hummingbird
import Testing
@testable import Web

@Suite("JSON API input: bodies, field values and list parameters, without a server")
struct RecordInputTests {
    private func input(_ json: String, module: ModuleDefinition = .opportunities) throws -> RecordInput {
        try RecordInput(try JSONBody.object(from: Data(json.utf8)), module: module)
    }

    @Test("values become field values by the field's type; null clears")
    func typedValues() throws {
        let parsed = try input(#"""
            {"owner": "bob@example.com", "fields": {"name": "N", "amount": 0.1, "probability": 30, "closeDate": "2026-04-30",
             "account": "7", "contact": {"module": "contacts", "id": "3"}, "description": null}}
            """#)
        #expect(parsed.owner == "bob@example.com")
        #expect(parsed.fields["name"] == .some(.text("N")))
        #expect(parsed.fields["amount"] == .some(.number(Decimal(string: "0.1") ?? 0)))
        #expect(parsed.fields["closeDate"] == .some(.date(CalendarDate(year: 2026, month: 4, day: 30)!)))
        #expect(parsed.fields["account"] == .some(.reference(RecordRef(.accounts, RecordID("7")))))
        #expect(parsed.fields["contact"] == .some(.reference(RecordRef(.contacts, RecordID("3")))))
        #expect(parsed.fields["description"] == .some(nil))
        #expect(parsed.fields["stage"] == nil)
    }

    @Test("money keeps its decimal digits exactly")
    func exactMoney() throws {
        let parsed = try input(#"{"fields": {"amount": 1234567890.123456789}}"#)
        #expect(parsed.fields["amount"] == .some(.number(Decimal(string: "1234567890.123456789") ?? 0)))
        let rendered = RecordJSON.render(.number(Decimal(string: "0.1") ?? 0), as: .money)
        let encoded = String(decoding: try JSONEncoder().encode(rendered), as: UTF8.self)
        #expect(encoded == "0.1")
    }

    @Test("malformed JSON is reported with its position")
    func malformedPosition() {
        #expect(throws: APIError.self) { try JSONBody.object(from: Data("{\n  \"a\": tru\n}".utf8)) }
        do {
            _ = try JSONBody.object(from: Data("{\n  \"a\": tru\n}".utf8))
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.message.contains("line 2"), "\(error.message)")
        }
    }

    @Test("a record's own JSON renders back the same field values", arguments: ModuleDefinition.builtIns)
    func roundTrip(module: ModuleDefinition) throws {
        for field in module.fields {
            let value: FieldValue = switch field.type {
            case .text, .longText, .email, .url, .phone: .text("a@b.example")
            case .choice(let choices): .text(choices[0])
            case .textList: .list(["x", "y"])
            case .number, .money, .percent: .number(Decimal(string: "12.5") ?? 0)
            case .bool: .bool(true)
            case .date: .date(CalendarDate(year: 2026, month: 1, day: 31)!)
            case .dateTime: .dateTime(Date(timeIntervalSince1970: 1_780_000_000.25))
            case .reference(let target): .reference(RecordRef(target ?? .accounts, RecordID("5")))
            }
            let json = RecordJSON.render(value, as: field.type)
            #expect(try RecordInput.value(json, for: field) == value, "\(module.key).\(field.key)")
        }
    }

    @Test("list parameters default, clamp and convert page to offset")
    func listParameters() throws {
        let defaults = try ListParameters([])
        #expect(defaults.limit == 50 && defaults.offset == 0 && defaults.state == .all)
        let paged = try ListParameters(FormValues.pairs("limit=20&page=3&state=OPEN&q=acme+corp&owner=me"))
        #expect(paged.limit == 20 && paged.offset == 40 && paged.state == .open)
        #expect(paged.search == "acme corp")
        #expect(paged.owner == "me")
        #expect(try ListParameters(FormValues.pairs("limit=9999")).limit == 500)
        let since = try ListParameters(FormValues.pairs("modified_since=2026-01-01T10%3A00%3A00%2B01%3A00"))
        #expect(since.modifiedSince == Date(timeIntervalSince1970: 1_767_258_000))
    }
}
