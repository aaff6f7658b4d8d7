import Foundation

/// Where a reader of a module's change feed stands; opaque to everyone but its connector.
public struct ChangeCursor: Hashable, Sendable, Codable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// One change of a record since a cursor.
public struct RecordChange: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case created
        case changed
        /// The record matched its module's closed rule with this change.
        case closed
        case deleted
        /// The owner changed; `from` is the previous owner.
        case reassigned(from: CRMUserID?)
        /// An email was archived to the record: its activities changed, its fields did not.
        /// (Connectors that cannot tell leave it out; readers that show activities then
        /// catch up at their poll interval.)
        case activity
    }

    public var kind: Kind
    public var ref: RecordRef
    /// The record as it is now; nil when it was deleted.
    public var record: CRMRecord?

    public init(kind: Kind, ref: RecordRef, record: CRMRecord?) {
        self.kind = kind; self.ref = ref; self.record = record
    }
}

/// The changes of a module since a cursor, oldest first, and the cursor to ask from next.
public struct ChangeBatch: Sendable {
    public var changes: [RecordChange]
    public var cursor: ChangeCursor
    /// True when more changes are waiting (the batch was cut at its size limit).
    public var hasMore: Bool

    public init(changes: [RecordChange], cursor: ChangeCursor, hasMore: Bool = false) {
        self.changes = changes; self.cursor = cursor; self.hasMore = hasMore
    }
}
