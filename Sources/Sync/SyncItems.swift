import Foundation

/// What the sync engine remembers of one item it keeps in step between the CRM and a remote
/// side (an address book, a calendar, a CRM folder): the ids on both sides and what each
/// side said when the two were last the same.
public struct SyncLink: Hashable, Sendable, Codable {
    /// `contacts/42`: the CRM module and record id.
    public var crmID: String
    /// The remote item's own id (a vCard's UID), once known.
    public var remoteUID: String?
    /// Where the item is on the remote side; nil after the user deleted it there and the
    /// CRM record stayed (it comes back when the record changes).
    public var href: String?
    public var etag: String?
    /// `VCard.contentHash` of the remote item as last written or read.
    public var remoteHash: String?
    /// The CRM record's version as last written or read.
    public var crmVersion: String?

    public init(crmID: String, remoteUID: String? = nil, href: String? = nil, etag: String? = nil,
                remoteHash: String? = nil, crmVersion: String? = nil) {
        self.crmID = crmID
        self.remoteUID = remoteUID
        self.href = href
        self.etag = etag
        self.remoteHash = remoteHash
        self.crmVersion = crmVersion
    }
}

/// A CRM record in the user's scope, as the planner needs it.
public struct CRMItem: Hashable, Sendable {
    public var crmID: String
    /// Changes whenever the record changes (a version counter or its modification time).
    public var version: String
    public var modifiedAt: Date?

    public init(crmID: String, version: String, modifiedAt: Date? = nil) {
        self.crmID = crmID
        self.version = version
        self.modifiedAt = modifiedAt
    }
}

/// An item on the remote side, as a listing or a sync report gives it (and, where it was
/// read, what it says).
public struct RemoteItem: Hashable, Sendable {
    public var href: String
    public var etag: String
    public var uid: String?
    /// The CRM id it carries (`X-CRMGATE-ID`), which re-links it when the state is lost.
    public var crmID: String?
    public var contentHash: String?
    /// It carries the policy's category: made for the CRM.
    public var inCategory: Bool
    public var modifiedAt: Date?

    public init(href: String, etag: String, uid: String? = nil, crmID: String? = nil, contentHash: String? = nil,
                inCategory: Bool = false, modifiedAt: Date? = nil) {
        self.href = href
        self.etag = etag
        self.uid = uid
        self.crmID = crmID
        self.contentHash = contentHash
        self.inCategory = inCategory
        self.modifiedAt = modifiedAt
    }
}

/// How a policy wants a module kept in step (RIVA-NOTES: what Riva's users are used to).
public struct SyncRules: Hashable, Sendable {
    public enum Direction: String, Hashable, Sendable, CaseIterable {
        case twoWay = "two-way"
        case crmToRemote = "crm-to-remote"
        case remoteToCRM = "remote-to-crm"

        var toRemote: Bool { self != .remoteToCRM }
        var toCRM: Bool { self != .crmToRemote }
    }

    /// Who wins when both sides changed an item since the last sync.
    public enum ConflictRule: String, Hashable, Sendable, CaseIterable {
        case newestWins = "newest"
        case crmWins = "crm"
        case remoteWins = "remote"
    }

    public var direction: Direction
    public var conflictRule: ConflictRule
    /// A card the user deleted deletes the CRM record too (default: no; it comes back when
    /// the record changes).
    public var remoteDeletesCRM: Bool
    /// An item the user deleted comes back when its record changes (contacts); calendars
    /// keep what the user deleted deleted (RIVA-NOTES: items the user deleted are not recreated).
    public var recreateDeleted: Bool
    /// Deletions are held back when a side suddenly lost more than this share of the items
    /// known to be there (and at least `guardMinimum` of them): an empty listing or a broken
    /// query must not wipe the other side.
    public var guardShare: Double
    public var guardMinimum: Int

    public init(direction: Direction = .twoWay, conflictRule: ConflictRule = .newestWins, remoteDeletesCRM: Bool = false,
                recreateDeleted: Bool = true, guardShare: Double = 0.5, guardMinimum: Int = 5) {
        self.direction = direction
        self.conflictRule = conflictRule
        self.remoteDeletesCRM = remoteDeletesCRM
        self.recreateDeleted = recreateDeleted
        self.guardShare = guardShare
        self.guardMinimum = guardMinimum
    }
}
