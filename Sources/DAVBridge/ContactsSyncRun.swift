import CRM
import Crypto
import DAV
import DAVCore
import Foundation
import Logging
import Sync

/// What one scope (a user's contacts or leads under their policy) syncs with, and how.
struct ContactsScope: Sendable {
    var scope: SyncScope
    var module: ModuleDefinition
    var user: CRMUser
    var rules: SyncRules
    /// The CATEGORIES value of synced cards; a new card with it becomes a record.
    var category: String
    /// "visible": every record the user may see; else only their own.
    var visible: Bool
    /// A first sync copies records modified since then, at most `firstMax` (0: all).
    var firstSince: Date?
    var firstMax: Int
    /// New cards in the category become records of this module (contacts; leads only
    /// when they have an address book of their own).
    var createsFromCards: Bool
}

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
///
/// A write that meets a changed item (412) is not retried blindly: its link is marked for a
/// re-read of both sides (`crmVersion` nil) and a second pass reads and decides again.
final class ContactsSyncRun {
    let target: ContactsScope
    let connector: any CRMConnector
    let state: SyncStateStore
    let client: CardDAVClient
    let book: URL
    let logger: Logger
    let dryRun: Bool
    /// Called as a first sync's writes progress (done, total).
    var progress: (@Sendable (Int, Int) -> Void)?

    private var report: SyncRunReport
    private var records: [String: CRMRecord] = [:]
    private var cards: [String: FetchedCard] = [:]
    private var accountNames: [RecordRef: String] = [:]
    private var accountsByName: [String: RecordRef]?

    /// Where `CRMGATE_CRASH_AT=sync-mid-run` stops a run: some writes made, no link saved.
    static let crashAfter = 5

    /// New cards written at once: the server works on one while the next is on its way.
    /// More does not help a server that writes one at a time, and can hurt badly (Radicale
    /// 3.9.0: 1,000 cards at 2 or 4 in flight 0.92-0.93x its own sequential rate, at 8 0.15x).
    static let writesInFlight = 2

    /// How many writes go between two intermediate saves of the links.
    static let saveEvery = 200
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

    /// The settings that decide what the scope holds and how its items look.
    var fingerprint: String {
        let settings = [target.module.key.rawValue, target.visible ? "visible" : "owned", target.category, target.rules.direction.rawValue,
                        target.createsFromCards ? "cards" : "", book.absoluteString]
        return SHA256.hash(data: Array(settings.joined(separator: "\u{0}").utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    init(target: ContactsScope, connector: any CRMConnector, state: SyncStateStore, client: CardDAVClient, book: URL, logger: Logger,
         dryRun: Bool = false) {
        self.target = target
        self.connector = connector
        self.state = state
        self.client = client
        self.book = book
        self.logger = logger
        self.dryRun = dryRun
        report = SyncRunReport(scope: target.scope)
    }

    var scope: SyncScope { target.scope }

    func run() async throws -> SyncRunReport {
        var pass = 0
        var dirty = try await self.pass(first: true)
        while dirty, !dryRun, pass < 2 {
            pass += 1
            dirty = try await self.pass(first: false)
        }
        report.requests = client.transport.requests.value
        return report
    }

    /// One read–plan–write–save round. The first reads both sides' changes; the later ones
    /// only the items marked for a re-read. True when marked items remain.
    private func pass(first: Bool) async throws -> Bool {
        links = try await state.links(scope)
        changed.removeAll()
        removed.removeAll()
        wroteRemote = false
        let cursors = try await state.cursors(scope)
        let firstSync = cursors.crmCursor == nil
        let marker = FeedMarker(cursors.crmCursor)
        let reconcile = first && !firstSync && (marker?.fingerprint != fingerprint || (marker?.day ?? 0) < FeedMarker.today)
        if reconcile { report.count("full-reconcile") }
        let dirty = links.filter { $0.crmVersion == nil && $0.href != nil }

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

        // The address book: its changes since the token (a full listing on a first sync or
        // when the token is refused), then the cards that are new or changed, read once.
        var remoteToken = cursors.remoteToken
        let remote: RemoteSnapshot
        let byHref = Dictionary(links.compactMap { link in link.href.map { ($0, link) } }, uniquingKeysWith: { a, _ in a })
        let dirtyHrefs = dirty.compactMap(\.href)
        if first {
            let changes = try await client.changes(in: book, since: firstSync || reconcile ? nil : cursors.remoteToken)
            remoteToken = changes.token
            let listed = Dictionary(changes.changed.map { ($0.href, $0.etag) }, uniquingKeysWith: { a, _ in a })
            try await read(listed.filter { byHref[$0.key]?.etag != $0.value }.map(\.key) + dirtyHrefs)
            var items = listed.map { remoteItem(href: $0.key, etag: $0.value) }
            var deleted = changes.deleted
            for href in dirtyHrefs where listed[href] == nil {
                if let etag = cards[href]?.etag ?? unreadable[href] { items.append(remoteItem(href: href, etag: etag)) } else { deleted.append(href) }
            }
            items = items.filter(belongsHere)
            remote = changes.isFull ? .full(items) : .changes(items, deleted: deleted)
        } else {
            for href in dirtyHrefs { cards[href] = nil; unreadable[href] = nil }  // read afresh: they changed while being written
            try await read(dirtyHrefs)
            let present = dirtyHrefs.compactMap { href in (cards[href]?.etag ?? unreadable[href]).map { remoteItem(href: href, etag: $0) } }
            remote = .changes(present.filter(belongsHere), deleted: dirtyHrefs.filter { cards[$0] == nil && unreadable[$0] == nil })
        }

        var plan = SyncPlanner(rules: target.rules).plan(links: links, crm: crm, remote: remote)
        if (firstSync && first) || reconcile {
            // As Riva: a first sync copies the CRM to the address book; cards already there are not
            // merged into the CRM (new ones made later are, from the changes the book reports).
            let existing = plan.actions.filter { if case .createCRM = $0 { true } else { false } }
            if !existing.isEmpty {
                plan.actions.removeAll { if case .createCRM = $0 { true } else { false } }
                logger.info("first sync: cards already in the address book stay out of the CRM",
                            metadata: ["user": "\(scope.user)", "cards": "\(existing.count)"])
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
        // New cards first, several in flight (they are independent of each other and of the rest).
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
        if wroteRemote, let start = token { token = try await tokenPast(ownWritesSince: start) }
        try await state.save(scope, SyncCheckpoint(links: Array(changed.values), removed: Array(removed), remoteToken: token,
                                                   crmCursor: FeedMarker(fingerprint: fingerprint, day: firstSync || reconcile
                                                       ? FeedMarker.today : marker?.day ?? FeedMarker.today).text,
                                                   pendingThrough: pending.through, counts: report.counts))
        return links.contains { $0.crmVersion == nil && $0.href != nil }
    }

    /// Whether this pass wrote to the address book.
    private var wroteRemote = false

    /// The token to continue from after this pass's own writes. The token read at the start
    /// is older than them; a server may leave out of a later report a card that was made
    /// after a token and deleted since (Xandikos does), so a user deleting a card just
    /// written would go unseen. If everything since the start is our own writes (by ETag,
    /// or by content when the server gave no ETag), the newer token is taken; otherwise the
    /// start token stays and the next run reads those changes.
    private func tokenPast(ownWritesSince start: String) async throws -> String {
        let after = try await client.changes(in: book, since: start)
        guard !after.isFull, let newer = after.token else { return start }
        let byHref = Dictionary(links.compactMap { link in link.href.map { ($0, link) } }, uniquingKeysWith: { a, _ in a })
        if after.deleted.contains(where: { byHref[$0] != nil }) { return start }
        for item in after.changed where byHref[item.href]?.etag != item.etag {
            guard var link = byHref[item.href] else { return start }  // someone else's new card
            cards[item.href] = nil
            try await read([item.href])
            guard let fetched = cards[item.href], fetched.etag == item.etag,
                  ContactFields(card: fetched.card).hash == link.remoteHash else { return start }
            link.etag = fetched.etag  // our own write: learn its ETag
            keep(link)
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
        /// The daily reconcile: what is linked, and what changed since the last one.
        case changedSince(Date)
    }

    /// The records in scope that a full read takes (the linked ones that are not there any
    /// more have left the scope).
    private func scopeRecords(_ read: FullRead) async throws -> [CRMItem] {
        let inScope = try await connector.activeRecords(in: target.module.key, visibleTo: target.user.id).filter(inScope)
        let linked = Set(links.map(\.crmID))
        var firstSet = inScope
        if let since = target.firstSince { firstSet = firstSet.filter { $0.modifiedAt >= since } }
        if target.firstMax > 0 { firstSet = Array(firstSet.sorted { $0.modifiedAt > $1.modifiedAt }.prefix(target.firstMax)) }
        let found: [CRMRecord]
        switch read {
        case .firstSync:
            found = firstSet
        case .settingsChanged:
            let chosen = Set(firstSet.map(\.ref.description))
            found = inScope.filter { chosen.contains($0.ref.description) || linked.contains($0.ref.description) }
        case .changedSince(let since):
            found = inScope.filter { linked.contains($0.ref.description) || $0.modifiedAt >= since }
        }
        for record in found { records[record.ref.description] = record }
        return found.map(item)
    }

    /// The current state of the records named: changed, or gone from the user's scope.
    private func changedRecords(_ ids: [String]) async throws -> CRMSnapshot {
        var items: [CRMItem] = []
        var left: [String] = []
        for id in ids {
            guard let ref = RecordRef(id), let record = try await connector.record(ref), inScope(record) else {
                left.append(id)
                continue
            }
            records[id] = record
            items.append(item(record))
        }
        return .changes(items, leftScope: left)
    }

    private func inScope(_ record: CRMRecord) -> Bool {
        guard record.ref.module == target.module.key, target.module.closedRule?.isClosed(record) != true else { return false }
        if record.owner == target.user.id { return true }
        return target.visible && target.module.visibility == .all
    }

    private func item(_ record: CRMRecord) -> CRMItem {
        CRMItem(crmID: record.ref.description, version: Self.version(of: record), modifiedAt: record.modifiedAt)
    }

    /// The modification time, and a digest of the fields and owner: two changes within the
    /// same millisecond still differ.
    static func version(of record: CRMRecord) -> String {
        let fields = record.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.displayText)" }
        let digest = SHA256.hash(data: Array((fields + [record.owner?.rawValue ?? ""]).joined(separator: "\u{0}").utf8))
        return String(format: "%.3f.", record.modifiedAt.timeIntervalSince1970) + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Reading the address book

    /// Cards that cannot be read (reported once a run; their items are left as they are).
    private var unreadable: [String: String] = [:]  // href → ETag

    private func read(_ hrefs: [String]) async throws {
        let unread = hrefs.filter { cards[$0] == nil && unreadable[$0] == nil }
        guard !unread.isEmpty else { return }
        let batch = try await client.readCards(unread, in: book)
        for card in batch.cards { cards[card.href] = card }
        for bad in batch.unreadable where unreadable.updateValue(bad.etag, forKey: bad.href) == nil {
            report.count("failed")
            report.failures.append("\(bad.href): cannot be read (\(bad.reason)); it is left as it is")
            logger.warning("card cannot be read; left as it is", metadata: ["user": "\(scope.user)", "href": "\(bad.href)",
                                                                              "reason": "\(bad.reason)"])
        }
    }

    private func remoteItem(href: String, etag: String) -> RemoteItem {
        guard let fetched = cards[href] else { return RemoteItem(href: href, etag: etag) }
        let card = fetched.card
        let category = card.categories.contains { $0.caseInsensitiveCompare(target.category) == .orderedSame }
        return RemoteItem(href: href, etag: fetched.etag, uid: card.uid, crmID: card.crmID, contentHash: ContactFields(card: card).hash,
                          inCategory: category && target.createsFromCards, modifiedAt: card.text("REV").flatMap(Self.revision))
    }

    /// Cards of another module (a shared address book) are not this scope's.
    private func belongsHere(_ item: RemoteItem) -> Bool {
        guard let crmID = item.crmID else { return true }
        return RecordRef(crmID)?.module == target.module.key
    }

    /// REV as vCard 3.0 and 4.0 write it: `20261206T101500Z`, or ISO 8601 with dashes.
    static func revision(_ text: String) -> Date? {
        let compact = text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        if let day = ICalLocalTime(compact, dateOnly: true) { return day.date(in: ICalTimeZones.utc) }
        // Fractional seconds (`…T101500.250Z`) are kept apart from what ICalLocalTime reads.
        let parts = compact.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? Double("0." + parts[1].dropLast()) : 0
        let whole = parts.count == 2 ? String(parts[0]) + "Z" : compact
        guard whole.hasSuffix("Z"), let fraction, let time = ICalLocalTime(whole, dateOnly: false) else { return nil }
        return time.date(in: ICalTimeZones.utc).addingTimeInterval(fraction)
    }

    // MARK: - Carrying the plan out

    /// The links as the run changes them, and the changes not saved yet.
    private var links: [SyncLink] = []
    private var changed: [String: SyncLink] = [:]
    private var removed: Set<String> = []

    private func keep(_ link: SyncLink) {
        changed[link.crmID] = link
        removed.remove(link.crmID)
        if let index = links.firstIndex(where: { $0.crmID == link.crmID }) { links[index] = link } else { links.append(link) }
    }

    private func drop(_ crmID: String) {
        changed[crmID] = nil
        removed.insert(crmID)
        links.removeAll { $0.crmID == crmID }
    }

    private func link(_ crmID: String) -> SyncLink? { links.first { $0.crmID == crmID } }

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

    private func perform(_ action: SyncAction) async throws {
        switch action {
        case .createRemote(let crmID):
            try await createRemote([crmID])
        case .updateRemote(let crmID, let href, let etag, let conflict):
            guard let record = records[crmID], var current = link(crmID) else { return }
            try await read([href])
            guard let fetched = cards[href] else {
                guard unreadable[href] == nil else { return }  // reported; left as it is
                current.crmVersion = nil  // gone meanwhile: decide again
                return keep(current)
            }
            let fields = try await fields(of: record)
            let old = ContactFields(card: fetched.card)
            if conflict { logLoser("address book", old, against: fields, crmID: crmID) }
            var card = fetched.card
            fields.patch(into: &card, over: old, crmID: crmID, category: target.category)
            current.crmVersion = Self.version(of: record)
            current.remoteHash = ContactFields(card: card).hash
            if card != fetched.card {
                stamp(&card)
                // If-Match on the ETag the plan was made with: a card changed since then is read again.
                wroteRemote = true
                current.etag = try await client.update(card, at: href, etag: etag)
                report.count("updated-remote")
            } else {
                current.etag = fetched.etag
            }
            if conflict { report.count("conflicts") }
            keep(current)
        case .deleteRemote(let crmID, let href, let etag):
            wroteRemote = true
            try await client.delete(href, etag: etag)
            drop(crmID)
            report.count("deleted-remote")
        case .createCRM(let href):
            guard let fetched = cards[href] else { return }
            let fields = ContactFields(card: fetched.card)
            var draft = RecordDraft(owner: target.user.id, fields: fields.recordFields, idempotencyKey: "carddav:\(scope.user):\(href)")
            try await setOrganization(fields, on: &draft, record: nil)
            let record = try await connector.createRecord(in: target.module.key, draft)
            let crmID = record.ref.description
            // The card learns its record's id, so it is found again if the state is lost.
            var card = fetched.card
            fields.patch(into: &card, over: fields, crmID: crmID, category: target.category)
            stamp(&card)
            var linked = SyncLink(crmID: crmID, remoteUID: card.uid, href: href, etag: fetched.etag, remoteHash: fields.hash,
                                  crmVersion: Self.version(of: record))
            keep(linked)
            report.count("created-crm")
            wroteRemote = true
            linked.etag = try await client.update(card, at: href, etag: fetched.etag)
            keep(linked)
        case .updateCRM(let crmID, let href, let conflict):
            guard let fetched = cards[href], let ref = RecordRef(crmID), var current = link(crmID) else { return }
            var known = records[crmID]
            if known == nil { known = try await connector.record(ref) }
            guard let record = known else { return }
            let fields = ContactFields(card: fetched.card)
            let before = try await self.fields(of: record)
            if conflict { logLoser("CRM", before, against: fields, crmID: crmID) }
            var draft = RecordDraft(fields: Self.difference(fields.recordFields, from: before.recordFields))
            if fields.organization != before.organization { try await setOrganization(fields, on: &draft, record: record) }
            let updated = draft.fields.isEmpty ? record : try await connector.updateRecord(ref, draft)
            records[crmID] = updated
            current.crmVersion = Self.version(of: updated)
            current.etag = fetched.etag
            current.remoteHash = fields.hash
            keep(current)
            report.count("updated-crm")
            if conflict { report.count("conflicts") }
        case .deleteCRM(let crmID):
            if let ref = RecordRef(crmID) { try await connector.deleteRecord(ref) }
            drop(crmID)
            report.count("deleted-crm")
        case .forgetRemote(let crmID):
            guard var current = link(crmID) else { return }
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

    /// An item one side refuses (a card the server will not take, a record the CRM finds
    /// invalid) is reported and skipped; the rest of the run goes on. An unreachable side
    /// ends the run instead (thrown), to be tried again as a whole.
    private func fail(_ action: SyncAction, _ error: any Error) {
        report.count("failed")
        report.failures.append("\(action.crmID ?? "a new card"): \(error)")
        logger.error("sync item failed", metadata: ["user": "\(scope.user)", "module": "\(scope.module)", "action": "\(action)",
                                                  "error": "\(error)"])
    }

    /// New cards for records, `writesInFlight` at a time: prepared in order, written
    /// concurrently (If-None-Match at their stable names), their links kept in order.
    private func createRemote(_ crmIDs: [String]) async throws {
        var prepared: [(crmID: String, uid: String, card: VCard, version: String)] = []
        for crmID in crmIDs {
            guard let record = records[crmID] else { continue }
            let uid = link(crmID)?.remoteUID ?? "crmgate-" + crmID.replacingOccurrences(of: "/", with: "-")
            var card = ContactFields.newCard(uid: uid, crmID: crmID, fields: try await fields(of: record), category: target.category)
            stamp(&card)
            prepared.append((crmID, uid, card, Self.version(of: record)))
        }
        let client = self.client
        let book = self.book
        let results = await withTaskGroup(of: (Int, Result<(href: String, etag: String?)?, DAVError>).self) { group in
            for (index, item) in prepared.enumerated() {
                group.addTask { (index, await Self.createIfAbsent(item.card, named: item.uid, in: book, client: client)) }
            }
            var results = [Result<(href: String, etag: String?)?, DAVError>?](repeating: nil, count: prepared.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        for (item, result) in zip(prepared, results) {
            switch result {
            case .success(let written?):
                keep(SyncLink(crmID: item.crmID, remoteUID: item.uid, href: written.href, etag: written.etag,
                              remoteHash: ContactFields(card: item.card).hash, crmVersion: item.version))
                report.count("created-remote")
                wroteRemote = true
            case .success(nil):
                // A card is already at its name (a run stopped before it saved): link it as it is, and
                // compare it with the record in the next pass.
                let href = client.href(named: item.uid, in: book)
                cards[href] = nil
                try await read([href])
                guard let found = cards[href] else { continue }  // gone again meanwhile: the next run creates it
                guard found.card.crmID == item.crmID else {
                    fail(.createRemote(crmID: item.crmID),
                         BridgeError("\(href) holds a card of \(found.card.crmID ?? "no record"), not of \(item.crmID)"))
                    continue
                }
                keep(SyncLink(crmID: item.crmID, remoteUID: item.uid, href: href, etag: found.etag,
                              remoteHash: ContactFields(card: found.card).hash))
                report.count("relinked")
            case .failure(let error):
                guard case .status = error else { throw error }
                fail(.createRemote(crmID: item.crmID), error)
            case nil:
                continue
            }
        }
    }

    /// Creates the card, or nil when one is already at its name (412).
    private static func createIfAbsent(_ card: VCard, named name: String, in book: URL,
                                       client: CardDAVClient) async -> Result<(href: String, etag: String?)?, DAVError> {
        do {
            return .success(try await client.create(card, named: name, in: book))
        } catch {
            return error.isPreconditionFailed ? .success(nil) : .failure(error)
        }
    }

    /// A record's fields as a card shows them; a contact's organization is its account's name.
    private func fields(of record: CRMRecord) async throws -> ContactFields {
        var organization = record.fields["company"]?.text ?? ""
        if case .reference(let account)? = record.fields["account"] {
            if let name = accountNames[account] {
                organization = name
            } else {
                let name = try await connector.record(account).map { $0.name(in: ModuleDefinition.accounts) } ?? ""
                accountNames[account] = name
                organization = name
            }
        }
        return ContactFields(record: record, organization: organization)
    }

    /// A card's organization into a draft: a lead's company, or a contact's account matched
    /// by name, else by an email address's domain; no match leaves the account as it was.
    private func setOrganization(_ fields: ContactFields, on draft: inout RecordDraft, record: CRMRecord?) async throws {
        guard target.module.field("account") != nil else {
            if target.module.field("company") != nil {
                draft.fields["company"] = fields.organization.isEmpty ? .some(nil) : .text(fields.organization)
            }
            return
        }
        if fields.organization.isEmpty {
            if record != nil { draft.fields["account"] = .some(nil) }
            return
        }
        if accountsByName == nil {
            let accounts = try await connector.activeRecords(in: .accounts, visibleTo: target.user.id)
            accountsByName = Dictionary(accounts.map { ($0.name(in: ModuleDefinition.accounts).lowercased(), $0.ref) }, uniquingKeysWith: { a, _ in a })
        }
        if let ref = accountsByName?[fields.organization.lowercased()] {
            draft.fields["account"] = .reference(ref)
            return
        }
        for email in fields.emails {
            guard let domain = email.split(separator: "@").last.map(String.init),
                  let account = try await connector.findAccounts(domain: domain).first else { continue }
            draft.fields["account"] = .reference(account.ref)
            return
        }
    }

    /// The draft fields whose value differs from the record's.
    static func difference(_ new: [String: FieldValue?], from old: [String: FieldValue?]) -> [String: FieldValue?] {
        new.filter { key, value in (old[key] ?? nil) != value }
    }

    /// REV: when crmgate last wrote the card.
    private func stamp(_ card: inout VCard) {
        card.setText("REV", ICalDateTime.utc(Date()).text)
    }

    /// A conflict's losing values go to the log, so nothing is lost without a trace.
    private func logLoser(_ side: String, _ lost: ContactFields, against won: ContactFields, crmID: String) {
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
        switch action {
        case .createRemote(let crmID): ("create card for \(crmID)", "created-remote")
        case .updateRemote(let crmID, let href, _, let conflict):
            ("update card \(href) from \(crmID)" + (conflict ? " (conflict: CRM wins)" : ""), "updated-remote")
        case .deleteRemote(let crmID, let href, _): ("delete card \(href) (\(crmID) left the scope)", "deleted-remote")
        case .createCRM(let href): ("create \(target.module.singular.lowercased()) from card \(href)", "created-crm")
        case .updateCRM(let crmID, let href, let conflict):
            ("update \(crmID) from card \(href)" + (conflict ? " (conflict: address book wins)" : ""), "updated-crm")
        case .deleteCRM(let crmID): ("delete \(crmID) (its card was deleted)", "deleted-crm")
        case .forgetRemote(let crmID): ("forget the deleted card of \(crmID) (the record stays)", "deleted-by-user")
        case .relink(let crmID, let item): ("link card \(item.href) to \(crmID) again", "relinked")
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
