import CRM
import Foundation
import Testing
@testable import Web

@Suite("Web pages: reading forms")
struct RecordFormReaderTests {
    let utc = TimeZone(identifier: "UTC") ?? .current

    private func form(_ pairs: [(String, String)]) -> FormValues {
        FormValues(URLText.query(pairs.map { ($0.0, $0.1) }))
    }

    @Test func formValuesDecodePlusAndPercentAndKeepRepeats() {
        let values = FormValues("q=fleet+tracking&name=M%C3%BCller%20%26+Co&tag=a&tag=b&empty=&bad=%zz")
        #expect(values["q"] == "fleet tracking")
        #expect(values["name"] == "Müller & Co")
        #expect(values["tag"] == "a")
        #expect(values.contains("empty") && values.trimmed("empty") == nil)
        #expect(values["bad"] == "%zz")
        #expect(!values.contains("missing"))
    }

    @Test func eachFieldTypeIsReadIntoItsValue() throws {
        let reader = RecordFormReader(module: .events, timeZone: utc)
        let result = reader.read(form([
            ("f.subject", "  Demo  "), ("f.start", "2026-03-05T14:30"), ("f.end", "2026-03-05T15:30:15"),
            ("f.allDay", "yes"), ("f.related", "http://crm.test/opportunities/12/edit"), ("owner", "2"),
        ]), current: nil)
        let draft = try #require(result.draft)
        #expect(draft.fields["subject"] == .text("Demo"))
        #expect(draft.fields["start"] == .dateTime(Date(timeIntervalSince1970: 1_772_721_000)))
        #expect(draft.fields["end"] == .dateTime(Date(timeIntervalSince1970: 1_772_724_615)))
        #expect(draft.fields["allDay"] == .bool(true))
        #expect(draft.fields["related"] == .reference(RecordRef(.opportunities, RecordID("12"))))
        #expect(draft.fields["location"] == .some(nil), "a blank input clears the field")
        #expect(draft.owner == CRMUserID("2"))
    }

    @Test func listsSplitOnCommasAndLines() throws {
        let reader = RecordFormReader(module: .accounts, timeZone: utc)
        let draft = try #require(reader.read(form([("f.name", "Acme"), ("f.domains", "acme.example,\r\n acme.test\n\n")]), current: nil).draft)
        #expect(draft.fields["domains"] == .list(["acme.example", "acme.test"]))
    }

    @Test(arguments: [("1200", Decimal(1200)), ("1,200.50", Decimal(string: "1200.5")), ("-3", Decimal(-3)), (".5", Decimal(string: "0.5"))])
    func numbersAreRead(text: String, expected: Decimal?) {
        #expect(RecordFormReader.decimal(text) == expected)
    }

    @Test(arguments: ["12x", "1.2.3", "-", "", "1e5", "١٢"])
    func malformedNumbersAreRefused(text: String) {
        #expect(RecordFormReader.decimal(text) == nil)
    }

    @Test func unreadableInputNamesTheFieldAndKeepsWhatWasTyped() {
        let reader = RecordFormReader(module: .opportunities, timeZone: utc)
        let result = reader.read(form([("f.name", "Deal"), ("f.amount", "lots"), ("f.closeDate", "tomorrow")]), current: nil)
        #expect(result.draft == nil)
        #expect(result.errors["amount"] == "Amount must be a number like 1200 or 1200.50, not “lots”")
        #expect(result.errors["closeDate"] == "Close date must be a date like 2026-03-05, not “tomorrow”")
        #expect(result.values["amount"] == "lots" && result.values["name"] == "Deal")
    }

    @Test func anEditChangesOnlyTheFieldsWhoseTextChanged() throws {
        let start = Date(timeIntervalSince1970: 1_772_721_000.75)
        let record = CRMRecord(ref: RecordRef(.events, RecordID("7")), owner: CRMUserID("1"), fields: [
            "subject": .text("Demo"), "start": .dateTime(start), "location": .text("Office"),
        ], createdAt: start, modifiedAt: start)
        let reader = RecordFormReader(module: .events, timeZone: utc)
        var values = reader.values(of: record)
        #expect(values["start"] == "2026-03-05T14:30")
        values["location"] = "Their office"
        let pairs = values.map { (FieldInput.name($0.key), $0.value) }
        let draft = try #require(reader.read(form(pairs), current: record).draft)
        #expect(draft.fields["start"] == nil, "the shown minute keeps the stored fraction of a second")
        #expect(draft.fields["location"] == .text("Their office"))
        #expect(draft.fields["allDay"] == .bool(false), "an unchecked box is not sent but counts")
    }
}
