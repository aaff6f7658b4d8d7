import CRM
import Foundation
import Testing

@Suite("CRMRecord and RecordDraft")
struct RecordTests {
    func record(_ module: ModuleKey, _ fields: [String: FieldValue], number: String? = nil) -> CRMRecord {
        CRMRecord(ref: RecordRef(module, RecordID("7")), number: number, owner: nil, fields: fields,
                  createdAt: Date(timeIntervalSince1970: 0), modifiedAt: Date(timeIntervalSince1970: 0))
    }

    @Test func theNameComesFromTheModulesNameField() {
        #expect(record(.opportunities, ["name": .text("Website redesign")]).name(in: .opportunities) == "Website redesign")
        #expect(record(.cases, ["subject": .text("Login broken")]).name(in: .cases) == "Login broken")
    }

    @Test func peopleAreNamedByFirstAndLastName() {
        #expect(record(.contacts, ["firstName": .text("Carol"), "lastName": .text("Smith")]).name(in: .contacts) == "Carol Smith")
        #expect(record(.leads, ["firstName": .text(""), "lastName": .text("Jones")]).name(in: .leads) == "Jones")
    }

    @Test func aRecordWithoutAnyNameFallsBackToItsNumberThenItsID() {
        #expect(record(.opportunities, ["name": .text("")], number: "OPP-0042").name(in: .opportunities) == "OPP-0042")
        #expect(record(.accounts, [:]).name(in: .accounts) == "7")
    }

    @Test func emailAddressesAreLowerCased() {
        let carol = record(.contacts, ["emails": .list(["Carol@Example.COM", "c.smith@example.com"])])
        #expect(carol.emailAddresses == ["carol@example.com", "c.smith@example.com"])
        #expect(record(.accounts, [:]).emailAddresses.isEmpty)
    }

    @Test func aDraftTellsClearingAFieldFromLeavingItAlone() {
        var draft = RecordDraft(fields: ["name": .text("New name")])
        draft.fields["closeDate"] = .some(nil)
        #expect(draft.fields.keys.sorted() == ["closeDate", "name"])
        #expect(draft.fields["closeDate"] == .some(nil))
        #expect(draft.fields["stage"] == nil)
        #expect(draft.owner == nil)
    }
}

@Suite("FieldValue and built-in modules")
struct FieldValueTests {
    @Test func accessorsReturnOnlyTheirOwnKind() throws {
        let date = try #require(CalendarDate("2025-01-31"))
        #expect(FieldValue.text("x").text == "x")
        #expect(FieldValue.text("x").number == nil)
        #expect(FieldValue.date(date).date == date)
        #expect(FieldValue.reference(RecordRef(.accounts, RecordID("3"))).reference?.module == .accounts)
    }

    @Test func displayTextReadsNaturally() throws {
        #expect(FieldValue.list(["a", "b"]).displayText == "a, b")
        #expect(FieldValue.bool(true).displayText == "yes")
        #expect(FieldValue.number(Decimal(string: "12000.5") ?? 0).displayText == "12000.5")
        #expect(FieldValue.date(try #require(CalendarDate("2025-12-15"))).displayText == "2025-12-15")
    }

    @Test func builtInModulesHaveUniqueKeysAndFieldsAndAKnownNameField() {
        let modules = ModuleDefinition.builtIns
        #expect(Set(modules.map(\.key)).count == modules.count)
        for module in modules {
            #expect(Set(module.fields.map(\.key)).count == module.fields.count, "\(module.key) repeats a field")
            #expect(module.field(module.nameField) != nil || module.field("lastName") != nil, "\(module.key) cannot be named")
        }
    }

    @Test func aRecordReferenceReadsBackFromItsText() {
        let ref = RecordRef(.opportunities, RecordID("42"))
        #expect(RecordRef(ref.description) == ref)
        #expect(RecordRef("opportunities/") == nil && RecordRef("/42") == nil && RecordRef("42") == nil)
    }
}
