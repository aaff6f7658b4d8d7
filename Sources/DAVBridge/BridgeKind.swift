import CRM
import Crypto
import DAV
import DAVCore
import Foundation
import Sync

/// What the bridge keeps in step for one CRM module: the kind of DAV resource (a vCard, a
/// calendar object), the CRM-owned fields compared on both sides, and how each side is
/// read and written. `BridgeSyncRun` does the rest (changes, plan, conditional writes,
/// links and cursors) the same for every kind.
protocol BridgeKind: AnyObject {
    associatedtype Client: DocumentCollectionClient
    associatedtype Fields: Hashable
    typealias Document = Client.Document

    /// What the user calls one item (`card`, `event`, `task`), for reports and logs.
    var noun: String { get }
    var scope: BridgeScope { get }

    // MARK: The DAV side

    var client: Client { get }
    /// The address book or calendar.
    var collection: URL { get }
    /// The members a first sync or a full reconcile reads (nil: all): a calendar's window.
    func membersToRead() async throws(DAVError) -> Set<String>?

    // MARK: Items

    /// The items a document holds (one; or one per occurrence of a series the calendar
    /// made), with `linked` the item hrefs the state links there (kept even when they lie
    /// outside the window). Throws when the document cannot be understood.
    func entries(of document: Document, href: String, etag: String, linked: Set<String>) throws -> [BridgeEntry<Fields>]
    /// A record's fields as the DAV side shows them (may look up related records).
    func fields(of record: CRMRecord) async throws -> Fields
    func hash(_ fields: Fields) -> String
    /// A new document for a record.
    func newDocument(uid: String, crmID: String, fields: Fields) -> Document
    /// Writes `fields` into the item at `href` of `document` where they differ from `old`.
    func patch(_ document: inout Document, item href: String, with fields: Fields, over old: Fields, crmID: String)
    /// Whether the record of the item at `href` goes when the item does, whatever the policy
    /// says of deletions (an occurrence of a series the calendar made).
    func recordGoes(with href: String) -> Bool
    /// Whether taking the item at `href` away rewrites its resource (an occurrence cancelled,
    /// an event marked cancelled) instead of deleting it.
    func rewrites(removing href: String) -> Bool
    /// The resource without the item at `href`, when `rewrites(removing:)`; nil deletes it.
    func removing(item href: String, from document: Document) -> Document?
    /// The record fields for a draft from the item's fields; `record` is the record being
    /// updated (nil: a new one), `before` its fields.
    func recordFields(_ fields: Fields, before: Fields?, record: CRMRecord?) async throws -> [String: FieldValue?]
    /// REV / DTSTAMP / LAST-MODIFIED: when crmgate last wrote it.
    func stamp(_ document: inout Document)

    // MARK: The CRM side

    /// A record the scope may hold (ownership and visibility are the run's); `linked` says
    /// whether it is already synced.
    func admits(_ record: CRMRecord, linked: Bool) -> Bool
    /// Records that entered the scope since `since` without changing (a window moving on).
    func entered(_ record: CRMRecord, since: Date) -> Bool
}

extension BridgeKind {
    func recordGoes(with href: String) -> Bool { false }
    func rewrites(removing href: String) -> Bool { false }
    func removing(item href: String, from document: Document) -> Document? { nil }
    func membersToRead() async throws(DAVError) -> Set<String>? { nil }
    func entered(_ record: CRMRecord, since: Date) -> Bool { false }
}

/// SHA-256 of `parts` (NUL-separated), hex, its first `bytes` octets: how the bridge says
/// "these fields" (a content hash), "these settings" (a fingerprint) or "this record version".
func digest(_ parts: [String], bytes: Int = 32) -> String {
    SHA256.hash(data: Array(parts.joined(separator: "\u{0}").utf8)).prefix(bytes).map { String(format: "%02x", $0) }.joined()
}

/// What `create` made, or nil when something is at its name already (412).
func createdUnlessPresent(_ create: () async throws(DAVError) -> (href: String, etag: String?)) async
    -> Result<(href: String, etag: String?)?, DAVError> {
    do {
        return .success(try await create())
    } catch {
        return error.isPreconditionFailed ? .success(nil) : .failure(error)
    }
}

/// One item of a DAV resource as the run compares it: the resource itself, or an
/// occurrence of a series the calendar made (`href#RECURRENCE-ID`).
struct BridgeEntry<Fields> {
    var href: String
    var uid: String?
    var crmID: String?
    var fields: Fields
    var hash: String
    /// It may become a record: it carries the category (or the policy takes all) and the
    /// module creates records from the DAV side.
    var createsRecord: Bool
    var modifiedAt: Date?
    /// A stable key for a record made from it (the CRM's idempotency key).
    var key: String
}

/// The resource an item href lies in (`…/weekly.ics#20270104T090000` lies in `…/weekly.ics`).
func resource(of href: String) -> String {
    guard let hash = href.lastIndex(of: "#") else { return href }
    return String(href[..<hash])
}

/// What one scope (a user's contacts, leads, events or tasks under their policy) syncs
/// with, and how.
struct BridgeScope: Sendable {
    var scope: SyncScope
    var module: ModuleDefinition
    var user: CRMUser
    var rules: SyncRules
    /// The CATEGORIES value of synced items; a new item with it becomes a record.
    var category: String
    /// "visible": every record the user may see; else only their own.
    var visible: Bool
    /// A first sync copies records modified since then, at most `firstMax` (0: all).
    var firstSince: Date?
    var firstMax: Int
    /// New items on the DAV side become records of this module (contacts; leads only
    /// when they have an address book of their own; events and tasks).
    var createsFromDAV: Bool
}
