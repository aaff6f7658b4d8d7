import Foundation

/// What one side shows in a run: everything (a first sync, a full reconcile) or only what
/// changed since the last run (the CRM's change feed, a sync-collection report).
public enum CRMSnapshot: Sendable {
    case full([CRMItem])
    /// Records changed in the user's scope, and ids of records that left it (deleted,
    /// reassigned, converted).
    case changes([CRMItem], leftScope: [String])
}

public enum RemoteSnapshot: Sendable {
    case full([RemoteItem])
    /// Items changed or added, and hrefs of items deleted.
    case changes([RemoteItem], deleted: [String])
}

/// One step of a run. Remote writes are conditional: `createRemote` with If-None-Match,
/// the others with If-Match on the ETag named here.
public enum SyncAction: Hashable, Sendable {
    /// A record with no item yet: write one.
    case createRemote(crmID: String)
    /// Patch the CRM's fields into the item; `conflict` when the item had changed too and lost.
    case updateRemote(crmID: String, href: String, etag: String, conflict: Bool)
    /// The record left the user's scope: remove its item.
    case deleteRemote(crmID: String, href: String, etag: String)
    /// A new item in the policy's category: make a record of it.
    case createCRM(href: String)
    /// The item changed: take its values into the record; `conflict` when the record had changed too and lost.
    case updateCRM(crmID: String, href: String, conflict: Bool)
    /// The user deleted the item and the policy deletes the record with it.
    case deleteCRM(crmID: String)
    /// The user deleted the item; the record stays and its item comes back when it changes.
    case forgetRemote(crmID: String)
    /// An item carrying a record's id that the state does not link (lost or rebuilt state):
    /// link it again instead of making a duplicate.
    case relink(crmID: String, item: RemoteItem)
    /// The item's ETag changed but not what it says (our own write, or the server
    /// rewrote it): remember the new ETag, write nothing.
    case refreshETag(crmID: String, etag: String)
}

/// The decisions of one run, and what the guard held back.
public struct SyncPlan: Hashable, Sendable {
    public var actions: [SyncAction]
    /// Deletions not made because a side suddenly looked (nearly) empty: the next run should
    /// reconcile in full, and an administrator should know.
    public var heldBack: [SyncAction]

    public var isEmpty: Bool { actions.isEmpty }
}

/// Decides, per item, what a run does (create, update, delete, conflict, nothing) from the
/// links of the last run and what each side shows now. Pure: the engine reads the sides,
/// asks for a plan, then carries it out.
public struct SyncPlanner: Sendable {
    public var rules: SyncRules

    public init(rules: SyncRules) {
        self.rules = rules
    }

    public func plan(links: [SyncLink], crm: CRMSnapshot, remote: RemoteSnapshot) -> SyncPlan {
        var actions: [SyncAction] = []
        var linkByCRM = Dictionary(links.map { ($0.crmID, $0) }, uniquingKeysWith: { first, _ in first })
        let crmByID: [String: CRMItem]
        let crmGone: Set<String>
        switch crm {
        case .full(let items):
            crmByID = Dictionary(items.map { ($0.crmID, $0) }, uniquingKeysWith: { first, _ in first })
            crmGone = Set(links.map(\.crmID)).subtracting(crmByID.keys)
        case .changes(let items, let left):
            crmByID = Dictionary(items.map { ($0.crmID, $0) }, uniquingKeysWith: { first, _ in first })
            crmGone = Set(left).subtracting(crmByID.keys)
        }
        let remoteByHref: [String: RemoteItem]
        let remoteGone: Set<String>
        let linkedHrefs = Set(links.compactMap(\.href))
        switch remote {
        case .full(let items):
            remoteByHref = Dictionary(items.map { ($0.href, $0) }, uniquingKeysWith: { first, _ in first })
            remoteGone = linkedHrefs.subtracting(remoteByHref.keys)
        case .changes(let items, let deleted):
            remoteByHref = Dictionary(items.map { ($0.href, $0) }, uniquingKeysWith: { first, _ in first })
            remoteGone = Set(deleted).subtracting(remoteByHref.keys)
        }

        // Items that carry a record's id but whose href the state does not know: re-link.
        for item in remoteByHref.values.sorted(by: { $0.href < $1.href }) where !linkedHrefs.contains(item.href) {
            guard let crmID = item.crmID else {
                if item.inCategory && rules.direction.toCRM { actions.append(.createCRM(href: item.href)) }
                continue
            }
            if let oldHref = linkByCRM[crmID]?.href, isFull(remote) ? remoteByHref[oldHref] != nil : !remoteGone.contains(oldHref) {
                continue  // a second item claiming a record that still has its own (a copy): leave it alone
            }
            actions.append(.relink(crmID: crmID, item: item))
            linkByCRM[crmID] = SyncLink(crmID: crmID, remoteUID: item.uid, href: item.href, etag: item.etag,
                                        remoteHash: item.contentHash, crmVersion: nil)
        }

        for crmID in Set(linkByCRM.keys).union(crmByID.keys).sorted() {
            let record = crmByID[crmID]
            guard let link = linkByCRM[crmID] else {
                if record != nil, rules.direction.toRemote { actions.append(.createRemote(crmID: crmID)) }
                continue
            }
            let item = link.href.flatMap { remoteByHref[$0] }
            let itemGone = link.href.map { remoteGone.contains($0) } ?? false
            let recordGone = crmGone.contains(crmID)

            if recordGone {
                if let href = link.href, !itemGone, rules.direction.toRemote {
                    actions.append(.deleteRemote(crmID: crmID, href: href, etag: item?.etag ?? link.etag ?? "*"))
                }
                continue
            }
            if itemGone {
                if rules.remoteDeletesCRM && rules.direction.toCRM {
                    actions.append(.deleteCRM(crmID: crmID))
                } else {
                    actions.append(.forgetRemote(crmID: crmID))
                }
                continue
            }
            let recordChanged = record.map { $0.version != link.crmVersion } ?? false
            var itemChanged = false
            if let item, item.etag != link.etag {
                if let hash = item.contentHash, hash == link.remoteHash {
                    actions.append(.refreshETag(crmID: crmID, etag: item.etag))
                } else {
                    itemChanged = true
                }
            }
            guard let href = link.href else {
                // Deleted by the user earlier: the record's next change brings the item back.
                if recordChanged, rules.direction.toRemote, rules.recreateDeleted { actions.append(.createRemote(crmID: crmID)) }
                continue
            }
            let etag = item?.etag ?? link.etag ?? "*"
            switch (recordChanged && rules.direction.toRemote, itemChanged && rules.direction.toCRM) {
            case (true, true):
                if crmWins(record, item) {
                    actions.append(.updateRemote(crmID: crmID, href: href, etag: etag, conflict: true))
                } else {
                    actions.append(.updateCRM(crmID: crmID, href: href, conflict: true))
                }
            case (true, false):
                actions.append(.updateRemote(crmID: crmID, href: href, etag: etag, conflict: false))
            case (false, true):
                actions.append(.updateCRM(crmID: crmID, href: href, conflict: false))
            case (false, false):
                break
            }
        }
        return guarded(SyncPlan(actions: actions, heldBack: []), links: links, crm: crm, remote: remote)
    }

    private func isFull(_ remote: RemoteSnapshot) -> Bool {
        if case .full = remote { return true }
        return false
    }

    /// Conflict rule: CRM wins, remote wins, or the more recent change (the CRM on a tie or
    /// when a time is missing: it is the system of record).
    private func crmWins(_ record: CRMItem?, _ item: RemoteItem?) -> Bool {
        switch rules.conflictRule {
        case .crmWins: true
        case .remoteWins: false
        case .newestWins:
            if let crmTime = record?.modifiedAt, let remoteTime = item?.modifiedAt { crmTime >= remoteTime } else { true }
        }
    }

    /// Holds back the deletions of a side that lost too much at once.
    private func guarded(_ plan: SyncPlan, links: [SyncLink], crm: CRMSnapshot, remote: RemoteSnapshot) -> SyncPlan {
        let known = links.filter { $0.href != nil }.count
        func tooMany(_ count: Int) -> Bool {
            count >= rules.guardMinimum && Double(count) > rules.guardShare * Double(max(known, 1))
        }
        let remoteDeletes = plan.actions.filter { if case .deleteRemote = $0 { true } else { false } }
        let crmDeletes = plan.actions.filter {
            switch $0 {
            case .deleteCRM, .forgetRemote: true
            default: false
            }
        }
        var held: [SyncAction] = []
        if tooMany(remoteDeletes.count) { held += remoteDeletes }
        if tooMany(crmDeletes.count) { held += crmDeletes }
        guard !held.isEmpty else { return plan }
        let heldSet = Set(held)
        return SyncPlan(actions: plan.actions.filter { !heldSet.contains($0) }, heldBack: held)
    }
}
