import CRM
import Foundation
import Logging

extension BottleCRMConnector {
    public func changes(in key: ModuleKey, since cursor: ChangeCursor?, limit: Int) async throws -> ChangeBatch {
        let module = try mapping(key)
        let after: Int64
        if let cursor {
            guard let sequence = Int64(cursor.rawValue) else {
                throw CRMError(.permanent, "\"\(cursor.rawValue)\" is not a cursor of the BottleCRM connector")
            }
            after = sequence
        } else {
            after = 0
        }
        try await refreshIfStale(module)
        let logged = try mirror.changes(of: key, after: after, limit: limit + 1)
        let page = logged.prefix(limit)
        var changes: [RecordChange] = []
        for change in page {
            let ref = RecordRef(key, RecordID(change.id))
            let current = change.kind == "deleted" ? nil : try mirror.entry(key, id: change.id).map { record(module, $0) }
            let kind: RecordChange.Kind = switch change.kind {
            case "created": .created
            case "closed": .closed
            case "deleted": .deleted
            case "reassigned": .reassigned(from: change.previousOwner.map(CRMUserID.init))
            default: .changed
            }
            changes.append(RecordChange(kind: kind, ref: ref, record: kind == .deleted ? nil : current))
        }
        let next = page.last?.sequence ?? max(after, 0)
        return ChangeBatch(changes: changes, cursor: ChangeCursor(String(next)), hasMore: logged.count > limit)
    }

    /// Brings the module's copy up to date when it is older than most of a poll interval.
    func refreshIfStale(_ module: ModuleMapping) async throws {
        if let listing = try mirror.listing(module.key),
           Date().timeIntervalSince(listing.at) < pollSeconds * 0.8 {
            return
        }
        try await refresh(module)
    }

    /// How long the copy may go without a whole listing: BottleCRM's activity feed misses
    /// changes made without a signed-in user (its own background jobs, management commands).
    var fullListingInterval: TimeInterval { max(600, pollSeconds * 10) }

    /// The poll interval in seconds.
    var pollSeconds: TimeInterval { Double(settings.pollInterval.components.seconds) }

    /// Brings the module's copy up to date: from BottleCRM's activity feed when it reaches
    /// back to the newest activity seen last time (one request, and one per changed record),
    /// else by listing the module whole. A copy not listed whole for `fullListingInterval`
    /// is listed again in the background, so no reader waits for it.
    func refresh(_ module: ModuleMapping) async throws {
        try await refreshes.run(module.key) {
            try await self.prepare()
            let started = ContinuousClock.now
            let activities = try await self.latestActivities(module)
            let listing = try self.mirror.listing(module.key)
            if let listing, let fresh = Self.unseen(activities, since: listing.newestActivity) {
                let logged = try await self.apply(fresh, of: module)
                try self.mirror.markUpToDate(module.key, full: false, newestActivity: activities.first?.id ?? listing.newestActivity)
                self.log("read a BottleCRM module's activity feed", module, logged, since: started)
                if Date().timeIntervalSince(listing.fullAt) > self.fullListingInterval {
                    Task { try? await self.listInBackground(module) }
                }
            } else {
                try await self.listWhole(module, newestActivity: activities.first?.id, since: started)
            }
        }
    }

    /// The activities after `seen`, newest first; nil when the feed does not reach back to it
    /// (more happened than one page shows) and the module must be listed whole.
    static func unseen(_ activities: [Activity], since seen: String?) -> ArraySlice<Activity>? {
        if let seen {
            return activities.firstIndex { $0.id == seen }.map { activities[..<$0] }
        }
        // Nothing seen before: the feed was empty then, so whatever it shows now is new,
        // unless it is a full page (then more may be hidden behind it).
        return activities.count < activityPage ? activities[...] : nil
    }

    static let activityPage = 50

    private func listInBackground(_ module: ModuleMapping) async throws {
        try await refreshes.run(ModuleKey("\(module.key)#whole")) {
            let started = ContinuousClock.now
            // The feed's newest entry from before the listing: whatever changes while it runs is
            // read again from the feed afterwards, over what the listing saw.
            let newest = try self.mirror.listing(module.key)?.newestActivity
            try await self.listWhole(module, newestActivity: newest, since: started)
        }
    }

    private func listWhole(_ module: ModuleMapping, newestActivity: String?, since started: ContinuousClock.Instant) async throws {
        let logged = try await listEveryRecord(module)
        try mirror.markUpToDate(module.key, full: true, newestActivity: newestActivity)
        log("listed a BottleCRM module", module, logged, since: started)
    }

    private func log(_ message: Logger.Message, _ module: ModuleMapping, _ logged: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        logger.debug(message, metadata: [
            "module": "\(module.key)", "changes": "\(logged)",
            "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        if logged > 0 { notifier.publish(module.key) }
    }

    /// One entry of BottleCRM's activity feed.
    struct Activity {
        var id: String
        var entity: String
        var user: String?
        var time: Date?
    }

    /// The newest entries of BottleCRM's activity feed for the module, newest first.
    private func latestActivities(_ module: ModuleMapping) async throws -> [Activity] {
        let answer = try await client.get("/api/activities/", query: [("entity_type", module.model), ("limit", "\(Self.activityPage)")])
        return (answer?["activities"].array ?? []).compactMap { row in
            guard let id = row["id"].string, let entity = row["entity_id"].string else { return nil }
            return Activity(id: id, entity: entity, user: row["user"].id, time: Self.date(row["timestamp"]))
        }
    }

    /// Reads again each record the activities name (oldest first), but for crmgate's own
    /// writes, which the copy has; gone ones are deleted.
    private func apply(_ activities: ArraySlice<Activity>, of module: ModuleMapping) async throws -> Int {
        var logged = 0
        var done = Set<String>()
        for activity in activities.reversed() where !ownWrites.madeIt(user: activity.user, id: activity.entity, at: activity.time)
            && done.insert(activity.entity).inserted {
            if let json = try await fetch(module, id: activity.entity) {
                if try mirror.upsert(module.key, entry(module, json)) { logged += 1 }
            } else if try mirror.remove(module.key, id: activity.entity) {
                logged += 1
            }
        }
        return logged
    }

    /// Lists the whole module (paged), reads whole what a slim list leaves out, checks that
    /// records missing from the list are really gone, and hands the result to the mirror.
    private func listEveryRecord(_ module: ModuleMapping) async throws -> Int {
        var listed: [String: JSONValue] = [:]
        var offset = 0
        while true {
            let answer = try await client.get(module.path, query: [("limit", "\(settings.pageSize)"), ("offset", "\(offset)")])
            let groups = module.rows(in: answer ?? .null)
            for row in groups.joined() { if let id = row["id"].string { listed[id] = row } }
            if groups.allSatisfy({ $0.count < settings.pageSize }) { break }
            offset += settings.pageSize
        }
        let known = try mirror.fingerprints(of: module.key)
        var entries: [RecordMirror.Entry] = []
        var unchanged: Set<String> = []
        for (id, row) in listed {
            let entry = try self.entry(module, row)
            if known[id] == entry.fingerprint {
                unchanged.insert(id)
            } else if module.slimList, let whole = try await fetch(module, id: id) {
                entries.append(try self.entry(module, whole))
            } else {
                entries.append(entry)
            }
        }
        // A record can slip between pages while others are added or deleted: only what
        // BottleCRM confirms missing counts as deleted.
        for id in known.keys where listed[id] == nil {
            if let json = try await fetch(module, id: id) {
                entries.append(try self.entry(module, json))
                unchanged.insert(id)
            }
        }
        return try mirror.replace(module.key, changed: entries, present: unchanged)
    }
}
