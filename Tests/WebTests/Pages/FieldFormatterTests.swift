import CRM
import Foundation
import Testing
@testable import Web

@Suite("Web pages: showing values")
struct FieldFormatterTests {
    let formatter = FieldFormatter(timeZone: TimeZone(identifier: "UTC") ?? .current)

    private func record(_ fields: [String: FieldValue]) -> CRMRecord {
        CRMRecord(ref: RecordRef(.opportunities, RecordID("1")), owner: nil, fields: fields, createdAt: Date(), modifiedAt: Date())
    }

    @Test func moneyShowsItsCurrency() {
        #expect(formatter.money(12500, currency: "USD") == "$12,500.00")
        #expect(formatter.money(900, currency: "eur") == "€900.00")
        #expect(formatter.money(1200, currency: "Bitcoin") == "1,200.00 BITCOIN")
        #expect(formatter.money(Decimal(string: "99.5") ?? 0, currency: nil) == "99.50")
    }

    @Test func datesReadAsInSummaryEmailsInTheReadersZone() throws {
        // A past year always shows; the current one is left out (as DisplayFormat decides).
        #expect(formatter.date(try #require(CalendarDate("2025-03-05"))) == "5 Mar 2025")
        let instant = Date(timeIntervalSince1970: 1_741_168_800)  // 2025-03-05 10:00 UTC
        #expect(FieldFormatter(timeZone: TimeZone(identifier: "Europe/Berlin")!).dateTime(instant) == "5 Mar 2025, 11:00")
        #expect(FieldFormatter(timeZone: TimeZone(identifier: "America/New_York")!).dateTime(instant) == "5 Mar 2025, 05:00")
        let thisYear = try #require(CalendarDate(year: Calendar(identifier: .gregorian).component(.year, from: Date()), month: 3, day: 5))
        #expect(formatter.date(thisYear) == "5 Mar")
    }

    @Test func referencesLinkToTheRecordPageByName() {
        let account = RecordRef(.accounts, RecordID("4"))
        let field = FieldDefinition("account", "Account", .reference(.accounts))
        #expect(formatter.html(field, of: record(["account": .reference(account)]), names: [account: "Acme & Co"])
                == #"<a href="/accounts/4">Acme &amp; Co</a>"#)
        #expect(formatter.html(field, of: record(["account": .reference(account)]), names: [:]).contains("(deleted)"))
    }

    @Test func onlyWebAddressesBecomeLinks() {
        let field = FieldDefinition("website", "Website", .url)
        #expect(formatter.html(field, of: record(["website": .text("https://acme.example")]), names: [:]).hasPrefix("<a href="))
        #expect(formatter.html(field, of: record(["website": .text("javascript:alert(1)")]), names: [:]) == "javascript:alert(1)")
    }

    @Test func attachmentHeadersCannotBeForged() {
        #expect(EmailDownloads.safeContentType("text/plain; charset=utf-8") == "text/plain; charset=utf-8")
        #expect(EmailDownloads.safeContentType("text/html\r\nSet-Cookie: a=b") == "application/octet-stream")
        #expect(EmailDownloads.safeContentType("nonsense") == "application/octet-stream")
        #expect(EmailDownloads.contentDisposition(filename: "a\"b\r\n.txt") == #"attachment; filename="a_b__.txt"; filename*=UTF-8''a%22b%0D%0A.txt"#)
    }

    @Test func listFiltersFallBackToDefaults() {
        let query = ListQuery(FormValues("state=bogus&page=-4&q=+acme+"), module: .opportunities)
        #expect(query.state == .open && query.owner == .me && query.page == 1 && query.search == "acme")
        #expect(ListQuery(FormValues(nil), module: .accounts).owner == .all)
        #expect(query.path(.opportunities, page: 2) == "/opportunities?q=acme&state=open&owner=me&page=2")
    }
}
