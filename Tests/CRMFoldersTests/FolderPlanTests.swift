import CRM
import Foundation
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
        #expect(name.count == FolderName.maxLength + 1 && name.hasSuffix("…"))
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
