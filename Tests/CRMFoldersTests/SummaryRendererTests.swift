import CRM
import Foundation
import IMAPCore
import MIMECore
import Testing
@testable import CRMFolders

@Suite("Summary emails")
struct SummaryRendererTests {
    static let today = Date(timeIntervalSince1970: 1_796_000_000) // 2026-11-30
    static let acme = RecordRef(.accounts, RecordID("7"))
    static let display = DisplayFormat(timeZone: TimeZone(identifier: "UTC")!, now: today)

    func opportunity(_ fields: [String: FieldValue], modified: TimeInterval = 1_795_000_000) -> CRMRecord {
        CRMRecord(ref: RecordRef(.opportunities, RecordID("42")), number: "OPP-0042", owner: CRMUserID("1"), fields: fields,
                  createdAt: Date(timeIntervalSince1970: 1_790_000_000), modifiedAt: Date(timeIntervalSince1970: modified))
    }

    func input(_ record: CRMRecord, module: ModuleDefinition = .opportunities) -> SummaryInput {
        SummaryInput(crmName: "Embedded CRM", module: module, record: record, ownerName: "Alice Martin",
                     referenceNames: [Self.acme: "Acme Corp"],
                     contacts: [(name: "Jürgen Weber", email: "juergen@acme.example")],
                     activities: [ArchivedEmail(id: RecordID("3"), key: "k", messageID: nil, subject: "Re: proposal",
                                                date: Self.today, people: [], records: [], attachmentNames: [], created: true)],
                     viewURL: URL(string: "http://127.0.0.1:8080/opportunities/42")!,
                     editURL: URL(string: "http://127.0.0.1:8080/opportunities/42/edit")!, display: Self.display)
    }

    @Test func opportunitySubjectReadsWellInAMessageList() {
        let record = opportunity(["name": .text("Website redesign"), "account": .reference(Self.acme), "stage": .text("Proposal"),
                                  "amount": .number(12000), "currency": .text("USD"),
                                  "closeDate": .date(CalendarDate(year: 2026, month: 12, day: 15)!)])
        #expect(SummaryRenderer.subject(input(record)) == "Website redesign — Acme Corp · Proposal · $12,000 · closes 15 Dec")
    }

    @Test func emptyFieldsAndRepeatedAccountNamesAreLeftOut() {
        let record = opportunity(["name": .text("ERP rollout - Acme Corp"), "account": .reference(Self.acme),
                                  "stage": .text("Negotiation"), "amount": .number(250000.5), "currency": .text("CHF")])
        #expect(SummaryRenderer.subject(input(record)) == "ERP rollout - Acme Corp · Negotiation · 250,000.5 CHF")
    }

    @Test func caseSubjectStartsWithItsNumber() {
        let record = CRMRecord(ref: RecordRef(.cases, RecordID("5")), number: "CASE-0005", owner: nil,
                               fields: ["subject": .text("Cannot log in"), "status": .text("Open"), "priority": .text("High")],
                               createdAt: Self.today, modifiedAt: Self.today)
        #expect(SummaryRenderer.subject(input(record, module: .cases)) == "CASE-0005 Cannot log in · Open · High")
    }

    @Test func messageHasPlainAndHTMLPartsWithBothLinks() throws {
        let record = opportunity(["name": .text("Website <redesign>"), "stage": .text("Proposal"), "description": .text("Two\nlines")])
        let raw = SummaryRenderer.render(input(record)).raw
        let index = MessageIndex.parse(raw)
        guard case .multipart(let body) = index.bodyStructure else { Issue.record("not multipart"); return }
        #expect(body.subtype.uppercased() == "ALTERNATIVE" && body.parts.count == 2)
        let plain = String(decoding: try #require(index.decodedBody([1], in: raw)), as: UTF8.self)
        let html = String(decoding: try #require(index.decodedBody([2], in: raw)), as: UTF8.self)
        for part in [plain, html] {
            #expect(part.contains("http://127.0.0.1:8080/opportunities/42") && part.contains("http://127.0.0.1:8080/opportunities/42/edit"))
            #expect(part.contains("Jürgen Weber") && part.contains("Re: proposal"))
        }
        #expect(html.contains("Website &lt;redesign&gt;") && !html.contains("<redesign>"))
        #expect(!html.contains("<img") && !html.contains("src=\"http"))
        #expect(index.headerValues("From", in: raw).first?.contains("Embedded CRM") == true)
        #expect(index.sentDate == record.modifiedAt)
    }

    @Test func messageIDIsStablePerRecordVersion() {
        let first = opportunity(["name": .text("A"), "stage": .text("Proposal")])
        let again = opportunity(["name": .text("A"), "stage": .text("Proposal")])
        let changed = opportunity(["name": .text("A"), "stage": .text("Negotiation")], modified: 1_795_000_100)
        let (a, b, c) = (SummaryRenderer.render(input(first)), SummaryRenderer.render(input(again)), SummaryRenderer.render(input(changed)))
        #expect(a.messageID == b.messageID && a.version == b.version && a.raw == b.raw)
        #expect(a.messageID != c.messageID && a.version != c.version)
        #expect(MessageIndex.parse(a.raw).messageID == a.messageID)
    }

    @Test func timesReadInTheReadersZoneWithTheYearOnlyWhenItIsNotThisOne() throws {
        // modified 2026-11-18 11:06 UTC; an activity today (2026-11-30) and one in 2025.
        var record = opportunity(["name": .text("Deal"), "description": .text("Two\nlines\n\n\n")])
        record.modifiedAt = Date(timeIntervalSince1970: 1_795_000_000)
        var berlin = input(record)
        berlin.display = DisplayFormat(timeZone: TimeZone(identifier: "Europe/Berlin")!, now: Self.today)
        berlin.activities.append(ArchivedEmail(id: RecordID("4"), key: "k2", messageID: nil, subject: "Old thread",
                                               date: Date(timeIntervalSince1970: 1_750_000_000), people: [], records: [],
                                               attachmentNames: [], created: true))
        let raw = SummaryRenderer.render(berlin).raw
        let plain = String(decoding: try #require(MessageIndex.parse(raw).decodedBody([1], in: raw)), as: UTF8.self)
            .replacingOccurrences(of: "\r\n", with: "\n")
        #expect(plain.contains("Last changed: 18 Nov, 12:06"), "\(plain)")   // 11:06 UTC is 12:06 in Berlin
        #expect(plain.contains("15 Jun 2025, 17:06  Old thread"), "\(plain)")
        // The description's trailing blank lines are gone.
        #expect(plain.contains("Description:  Two\n              lines\nOwner:"), "\(plain)")
        var tokyo = berlin
        tokyo.display.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let tokyoRaw = SummaryRenderer.render(tokyo).raw
        let tokyoPlain = String(decoding: try #require(MessageIndex.parse(tokyoRaw).decodedBody([1], in: tokyoRaw)), as: UTF8.self)
        #expect(tokyoPlain.contains("Last changed: 18 Nov, 20:06"), "\(tokyoPlain)")
    }

    @Test func displayFormatIsSharedAndPicksTheFirstRealZone() {
        let format = DisplayFormat(timeZone: TimeZone(identifier: "America/New_York")!, now: Self.today)
        #expect(format.dateTime(Date(timeIntervalSince1970: 1_796_000_000)) == "29 Nov, 19:53")
        #expect(format.dateTime(Date(timeIntervalSince1970: 1_700_000_000)) == "14 Nov 2023, 17:13")
        #expect(format.date(CalendarDate(year: 2026, month: 3, day: 5)!) == "5 Mar")
        #expect(format.date(CalendarDate(year: 2027, month: 3, day: 5)!) == "5 Mar 2027")
        #expect(DisplayFormat.timeZone("", "Nowhere/Else", "Europe/Paris").identifier == "Europe/Paris")
        #expect(DisplayFormat.timeZone(nil, "") == TimeZone.current)
    }

    @Test func templatePlaceholdersAreListed() {
        #expect(SummaryTemplate.standard(for: .opportunities).placeholders == ["name", "account", "stage", "amount", "closeDate"])
    }

    @Test func aRememberedVersionIsReusedOnlyWhileTheSummaryWouldShowTheSame() {
        let versions = SummaryVersions()
        let record = opportunity(["name": .text("Website redesign"), "stage": .text("Proposal"),
                                  "closeDate": .date(CalendarDate(year: 2026, month: 12, day: 15)!), "account": .reference(Self.acme)])
        let base = input(record)
        #expect(versions.version(of: base, key: "opportunities/42") == SummaryRenderer.version(base))
        var laterToday = base
        laterToday.display.now = Self.today.addingTimeInterval(3600)
        #expect(versions.version(of: laterToday, key: "opportunities/42") == SummaryRenderer.version(base))
        // Every change of what the summary shows gives the version a fresh rendering has.
        var changes: [SummaryInput] = []
        var modified = base; modified.record.fields["stage"] = .text("Negotiation"); changes.append(modified)
        modified = base; modified.referenceNames[Self.acme] = "Acme Inc"; changes.append(modified)
        modified = base; modified.ownerName = "Bob Stone"; changes.append(modified)
        modified = base; modified.contacts = []; changes.append(modified)
        modified = base; modified.activities = []; changes.append(modified)
        modified = base; modified.crmName = "Sales"; changes.append(modified)
        modified = base; modified.display.now = Self.today.addingTimeInterval(400 * 86400); changes.append(modified)  // next year
        modified = base; modified.display.timeZone = TimeZone(identifier: "Asia/Tokyo")!; changes.append(modified)
        for changed in changes {
            #expect(versions.version(of: changed, key: "opportunities/42") == SummaryRenderer.version(changed))
            #expect(versions.version(of: changed, key: "opportunities/42") != SummaryRenderer.version(base))
        }
        versions.remember(base.shown, version: SummaryRenderer.render(base).version, key: "opportunities/42")
        #expect(versions.version(of: base, key: "opportunities/42") == SummaryRenderer.version(base))
    }
}
