import CRM
import Foundation
import Testing

@Suite("ClosedRule")
struct ClosedRuleTests {
    func record(_ fields: [String: FieldValue]) -> CRMRecord {
        CRMRecord(ref: RecordRef(.opportunities, RecordID("1")), owner: nil, fields: fields,
                  createdAt: Date(timeIntervalSince1970: 0), modifiedAt: Date(timeIntervalSince1970: 0))
    }

    @Test(arguments: [
        ("Closed Won", true), ("closed lost", true), ("CLOSED WON", true),
        ("Proposal", false), ("Closed Won later", false), ("Not Closed Won", false), ("", false),
    ])
    func opportunityStageMatchesTheWholeValueIgnoringCase(_ stage: String, _ closed: Bool) throws {
        let rule = try #require(ModuleDefinition.opportunities.closedRule)
        #expect(rule.isClosed(record(["stage": .text(stage)])) == closed)
    }

    @Test func aRecordWithoutTheRuleFieldIsOpen() throws {
        let rule = try ClosedRule(field: "status", pattern: "Done")
        #expect(!rule.isClosed(record(["name": .text("Done")])))
    }

    @Test func nonTextValuesMatchByTheirDisplayText() throws {
        let rule = try ClosedRule(field: "finished", pattern: "yes")
        #expect(rule.isClosed(record(["finished": .bool(true)])))
        #expect(!rule.isClosed(record(["finished": .bool(false)])))
    }

    @Test func anInvalidPatternIsAPermanentErrorNamingThePattern() {
        let error = #expect(throws: CRMError.self) { try ClosedRule(field: "stage", pattern: "Won|(") }
        #expect(error?.kind == .permanent)
        #expect(error?.message.contains("Won|(") == true)
    }

    @Test func builtInModulesWithClosedRulesNameAChoiceFieldThatCanClose() throws {
        for module in ModuleDefinition.builtIns {
            guard let rule = module.closedRule else { continue }
            let field = try #require(module.field(rule.field), "\(module.key) closes on a field it lacks")
            guard case .choice(let choices) = field.type else {
                Issue.record("\(module.key).\(rule.field) is not a choice"); continue
            }
            #expect(choices.contains { rule.isClosed(record([rule.field: .text($0)])) }, "\(module.key) can never close")
            #expect(choices.contains { !rule.isClosed(record([rule.field: .text($0)])) }, "\(module.key) is always closed")
        }
    }
}
