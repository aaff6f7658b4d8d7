import CRM
import DAVCore
import Foundation
import Testing
@testable import DAVBridge

@Suite("Contact fields: what the CRM owns on a card")
struct ContactFieldsTests {
    static let apple = """
        BEGIN:VCARD\r
        VERSION:3.0\r
        PRODID:-//Apple Inc.//macOS 15.0//EN\r
        N:Gibbons;Peter;;;\r
        FN:Peter Gibbons\r
        ORG:Initech;Software\r
        TITLE:Engineer\r
        item1.EMAIL;type=INTERNET;type=pref:peter@initech.example\r
        item1.X-ABLabel:_$!<Other>!$_\r
        TEL;type=CELL;type=VOICE;type=pref:+1 555 0101\r
        TEL;type=HOME;type=VOICE:+1 555 0102\r
        TEL;type=WORK;type=VOICE:+1 555 0103\r
        ADR;type=WORK:;;4120 Freidrich Lane;Austin;TX;78744;USA\r
        BDAY:1970-01-01\r
        PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r
        END:VCARD\r

        """

    @Test func readsTheFieldsTheCRMOwnsFromAnAppleCard() throws {
        let fields = ContactFields(card: try VCard.parse(Self.apple))
        #expect(fields.firstName == "Peter" && fields.lastName == "Gibbons" && fields.organization == "Initech")
        #expect(fields.emails == ["peter@initech.example"] && fields.title == "Engineer")
        #expect(fields.mobile == "+1 555 0101" && fields.phone == "+1 555 0103", "cell is mobile; the work voice number is the phone")
        #expect(fields.address == "4120 Freidrich Lane\nAustin\nTX\n78744\nUSA")
    }

    @Test func patchingChangesOnlyTheLinesWhoseFieldsChangedAndKeepsTheRest() throws {
        let original = try VCard.parse(Self.apple)
        let old = ContactFields(card: original)
        var new = old
        new.title = "Team lead, Software"
        new.mobile = "+1 555 0199"
        var card = original
        new.patch(into: &card, over: old, crmID: "contacts/7", category: "CRM")
        #expect(card.title == "Team lead, Software")
        #expect(card.all("TEL").map(\.value) == ["+1 555 0199", "+1 555 0102", "+1 555 0103"])
        #expect(card.all("TEL").first?.types == ["cell", "voice", "pref"], "the line keeps its parameters")
        #expect(card.first("EMAIL")?.group == "item1" && card.text("PHOTO") == "AAAA" && card.text("BDAY") == "1970-01-01")
        #expect(card.first("ADR") == original.first("ADR"), "an unchanged address keeps its components")
        #expect(card.categories == ["CRM"] && card.crmID == "contacts/7")
        #expect(ContactFields(card: card) == new)
    }

    @Test func theHashChangesWithTheCRMsFieldsOnly() throws {
        let card = try VCard.parse(Self.apple)
        var personal = card
        personal.setText("NICKNAME", "Pete")
        personal.replace("PHOTO", with: [])
        #expect(ContactFields(card: personal).hash == ContactFields(card: card).hash)
        var renamed = card
        renamed.setText("TITLE", "Manager")
        #expect(ContactFields(card: renamed).hash != ContactFields(card: card).hash)
    }

    @Test func aNewCardCarriesItsRecordIDCategoryAndStableUID() {
        var fields = ContactFields()
        fields.firstName = "Zoë"
        fields.lastName = "Ångström; Øster"
        fields.note = "two\nlines, and a comma"
        let card = ContactFields.newCard(uid: "crmgate-contacts-9", crmID: "contacts/9", fields: fields, category: "Sales, EMEA")
        #expect(card.version == .v3 && card.uid == "crmgate-contacts-9" && card.crmID == "contacts/9")
        #expect(card.categories == ["Sales, EMEA"] && card.formattedName == "Zoë Ångström; Øster")
        #expect(ContactFields(card: try! VCard.parse(card.text)) == fields, "the written text reads back the same")
    }

    @Test func recordVersionsDifferForChangesWithinOneMillisecond() {
        let now = Date()
        let a = CRMRecord(ref: RecordRef(.contacts, RecordID("1")), owner: nil, fields: ["title": .text("A")], createdAt: now, modifiedAt: now)
        var b = a
        b.fields["title"] = .text("B")
        #expect(a.syncVersion != b.syncVersion)
        #expect(a.syncVersion == a.syncVersion)
    }

    @Test(arguments: [
        ("20261206T101500Z", 1_796_552_100.0), ("2026-12-06T10:15:00Z", 1_796_552_100.0),
        ("20261206T101500.250Z", 1_796_552_100.25), ("20261206", 1_796_515_200.0), ("yesterday", nil),
    ])
    func revisionsAreReadInTheFormsCardsWriteThem(_ text: String, _ seconds: Double?) {
        #expect(ContactsKind.revision(text)?.timeIntervalSince1970 == seconds)
    }
}
