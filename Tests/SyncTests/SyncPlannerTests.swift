import Foundation
import Testing
@testable import Sync

/// A record and its card, in step: the link the last run left.
private func link(_ n: Int, version: String = "v1", etag: String = "e1", hash: String = "h1") -> SyncLink {
    SyncLink(crmID: "contacts/\(n)", remoteUID: "uid-\(n)", href: "/book/\(n).vcf", etag: etag, remoteHash: hash, crmVersion: version)
}

private func record(_ n: Int, version: String = "v1", at time: Double? = nil) -> CRMItem {
    CRMItem(crmID: "contacts/\(n)", version: version, modifiedAt: time.map { Date(timeIntervalSince1970: $0) })
}

private func card(_ n: Int, etag: String = "e1", hash: String = "h1", carriesID: Bool = true, at time: Double? = nil) -> RemoteItem {
    RemoteItem(href: "/book/\(n).vcf", etag: etag, uid: "uid-\(n)", crmID: carriesID ? "contacts/\(n)" : nil, contentHash: hash,
               modifiedAt: time.map { Date(timeIntervalSince1970: $0) })
}

@Suite("Sync planner: one decision per item")
struct SyncPlannerTests {
    let planner = SyncPlanner(rules: SyncRules())

    @Test func firstSyncCreatesAnItemForEveryRecordInScope() {
        let plan = planner.plan(links: [], crm: .full([record(1), record(2)]), remote: .full([]))
        #expect(plan.actions == [.createRemote(crmID: "contacts/1"), .createRemote(crmID: "contacts/2")])
    }

    @Test func nothingChangedMeansNothingToDo() {
        let links = (1...3).map { link($0) }
        #expect(planner.plan(links: links, crm: .full((1...3).map { record($0) }), remote: .full((1...3).map { card($0) })).isEmpty)
        #expect(planner.plan(links: links, crm: .changes([], leftScope: []), remote: .changes([], deleted: [])).isEmpty)
    }

    @Test func aRecordChangeUpdatesItsItemConditionally() {
        let plan = planner.plan(links: [link(1)], crm: .changes([record(1, version: "v2")], leftScope: []), remote: .changes([], deleted: []))
        #expect(plan.actions == [.updateRemote(crmID: "contacts/1", href: "/book/1.vcf", etag: "e1", conflict: false)])
    }

    @Test func anItemChangeUpdatesTheRecord() {
        let plan = planner.plan(links: [link(1)], crm: .changes([], leftScope: []), remote: .changes([card(1, etag: "e2", hash: "h2")], deleted: []))
        #expect(plan.actions == [.updateCRM(crmID: "contacts/1", href: "/book/1.vcf", conflict: false)])
    }

    /// Our own write comes back with a new ETag but the same content: no echo into the CRM.
    @Test func aNewETagWithTheSameContentIsNotAChange() {
        let plan = planner.plan(links: [link(1)], crm: .changes([], leftScope: []), remote: .changes([card(1, etag: "e2")], deleted: []))
        #expect(plan.actions == [.refreshETag(crmID: "contacts/1", etag: "e2")])
    }

    @Test(arguments: [
        (SyncRules.ConflictRule.newestWins, 200.0, 100.0, true), (.newestWins, 100.0, 200.0, false),
        (.crmWins, 100.0, 200.0, true), (.remoteWins, 200.0, 100.0, false),
    ])
    func bothChangedFollowsTheConflictRule(rule: SyncRules.ConflictRule, crmTime: Double, remoteTime: Double, crmWins: Bool) {
        let planner = SyncPlanner(rules: SyncRules(conflictRule: rule))
        let plan = planner.plan(links: [link(1)], crm: .changes([record(1, version: "v2", at: crmTime)], leftScope: []),
                                remote: .changes([card(1, etag: "e2", hash: "h2", at: remoteTime)], deleted: []))
        #expect(plan.actions == [crmWins
            ? .updateRemote(crmID: "contacts/1", href: "/book/1.vcf", etag: "e2", conflict: true)
            : .updateCRM(crmID: "contacts/1", href: "/book/1.vcf", conflict: true)])
    }

    @Test func aRecordLeavingTheScopeRemovesItsItem() {
        let plan = planner.plan(links: [link(1), link(2)], crm: .changes([], leftScope: ["contacts/2"]), remote: .changes([], deleted: []))
        #expect(plan.actions == [.deleteRemote(crmID: "contacts/2", href: "/book/2.vcf", etag: "e1")])
    }

    /// RIVA-NOTES: a card deleted in the address book does not delete the contact by default,
    /// and comes back when the contact changes.
    @Test func aDeletedItemKeepsTheRecordAndComesBackWhenItChanges() {
        let plan = planner.plan(links: [link(1)], crm: .changes([], leftScope: []), remote: .changes([], deleted: ["/book/1.vcf"]))
        #expect(plan.actions == [.forgetRemote(crmID: "contacts/1")])
        var forgotten = link(1)
        forgotten.href = nil
        let later = planner.plan(links: [forgotten], crm: .changes([record(1, version: "v2")], leftScope: []), remote: .changes([], deleted: []))
        #expect(later.actions == [.createRemote(crmID: "contacts/1")])
        let deleting = SyncPlanner(rules: SyncRules(remoteDeletesCRM: true))
        #expect(deleting.plan(links: [link(1)], crm: .changes([], leftScope: []), remote: .changes([], deleted: ["/book/1.vcf"])).actions
            == [.deleteCRM(crmID: "contacts/1")])
    }

    @Test func aNewItemInTheCategoryBecomesARecordOthersAreTheUsersOwn() {
        var tagged = card(7, carriesID: false)
        tagged.inCategory = true
        let own = RemoteItem(href: "/book/mum.vcf", etag: "x")
        let plan = planner.plan(links: [], crm: .changes([], leftScope: []), remote: .changes([tagged, own], deleted: []))
        #expect(plan.actions == [.createCRM(href: "/book/7.vcf")])
    }

    /// The state table lost (or a run killed after its writes, before saving state): items
    /// carrying the record's id are linked again, never created twice.
    @Test func lostStateRelinksByCRMIDWithoutDuplicates() {
        let plan = planner.plan(links: [], crm: .full([record(1), record(2), record(3)]), remote: .full([card(1), card(2)]))
        #expect(plan.actions.filter { if case .createRemote = $0 { true } else { false } } == [.createRemote(crmID: "contacts/3")])
        #expect(plan.actions.contains(.relink(crmID: "contacts/1", item: card(1))))
        #expect(plan.actions.contains(.relink(crmID: "contacts/2", item: card(2))))
        // Linked again, the CRM's values are patched in (the card keeps everything else).
        #expect(plan.actions.contains(.updateRemote(crmID: "contacts/1", href: "/book/1.vcf", etag: "e1", conflict: false)))
    }

    @Test func aCopiedCardClaimingALinkedRecordIsLeftAlone() {
        var copy = card(1)
        copy.href = "/book/copy-of-1.vcf"
        let plan = planner.plan(links: [link(1)], crm: .full([record(1)]), remote: .full([card(1), copy]))
        #expect(plan.isEmpty)
    }

    @Test func directionsLimitWhichSideIsWritten() {
        let oneWay = SyncPlanner(rules: SyncRules(direction: .crmToRemote))
        let edited = oneWay.plan(links: [link(1)], crm: .changes([], leftScope: []), remote: .changes([card(1, etag: "e2", hash: "h2")], deleted: []))
        #expect(edited.isEmpty)
        let inbound = SyncPlanner(rules: SyncRules(direction: .remoteToCRM))
        #expect(inbound.plan(links: [], crm: .full([record(1)]), remote: .full([])).isEmpty)
        #expect(inbound.plan(links: [link(1)], crm: .changes([], leftScope: ["contacts/1"]), remote: .changes([], deleted: [])).isEmpty)
    }

    /// A listing that suddenly comes back empty (a wrong URL, a server hiccup) must not make
    /// the engine forget or delete everything.
    @Test func aSideThatSuddenlyLooksEmptyDeletesNothing() {
        let links = (1...10).map { link($0) }
        let emptyRemote = planner.plan(links: links, crm: .full((1...10).map { record($0) }), remote: .full([]))
        #expect(emptyRemote.actions.isEmpty && emptyRemote.heldBack.count == 10)
        let emptyCRM = planner.plan(links: links, crm: .full([]), remote: .full((1...10).map { card($0) }))
        #expect(emptyCRM.actions.isEmpty && emptyCRM.heldBack.count == 10)
        // A few at a time are ordinary deletions.
        let two = planner.plan(links: links, crm: .changes([], leftScope: ["contacts/3", "contacts/4"]), remote: .changes([], deleted: []))
        #expect(two.actions.count == 2 && two.heldBack.isEmpty)
    }
}
