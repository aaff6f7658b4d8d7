import CRM
import Foundation
import IMAPCore
import Testing
@testable import CRMFolders

@Suite("Folder plan")
struct FolderPlanTests {
    func opportunity(_ id: String, _ name: String, number: String? = nil) -> CRMRecord {
        CRMRecord(ref: RecordRef(.opportunities, RecordID(id)), number: number ?? "OPP-\(id)", owner: nil,
                  fields: ["name": .text(name), "stage": .text("Proposal")], createdAt: Date(), modifiedAt: Date())
    }

    @Test func defaultTreeHasMasterDropDisplayAndAssignToFolders() {
        let plan = FolderPlan.plan(names: FolderNames(master: "Embedded CRM"), dropModules: [.opportunities, .cases],
                                   displayModules: [(.opportunities, [opportunity("42", "Website redesign - Acme Corp")])])
        #expect(plan.map(\.name) == [
            "Embedded CRM", "Embedded CRM/- Create New Email", "Embedded CRM/- Create New Opportunity",
            "Embedded CRM/- Create New Case", "Embedded CRM/Opportunities", "Embedded CRM/Opportunities/Assign To",
            "Embedded CRM/Opportunities/Assign To/Website redesign - Acme Corp (OPP-42)",
        ])
        #expect(plan.last?.role == .assignTo(RecordRef(.opportunities, RecordID("42"))))
    }

    @Test(arguments: [
        ("Sales/Marketing 2026", "Sales-Marketing 2026"),
        ("  many   spaces\there ", "many spaces here"),
        ("100% *done*", "100 done"),
        ("Müller GmbH · Zürich", "Müller GmbH · Zürich"),
        ("", "Untitled"),
        ("///", "---"),
    ])
    func namesAreSafeMailboxLevels(_ input: String, _ expected: String) {
        #expect(FolderName.sanitize(input) == expected)
    }

    @Test func longNamesAreCut() {
        let name = FolderName.sanitize(String(repeating: "x", count: 500))
        #expect(name.count == FolderName.maxLength && name.hasSuffix("…"))
    }

    @Test func aShortenedAssignToNameKeepsTheNumberAndStaysUnique() {
        let long = String(repeating: "Framework agreement for the northern region ", count: 6)
        let records = [opportunity("44", long, number: "OPP-0044"), opportunity("45", long, number: "OPP-0045"),
                       opportunity("46", long, number: ""), opportunity("47", long, number: "")]
        let names = FolderPlan.plan(names: FolderNames(master: "CRM"), dropModules: [], displayModules: [(.opportunities, records)])
            .suffix(4).map { String($0.name.split(separator: "/").last!) }
        #expect(names[0].hasSuffix("… (OPP-0044)") && names[1].hasSuffix("… (OPP-0045)"), "\(names)")
        #expect(names[2].hasSuffix("…") && names[3].hasSuffix("… (2)"), "\(names)")
        #expect(Set(names.map { $0.lowercased() }).count == 4)
        #expect(names.allSatisfy { $0.count <= FolderName.maxLength })
    }

    @Test(arguments: [
        String(repeating: "Übergabe Müller ", count: 20),
        String(repeating: "見積もり依頼", count: 40),
        String(repeating: "e\u{301}", count: 200),
        String(repeating: "🇩🇪🇫🇷", count: 60),
        String(repeating: "a&b ", count: 100),
    ])
    func shorteningNeverSplitsACharacterOrAModifiedUTF7Run(_ name: String) throws {
        let cut = FolderName.sanitize(name + " (CASE-7)")
        #expect(cut.hasSuffix("… (CASE-7)"))
        let encoded = MailboxNameCodec.encode(cut, utf8: false)
        #expect(encoded.count <= FolderName.maxEncodedBytes)
        #expect(try MailboxNameCodec.decode(encoded, utf8: false) == cut)
        // Whole characters: the kept head is a prefix, character for character, of the original.
        let head = String(cut.dropLast("… (CASE-7)".count))
        #expect(name.hasPrefix(head))
        #expect(Array(name).starts(with: Array(head)))
    }

    @Test func collidingNamesAreNumberedStably() {
        let records = [opportunity("9", "Renewal", number: "X"), opportunity("10", "Renewal", number: "X"), opportunity("3", "renewal", number: "X")]
        let names = FolderPlan.plan(names: FolderNames(master: "CRM", assignToTemplate: "{name}"), dropModules: [],
                                    displayModules: [(.opportunities, records)]).map(\.name).suffix(3)
        #expect(Array(names) == ["CRM/Opportunities/Assign To/renewal", "CRM/Opportunities/Assign To/Renewal (2)",
                                 "CRM/Opportunities/Assign To/Renewal (3)"])
    }

    @Test func missingNumberLeavesNoEmptyParentheses() {
        let record = CRMRecord(ref: RecordRef(.opportunities, RecordID("1")), number: nil, owner: nil,
                               fields: ["name": .text("Deal")], createdAt: Date(), modifiedAt: Date())
        #expect(FolderName.sanitize(FolderName.expand("{name} ({number})", record: record, module: .opportunities)) == "Deal")
    }
}
