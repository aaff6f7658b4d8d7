import CRM
import DAV
import DAVCore
import Foundation
import Logging
import Sync

/// What a run did (or, dry, would do).
public struct SyncRunReport: Sendable {
    public var scope: SyncScope
    /// `created-remote`, `updated-crm`, `conflicts` … → how many.
    public var counts: [String: Int] = [:]
    /// One line per action, for `crmgate sync` and the log.
    public var actions: [String] = []
    /// Deletions the guard held back (a side suddenly looked empty).
    public var heldBack = 0
    /// Items whose write met a changed item (412) and were read again.
    public var retried = 0
    /// Items one side refused, with the reason.
    public var failures: [String] = []
    /// Records whose queued CRM changes the run took in.
    public var queued = 0
    /// Requests to the DAV server, discovery included.
    public var requests = 0

    mutating func count(_ key: String, _ n: Int = 1) { counts[key, default: 0] += n }
    /// Items written or linked (conflicts and a full reconcile are how, not what).
    public var total: Int { counts.filter { $0.key != "conflicts" && $0.key != "full-reconcile" }.values.reduce(0, +) }
}


/// One run of one scope: reads what changed on both sides, asks the planner, carries the
/// plan out with conditional writes, and saves the links and cursors in one transaction.
/// What differs between contacts, events and tasks is the `Kind`'s; the rest is here once.
///
/// A write that meets a changed item (412) is not retried blindly: its link is marked for a
/// re-read of both sides (`crmVersion` nil) and a second pass reads and decides again.
final class BridgeSyncRun<Kind: BridgeKind> {
    typealias Entry = BridgeEntry<Kind.Fields>

    let kind: Kind
    let connector: any CRMConnector
    let state: SyncStateStore
    /// The address book or calendar, for the fingerprint.
    let collection: URL
    let logger: Logger
    let dryRun: Bool
    /// Called as a first sync's writes progress (done, total).
    var progress: (@Sendable (Int, Int) -> Void)?

    private var report: SyncRunReport
    private var records: [String: CRMRecord] = [:]
    /// The resources read this run (by their own href), and the items in them (by item href).
    private var documents: [String: (etag: String, document: Kind.Document)] = [:]
    private var entries: [String: Entry] = [:]
    private var entriesIn: [String: [String]] = [:]  // resource → its item hrefs, in order

    /// Where `CRMGATE_CRASH_AT=sync-mid-run` stops a run: some writes made, no link saved.
    static var crashAfter: Int { 5 }

    /// New items written at once: the server works on one while the next is on its way.
    /// More does not help a server that writes one at a time, and can hurt badly (Radicale
    /// 3.9.0: 1,000 cards at 2 or 4 in flight 0.92-0.93x its own sequential rate, at 8 0.15x).
    static var writesInFlight: Int { 2 }

    /// How many writes go between two intermediate saves of the links.
    static var saveEvery: Int { 200 }

    /// What a scope's `crmCursor` says once its first sync is done: later runs read the CRM's
    /// changes from the queue the change feed fills, under the settings named by
    /// `fingerprint`, and the scope was last reconciled in full on `day` (days since 1970).
    /// Other settings (a reloaded policy that widens the scope, another address book) or a
    /// new day make the next run reconcile both sides in full: the feed says what changed,
    /// not what a new rule now takes in, and a daily full look catches anything it missed.
    struct FeedMarker: Equatable {
        var fingerprint: String
        var day: Int

        init(fingerprint: String, day: Int) {
            self.fingerprint = fingerprint
            self.day = day
        }

        init?(_ text: String?) {
            let parts = text?.split(separator: ":") ?? []
            guard parts.count == 3, parts[0] == "feed", let day = Int(parts[2]) else { return nil }
            self.init(fingerprint: String(parts[1]), day: day)
        }

        var text: String { "feed:\(fingerprint):\(day)" }

        static var today: Int { Int(Date().timeIntervalSince1970 / 86_400) }
    }

    /// The settings that decide what the scope holds and how its items look (`settings`: the
    /// kind's own, such as a calendar's window and colour).
    let fingerprint: String

    init(kind: Kind, settings: [String], connector: any CRMConnector, state: SyncStateStore, collection: URL, logger: Logger,
         dryRun: Bool = false) {
        self.kind = kind
        self.connector = connector
        self.state = state
        self.collection = collection
        self.logger = logger
        self.dryRun = dryRun
        let target = kind.scope
        let all = [target.module.key.rawValue, target.visible ? "visible" : "owned", target.category, target.rules.direction.rawValue,
                   target.createsFromDAV ? "from-dav" : "", collection.absoluteString] + settings
        fingerprint = digest(all, bytes: 8)
        report = SyncRunReport(scope: target.scope)
    }

    var target: BridgeScope { kind.scope }
    var scope: SyncScope { target.scope }

    func run() async throws -> SyncRunReport {
        var pass = 0
        var dirty = try await self.pass(first: true)
        while dirty, !dryRun, pass < 2 {
            pass += 1
            dirty = try await self.pass(first: false)
        }
        report.requests = kind.client.transport.requests.value
        return report
    }

    /// One read–plan–write–save round. The first reads both sides' changes; the later ones
    /// only the items marked for a re-read. True when marked items remain.
    private func pass(first: Bool) async throws -> Bool {
        load(try await state.links(scope))
        changed.removeAll()
        removed.removeAll()
        ownWrites.removeAll()
        let cursors = try await state.cursors(scope)
        let firstSync = cursors.crmCursor == nil
        let marker = FeedMarker(cursors.crmCursor)
        let reconcile = first && !firstSync && (marker?.fingerprint != fingerprint || (marker?.day ?? 0) < FeedMarker.today)
        if reconcile { report.count("full-reconcile") }
        let dirty = links.values.filter { $0.crmVersion == nil && $0.href != nil }

        // The CRM side: everything in scope on a first sync, else the queued changes.
        let pending: (crmIDs: [String], through: Int64?) = first ? try await state.pending(scope) : ([], nil)
        report.queued += pending.crmIDs.count
        let crm: CRMSnapshot
        if firstSync && first {
            crm = .full(try await scopeRecords(.firstSync))
        } else if reconcile, marker?.fingerprint == fingerprint, let day = marker?.day {
            crm = .full(try await scopeRecords(.changedSince(Date(timeIntervalSince1970: Double(day) * 86_400))))
        } else if reconcile {
            crm = .full(try await scopeRecords(.settingsChanged))
        } else {
            var ids = Set(pending.crmIDs)
            ids.formUnion(dirty.map(\.crmID))
            crm = try await changedRecords(ids.sorted())
        }

        // The DAV side: its changes since the token (a full listing on a first sync or when the
        // token is refused), then the resources that are new or changed, read once.
        var remoteToken = cursors.remoteToken
        let remote: RemoteSnapshot
        let dirtyResources = Set(dirty.compactMap { $0.href.map(resource) })
        if first {
            let changes = try await kind.client.changes(in: kind.collection, since: firstSync || reconcile ? nil : cursors.remoteToken)
            remoteToken = changes.token
            let listed = Dictionary(changes.changed.map { ($0.href, $0.etag) }, uniquingKeysWith: { a, _ in a })
            let knownETags = Dictionary(links.values.compactMap { link in link.href.map { (resource(of: $0), link.etag) } },
                                        uniquingKeysWith: { a, _ in a })
            var toRead = listed.filter { knownETags[$0.key] != $0.value }.map(\.key)
            if firstSync || reconcile || changes.isFull, let window = try await kind.membersToRead() {
                // A full listing reads only what the window holds, and what is linked.
                toRead = toRead.filter { window.contains($0) || knownETags[$0] != nil }
            }
            try await read(toRead + dirtyResources)
            var items = listed.flatMap { remoteItems(resource: $0.key, etag: $0.value) }
            var deleted = changes.deleted.flatMap(linkedItems)
            for resource in dirtyResources where listed[resource] == nil {
                if let etag = documents[resource]?.etag ?? unreadable[resource] {
                    items += remoteItems(resource: resource, etag: etag)
                } else {
                    deleted += linkedItems(resource)
                }
            }
            // Linked items a re-read resource no longer holds (an occurrence cancelled).
            let present = Set(items.map(\.href))
            deleted += listed.keys.filter { documents[$0] != nil }.flatMap(linkedItems).filter { !present.contains($0) }
            items = items.filter(belongsHere)
            remote = changes.isFull ? .full(items) : .changes(items, deleted: deleted)
        } else {
            for resource in dirtyResources { documents[resource] = nil; unreadable[resource] = nil }  // read afresh: they changed while being written
            try await read(Array(dirtyResources))
            var items: [RemoteItem] = []
            var deleted: [String] = []
            for resource in dirtyResources {
                if let etag = documents[resource]?.etag ?? unreadable[resource] {
                    let found = remoteItems(resource: resource, etag: etag)
                    items += found
                    let present = Set(found.map(\.href))
                    deleted += linkedItems(resource).filter { !present.contains($0) }
                } else {
                    deleted += linkedItems(resource)
                }
            }
            remote = .changes(items.filter(belongsHere), deleted: deleted)
        }

        var plan = SyncPlanner(rules: target.rules).plan(links: Array(links.values), crm: crm, remote: remote)
        if (firstSync && first) || reconcile {
            // As Riva: a first sync copies the CRM to the DAV side; items already there are not
            // merged into the CRM (new ones made later are, from the changes the server reports).
            // A full reconcile takes only the items new since the last run's token.
            var recent = Set<String>()
            if reconcile, let token = cursors.remoteToken, let since = try? await kind.client.changes(in: kind.collection, since: token), !since.isFull {
                recent = Set(since.changed.map(\.href))
            }
            func existed(_ action: SyncAction) -> Bool {
                if case .createCRM(let href) = action { !recent.contains(resource(of: href)) } else { false }
            }
            let existing = plan.actions.filter(existed)
            if !existing.isEmpty {
                plan.actions.removeAll(where: existed)
                logger.info("first sync: items already on the DAV server stay out of the CRM",
                            metadata: ["user": "\(scope.user)", "module": "\(scope.module)", "items": "\(existing.count)"])
            }
        }
        if !plan.heldBack.isEmpty {
            report.heldBack += plan.heldBack.count
            logger.warning("deletions held back: one side suddenly lost most of its items; the next run lists both sides in full",
                           metadata: ["user": "\(scope.user)", "module": "\(scope.module)", "held": "\(plan.heldBack.count)"])
        }
        for action in plan.actions {
            guard let (line, count) = describe(action) else { continue }
            report.actions.append(line)
            if dryRun { report.count(count) }
        }
        if dryRun { return false }

        var done = 0
        func stepDone() async throws {
            done += 1
            if done == Self.crashAfter { CrashPoint.syncMidRun.reach() }
            if firstSync { progress?(done, plan.actions.count) }
            if done % Self.saveEvery == 0 {
                // Keep what is done so far, with the old cursors: a run killed now redoes only the rest.
                try await state.save(scope, SyncCheckpoint(links: Array(changed.values), removed: Array(removed),
                                                           remoteToken: cursors.remoteToken, crmCursor: cursors.crmCursor, counts: report.counts))
                changed.removeAll()
                removed.removeAll()
            }
        }
        // New items first, several in flight (they are independent of each other and of the rest).
        let creates = plan.actions.compactMap { action -> String? in if case .createRemote(let id) = action { id } else { nil } }
        for start in stride(from: 0, to: creates.count, by: Self.writesInFlight) {
            try await createRemote(Array(creates[start..<min(start + Self.writesInFlight, creates.count)]))
            for _ in start..<min(start + Self.writesInFlight, creates.count) { try await stepDone() }
        }
        for action in plan.actions {
            if case .createRemote = action { continue }
            try await execute(action)
            try await stepDone()
        }
        // A guard that held deletions back forces a full listing next time.
        var token = plan.heldBack.isEmpty ? remoteToken : nil
        if !ownWrites.isEmpty, let start = token { token = try await tokenPast(ownWritesSince: start) }
        try await state.save(scope, SyncCheckpoint(links: Array(changed.values), removed: Array(removed), remoteToken: token,
                                                   crmCursor: FeedMarker(fingerprint: fingerprint, day: firstSync || reconcile
                                                       ? FeedMarker.today : marker?.day ?? FeedMarker.today).text,
                                                   pendingThrough: pending.through, counts: report.counts))
        return links.values.contains { $0.crmVersion == nil && $0.href != nil }
    }

    /// The resources this pass wrote, with the ETag each write gave back (nil: none given).
    private var ownWrites: [String: String?] = [:]

    /// The token to continue from after this pass's own writes. The token read at the start
    /// is older than them; a server may leave out of a later report an item that was made
    /// after a token and deleted since (Xandikos does), so a user deleting an item just
    /// written would go unseen. If everything since the start is our own writes (by ETag,
    /// or by content when the server gave no ETag), the newer token is taken; otherwise the
    /// start token stays and the next run reads those changes.
    private func tokenPast(ownWritesSince start: String) async throws -> String {
        let after = try await kind.client.changes(in: kind.collection, since: start)
        guard !after.isFull, let newer = after.token else { return start }
        if after.deleted.contains(where: { !linkedItems($0).isEmpty }) { return start }
        for item in after.changed {
            if let written = ownWrites[item.href], written == item.etag { continue }
            guard ownWrites[item.href] != nil else { return start }  // someone else's change
            documents[item.href] = nil
            try await read([item.href])
            guard let fetched = documents[item.href], fetched.etag == item.etag else { return start }
            // Ours if every item linked there says what we wrote; then learn the ETag.
            for href in linkedItems(item.href) {
                guard var link = link(at: href), entries[href]?.hash == link.remoteHash else { return start }
                link.etag = fetched.etag
                keep(link)
            }
        }
        return newer
    }

    // MARK: - Reading the CRM

    /// Which records a full read of the CRM side takes.
    enum FullRead {
        /// The policy's first-sync set: modified since its date, at most its count.
        case firstSync
        /// After a settings change: the first-sync set under the new settings, and whatever
        /// is linked and still in scope.
        case settingsChanged
        /// The daily reconcile: what is linked, and what changed (or entered the scope) since the last one.
        case changedSince(Date)
    }

    /// The records in scope that a full read takes (the linked ones that are not there any
    /// more have left the scope).
    private func scopeRecords(_ read: FullRead) async throws -> [CRMItem] {
        let linked = Set(links.keys)
        var active = try await connector.activeRecords(in: target.module.key, visibleTo: target.user.id)
        // Linked records the active list leaves out (a completed task the calendar still shows).
        let activeIDs = Set(active.map(\.ref.description))
        for id in linked.subtracting(activeIDs).sorted() {
            if let ref = RecordRef(id), let record = try await connector.record(ref) { active.append(record) }
        }
        let held = active.filter { inScope($0, linked: linked.contains($0.ref.description)) }
        var firstSet = held.filter { !linked.contains($0.ref.description) }
        if let since = target.firstSince { firstSet = firstSet.filter { $0.modifiedAt >= since } }
        if target.firstMax > 0 { firstSet = Array(firstSet.sorted { $0.modifiedAt > $1.modifiedAt }.prefix(target.firstMax)) }
        let found: [CRMRecord]
        switch read {
        case .firstSync:
            found = firstSet
        case .settingsChanged:
            let chosen = Set(firstSet.map(\.ref.description))
            found = held.filter { chosen.contains($0.ref.description) || linked.contains($0.ref.description) }
        case .changedSince(let since):
            found = held.filter { linked.contains($0.ref.description) || $0.modifiedAt >= since || kind.entered($0, since: since) }
        }
        for record in found { records[record.ref.description] = record }
        return found.map(item)
    }

    /// The current state of the records named: changed, or gone from the user's scope. A
    /// record that is not linked and not admitted (outside a calendar's window) is neither.
    private func changedRecords(_ ids: [String]) async throws -> CRMSnapshot {
        var items: [CRMItem] = []
        var left: [String] = []
        for id in ids {
            let linked = link(id) != nil
            guard let ref = RecordRef(id), let record = try await connector.record(ref), inScope(record, linked: linked) else {
                left.append(id)
                continue
            }
            records[id] = record
            items.append(item(record))
        }
        return .changes(items, leftScope: left)
    }

    private func inScope(_ record: CRMRecord, linked: Bool) -> Bool {
        guard record.ref.module == target.module.key, kind.admits(record, linked: linked) else { return false }
        if record.owner == target.user.id { return true }
        return target.visible && target.module.visibility == .all
    }

    private func item(_ record: CRMRecord) -> CRMItem {
        CRMItem(crmID: record.ref.description, version: record.syncVersion, modifiedAt: record.modifiedAt)
    }


    // MARK: - Reading the DAV side

    /// Resources that cannot be read (reported once a run; their items are left as they are).
    private var unreadable: [String: String] = [:]  // href → ETag

    private func read(_ hrefs: [String]) async throws {
        let unread = Array(Set(hrefs.filter { documents[$0] == nil && unreadable[$0] == nil })).sorted()
        guard !unread.isEmpty else { return }
        let batch = try await kind.client.documents(unread, in: kind.collection)
        var bad = batch.unreadable
        for fetched in batch.documents {
            let linked = Set(linkedItems(fetched.href))
            do {
                let found = try kind.entries(of: fetched.document, href: fetched.href, etag: fetched.etag, linked: linked)
                documents[fetched.href] = (fetched.etag, fetched.document)
                learn(found, in: fetched.href)
            } catch {
                bad.append(UnreadableMember(href: fetched.href, etag: fetched.etag, reason: "\(error)"))
            }
        }
        for member in bad where unreadable.updateValue(member.etag, forKey: member.href) == nil {
            report.count("failed")
            report.failures.append("\(member.href): cannot be read (\(member.reason)); it is left as it is")
            logger.warning("\(kind.noun) cannot be read; left as it is", metadata: ["user": "\(scope.user)", "href": "\(member.href)",
                                                                                   "reason": "\(member.reason)"])
        }
    }

    /// The items of a listed resource: what it holds when it was read, else the items linked
    /// there (unchanged when the ETag is the one known), else the resource as one unknown item.
    private func remoteItems(resource: String, etag: String) -> [RemoteItem] {
        if documents[resource] != nil {
            return (entriesIn[resource] ?? []).compactMap { entries[$0] }.map { entry in
                RemoteItem(href: entry.href, etag: etag, uid: entry.uid, crmID: entry.crmID, contentHash: entry.hash,
                           inCategory: entry.createsRecord, modifiedAt: entry.modifiedAt)
            }
        }
        let linked = linkedItems(resource)
        return linked.isEmpty ? [RemoteItem(href: resource, etag: etag)] : linked.map { RemoteItem(href: $0, etag: etag) }
    }

    /// What a resource holds now, in place of what it held.
    private func learn(_ found: [Entry], in resource: String) {
        for href in entriesIn[resource] ?? [] { entries[href] = nil }
        for entry in found { entries[entry.href] = entry }
        entriesIn[resource] = found.map(\.href)
    }

    /// The item hrefs the state links in a resource.
    private func linkedItems(_ resource: String) -> [String] {
        (itemsIn[resource] ?? []).sorted()
    }

    /// Items of another module (a shared address book or calendar) are not this scope's.
    private func belongsHere(_ item: RemoteItem) -> Bool {
        guard let crmID = item.crmID else { return true }
        return RecordRef(crmID)?.module == target.module.key
    }

    // MARK: - Carrying the plan out

    /// The links as the run changes them (by record id), where their items are, and the
    /// changes not saved yet.
    private var links: [String: SyncLink] = [:]
    private var linkAt: [String: String] = [:]  // item href → record id
    private var itemsIn: [String: Set<String>] = [:]  // resource → item hrefs linked there
    private var changed: [String: SyncLink] = [:]
    private var removed: Set<String> = []

    private func load(_ saved: [SyncLink]) {
        links = [:]
        linkAt = [:]
        itemsIn = [:]
        for link in saved { index(link) }
    }

    private func index(_ link: SyncLink) {
        if let old = links[link.crmID]?.href {
            linkAt[old] = nil
            itemsIn[resource(of: old)]?.remove(old)
        }
        links[link.crmID] = link
        if let href = link.href {
            linkAt[href] = link.crmID
            itemsIn[resource(of: href), default: []].insert(href)
        }
    }

    private func keep(_ link: SyncLink) {
        changed[link.crmID] = link
        removed.remove(link.crmID)
        index(link)
    }

    private func drop(_ crmID: String) {
        changed[crmID] = nil
        removed.insert(crmID)
        if let href = links[crmID]?.href {
            linkAt[href] = nil
            itemsIn[resource(of: href)]?.remove(href)
        }
        links[crmID] = nil
    }

    private func link(_ crmID: String) -> SyncLink? { links[crmID] }
    private func link(at href: String) -> SyncLink? { linkAt[href].flatMap { links[$0] } }

    /// Carries one action out; a refused item is reported and skipped, a changed one read again.
    private func execute(_ action: SyncAction) async throws {
        do {
            try await perform(action)
        } catch DAVError.preconditionFailed {
            // The item changed since it was read: read both sides again instead of overwriting.
            if let crmID = action.crmID, var current = link(crmID) {
                current.crmVersion = nil
                keep(current)
            }
            report.retried += 1
            logger.info("item changed while being written; reading it again", metadata: ["user": "\(scope.user)", "action": "\(action)"])
        } catch DAVError.status(let status, let method, let url, let detail) {
            fail(action, DAVError.status(status, method: method, url: url, detail: detail))
        } catch let error as CRMError where !error.isTransient {
            fail(action, error)
        }
    }

    /// Writes a resource back (If-Match on the ETag known for it), and learns its new state:
    /// the items linked there that still say what the links say take the new ETag.
    private func write(_ document: Kind.Document, at resource: String, etag: String) async throws {
        var document = document
        kind.stamp(&document)
        let newETag = try await kind.client.update(document, at: resource, etag: etag)
        ownWrites[resource] = newETag
        guard let newETag else { documents[resource] = nil; return }
        documents[resource] = (newETag, document)
        let linked = Set(linkedItems(resource))
        guard let found = try? kind.entries(of: document, href: resource, etag: newETag, linked: linked) else { return }
        learn(found, in: resource)
        for entry in found {
            if var current = link(at: entry.href), current.remoteHash == entry.hash {
                current.etag = newETag
                keep(current)
            }
        }
    }

    /// The resource's current state: the one read this run, or read now.
    private func current(_ resource: String) async throws -> (etag: String, document: Kind.Document)? {
        try await read([resource])
        return documents[resource]
    }

    private func perform(_ action: SyncAction) async throws {
        switch action {
        case .createRemote(let crmID):
            try await createRemote([crmID])
        case .updateRemote(let crmID, let href, _, let conflict):
            guard let record = records[crmID], var current = link(crmID) else { return }
            let resource = resource(of: href)
            guard let known = try await self.current(resource), let old = entries[href] else {
                guard unreadable[resource] == nil else { return }  // reported; left as it is
                current.crmVersion = nil  // gone meanwhile: decide again
                return keep(current)
            }
            let fields = try await kind.fields(of: record)
            if conflict { logLoser("DAV server", old.fields, against: fields, crmID: crmID) }
            var document = known.document
            kind.patch(&document, item: href, with: fields, over: old.fields, crmID: crmID)
            current.crmVersion = record.syncVersion
            if document != known.document {
                // If-Match on the ETag the plan was made with (or of our own write this pass): an
                // item changed since then is read again.
                try await write(document, at: resource, etag: known.etag)
                current.remoteHash = entries[href]?.hash ?? kind.hash(fields)
                current.etag = documents[resource]?.etag
                report.count("updated-remote")
            } else {
                current.etag = known.etag
                current.remoteHash = old.hash
            }
            if conflict { report.count("conflicts") }
            keep(current)
        case .deleteRemote(let crmID, let href, let etag):
            let resource = resource(of: href)
            if kind.rewrites(removing: href), let known = try await self.current(resource),
               let document = kind.removing(item: href, from: known.document) {
                try await write(document, at: resource, etag: known.etag)
            } else {
                try await kind.client.delete(resource, etag: documents[resource]?.etag ?? etag)
                ownWrites[resource] = .some(nil)
                documents[resource] = nil
            }
            drop(crmID)
            report.count("deleted-remote")
        case .createCRM(let href):
            guard let entry = entries[href] else { return }
            let draft = RecordDraft(owner: target.user.id, fields: try await kind.recordFields(entry.fields, before: nil, record: nil),
                                    idempotencyKey: entry.key)
            let record = try await connector.createRecord(in: target.module.key, draft)
            let crmID = record.ref.description
            records[crmID] = record
            var linked = SyncLink(crmID: crmID, remoteUID: entry.uid, href: href, etag: documents[resource(of: href)]?.etag,
                                  remoteHash: entry.hash, crmVersion: record.syncVersion)
            keep(linked)
            report.count("created-crm")
            // The item learns its record's id, so it is found again if the state is lost.
            let resource = resource(of: href)
            guard let known = documents[resource] else { return }
            var document = known.document
            kind.patch(&document, item: href, with: entry.fields, over: entry.fields, crmID: crmID)
            if document != known.document {
                try await write(document, at: resource, etag: known.etag)
                linked.etag = documents[resource]?.etag ?? known.etag
                linked.remoteHash = entries[href]?.hash ?? entry.hash
                keep(linked)
            }
        case .updateCRM(let crmID, let href, let conflict):
            guard let entry = entries[href], let ref = RecordRef(crmID), var current = link(crmID) else { return }
            var known = records[crmID]
            if known == nil { known = try await connector.record(ref) }
            guard let record = known else { return }
            let before = try await kind.fields(of: record)
            if conflict { logLoser("CRM", before, against: entry.fields, crmID: crmID) }
            let fields = try await kind.recordFields(entry.fields, before: before, record: record)
            let draft = RecordDraft(fields: fields)
            let updated = draft.fields.isEmpty ? record : try await connector.updateRecord(ref, draft)
            records[crmID] = updated
            current.crmVersion = updated.syncVersion
            current.etag = documents[resource(of: href)]?.etag ?? current.etag
            current.remoteHash = entry.hash
            keep(current)
            report.count("updated-crm")
            if conflict { report.count("conflicts") }
        case .deleteCRM(let crmID):
            if let ref = RecordRef(crmID) { try await connector.deleteRecord(ref) }
            drop(crmID)
            report.count("deleted-crm")
        case .forgetRemote(let crmID):
            guard var current = link(crmID) else { return }
            if let href = current.href, kind.recordGoes(with: href), target.rules.direction != .crmToRemote {
                // An item whose record the DAV side owns (an occurrence of a series the calendar
                // made, cancelled there): its record goes too.
                return try await perform(.deleteCRM(crmID: crmID))
            }
            current.href = nil
            current.etag = nil
            current.remoteHash = nil
            keep(current)
            report.count("deleted-by-user")
        case .relink(let crmID, let item):
            // Found again by the id it carries (state lost or a run cut short): compare both sides next pass.
            keep(SyncLink(crmID: crmID, remoteUID: item.uid, href: item.href, etag: item.etag, remoteHash: item.contentHash, crmVersion: nil))
            report.count("relinked")
        case .refreshETag(let crmID, let etag):
            guard var current = link(crmID) else { return }
            current.etag = etag
            keep(current)
        }
    }

    /// An item one side refuses (an item the server will not take, a record the CRM finds
    /// invalid) is reported and skipped; the rest of the run goes on. An unreachable side
    /// ends the run instead (thrown), to be tried again as a whole.
    private func fail(_ action: SyncAction, _ error: any Error) {
        report.count("failed")
        report.failures.append("\(action.crmID ?? "a new \(kind.noun)"): \(error)")
        logger.error("sync item failed", metadata: ["user": "\(scope.user)", "module": "\(scope.module)", "action": "\(action)",
                                                  "error": "\(error)"])
    }

    /// New items for records, `writesInFlight` at a time: prepared in order, written
    /// concurrently (If-None-Match at their stable names), their links kept in order.
    private func createRemote(_ crmIDs: [String]) async throws {
        var prepared: [(crmID: String, uid: String, document: Kind.Document, hash: String, version: String)] = []
        for crmID in crmIDs {
            guard let record = records[crmID] else { continue }
            let uid = link(crmID)?.remoteUID ?? "crmgate-" + crmID.replacingOccurrences(of: "/", with: "-")
            let fields = try await kind.fields(of: record)
            var document = kind.newDocument(uid: uid, crmID: crmID, fields: fields)
            kind.stamp(&document)
            prepared.append((crmID, uid, document, kind.hash(fields), record.syncVersion))
        }
        let results = await withTaskGroup(of: (Int, Result<(href: String, etag: String?)?, DAVError>).self) { group in
            let client = kind.client
            let collection = kind.collection
            for (index, item) in prepared.enumerated() {
                group.addTask {
                    (index, await createdUnlessPresent { () async throws(DAVError) in
                        try await client.create(item.document, named: item.uid, in: collection)
                    })
                }
            }
            var results = [Result<(href: String, etag: String?)?, DAVError>?](repeating: nil, count: prepared.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        for (item, result) in zip(prepared, results) {
            switch result {
            case .success(let written?):
                keep(SyncLink(crmID: item.crmID, remoteUID: item.uid, href: written.href, etag: written.etag,
                              remoteHash: item.hash, crmVersion: item.version))
                ownWrites[written.href] = written.etag
                report.count("created-remote")
            case .success(nil):
                // An item is already at its name (a run stopped before it saved): link it as it is, and
                // compare it with the record in the next pass.
                let href = kind.client.href(named: item.uid, in: kind.collection)
                documents[href] = nil
                try await read([href])
                guard let found = entries[href] else { continue }  // gone again meanwhile: the next run creates it
                guard found.crmID == item.crmID else {
                    fail(.createRemote(crmID: item.crmID),
                         BridgeError("\(href) holds an item of \(found.crmID ?? "no record"), not of \(item.crmID)"))
                    continue
                }
                keep(SyncLink(crmID: item.crmID, remoteUID: item.uid, href: href, etag: documents[href]?.etag, remoteHash: found.hash))
                report.count("relinked")
            case .failure(let error):
                guard case .status = error else { throw error }
                fail(.createRemote(crmID: item.crmID), error)
            case nil:
                continue
            }
        }
    }

    /// A conflict's losing values go to the log, so nothing is lost without a trace.
    private func logLoser(_ side: String, _ lost: Kind.Fields, against won: Kind.Fields, crmID: String) {
        let differences = Mirror(reflecting: lost).children.compactMap { child -> String? in
            guard let label = child.label,
                  let winner = Mirror(reflecting: won).children.first(where: { $0.label == label })?.value,
                  "\(winner)" != "\(child.value)" else { return nil }
            return "\(label): \(child.value)"
        }
        logger.notice("conflict: both sides changed; the \(side)'s values lost", metadata: [
            "user": "\(scope.user)", "record": "\(crmID)", "lost": "\(differences.joined(separator: "; "))",
        ])
    }

    /// What an action does, in a line for `crmgate sync`, and the count it adds to; nil for
    /// bookkeeping (a refreshed ETag).
    private func describe(_ action: SyncAction) -> (line: String, count: String)? {
        let noun = kind.noun
        return switch action {
        case .createRemote(let crmID): ("create \(noun) for \(crmID)", "created-remote")
        case .updateRemote(let crmID, let href, _, let conflict):
            ("update \(noun) \(href) from \(crmID)" + (conflict ? " (conflict: CRM wins)" : ""), "updated-remote")
        case .deleteRemote(let crmID, let href, _): ("delete \(noun) \(href) (\(crmID) left the scope)", "deleted-remote")
        case .createCRM(let href): ("create \(target.module.singular.lowercased()) from \(noun) \(href)", "created-crm")
        case .updateCRM(let crmID, let href, let conflict):
            ("update \(crmID) from \(noun) \(href)" + (conflict ? " (conflict: DAV server wins)" : ""), "updated-crm")
        case .deleteCRM(let crmID): ("delete \(crmID) (its \(noun) was deleted)", "deleted-crm")
        case .forgetRemote(let crmID): ("forget the deleted \(noun) of \(crmID) (the record stays)", "deleted-by-user")
        case .relink(let crmID, let item): ("link \(noun) \(item.href) to \(crmID) again", "relinked")
        case .refreshETag: nil
        }
    }
}

extension SyncAction {
    /// The record an action concerns, when it names one.
    var crmID: String? {
        switch self {
        case .createRemote(let id), .updateRemote(let id, _, _, _), .deleteRemote(let id, _, _), .updateCRM(let id, _, _),
             .deleteCRM(let id), .forgetRemote(let id), .relink(let id, _), .refreshETag(let id, _):
            id
        case .createCRM: nil
        }
    }
}

extension CRMRecord {
    /// The record's version as the sync compares it: the modification time, and a digest of
    /// the fields and owner (two changes within the same millisecond still differ).
    var syncVersion: String {
        let fields = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.displayText)" }
        return String(format: "%.3f.", modifiedAt.timeIntervalSince1970) + digest(fields + [owner?.rawValue ?? ""], bytes: 6)
    }
}
