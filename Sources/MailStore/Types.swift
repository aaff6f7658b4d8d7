import Foundation
import MIMECore

/// A gateway account's identity in the store.
public struct UserID: Hashable, Sendable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
}

/// A mailbox's identity in the store; stable across renames.
public struct MailboxID: Hashable, Sendable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
}

/// A mailbox as LIST and SELECT see it. Names are Unicode with `/` as the delimiter;
/// the inbox is always spelled `INBOX`.
public struct MailboxInfo: Hashable, Sendable {
    public var id: MailboxID
    public var name: String
    public var specialUse: String?
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
}

/// Counters for STATUS and SELECT.
public struct MailboxCounts: Hashable, Sendable {
    public var messages: Int
    public var unseen: Int
    public var deleted: Int
    public var size: Int
    /// Sequence number of the first unseen message, if any.
    public var firstUnseen: Int?
}

/// A message's mutable state.
public struct MessageState: Hashable, Sendable {
    public var uid: UInt32
    /// Flags and keywords, e.g. `\Seen`, `$CRMDone`, in canonical spelling.
    public var flags: [String]
    public var modSeq: UInt64
}

/// What FETCH needs of a message apart from its body sections.
public struct MessageMetadata: Sendable {
    public var state: MessageState
    public var internalDate: Date
    /// Offset from UTC in minutes of the INTERNALDATE as the client gave it.
    public var internalZoneMinutes: Int
    public var size: Int
    /// Pre-encoded IMAP values, computed once at APPEND.
    public var envelope: [UInt8]
    public var bodyStructure: [UInt8]
    public var bodyBasic: [UInt8]
    /// The stored body (shared by copies): the message's EMAILID (RFC 8474).
    public var bodyID: Int64 = 0
    /// When it was saved into its mailbox (RFC 8514 SAVEDATE); nil when not known.
    public var savedAt: Date?
}

/// What changed in a mailbox since a MODSEQ: the basis of EXISTS/EXPUNGE/FETCH updates.
public struct MailboxChanges: Sendable {
    /// Messages added or whose flags changed, ascending by UID.
    public var changed: [MessageState]
    /// UIDs expunged since, ascending.
    public var expunged: [UInt32]
    public var highestModSeq: UInt64
}

/// A stored message's parsed index and the handle to read its bytes by range.
public struct StoredMessage: Sendable {
    public let bodyID: Int64
    public let index: MessageIndex
}

/// A new message to store.
public struct NewMessage: Sendable {
    public var raw: [UInt8]
    public var flags: [String]
    public var internalDate: Date
    public var internalZoneMinutes: Int

    public init(raw: [UInt8], flags: [String] = [], internalDate: Date = Date(), internalZoneMinutes: Int = 0) {
        self.raw = raw; self.flags = flags
        self.internalDate = internalDate; self.internalZoneMinutes = internalZoneMinutes
    }
}

/// How STORE changes flags.
public enum FlagOperation: Sendable { case add, remove, replace }

/// Result of COPY or MOVE: source UIDs and the UIDs they got in the destination, pairwise.
public struct CopyResult: Sendable {
    public var destinationUIDValidity: UInt32
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]
    /// Whether the destination is a drop folder and the messages were queued for the CRM.
    public var queuedDrops = false
    /// Row ids of the copied source messages (MOVE expunges them in the same transaction).
    var sourceMessageIDs: [Int64] = []
}

/// Failures a client or administrator can meet, worded as advice.
public enum MailStoreError: Error, Equatable, CustomStringConvertible {
    case mailboxNotFound(String)
    case mailboxExists(String)
    case inboxCannotBeDeleted
    case mailboxHasChildren(String)
    case invalidMailboxName(String, reason: String)
    case userExists(String)
    case userNotFound(String)
    /// The CRM folders service owns this mailbox (or one inside it).
    case managedMailbox(String)
    /// A display folder of CRM summaries: clients cannot add messages.
    case summariesOnly(String)

    public var description: String {
        switch self {
        case .mailboxNotFound(let n): "Mailbox \"\(n)\" does not exist"
        case .mailboxExists(let n): "Mailbox \"\(n)\" already exists"
        case .inboxCannotBeDeleted: "INBOX cannot be deleted"
        case .mailboxHasChildren(let n): "Mailbox \"\(n)\" has child mailboxes: delete them first"
        case .invalidMailboxName(let n, let r): "Invalid mailbox name \"\(n)\": \(r)"
        case .userExists(let e): "An account for \(e) already exists"
        case .userNotFound(let e): "No account for \(e)"
        case .managedMailbox(let n): "\"\(n)\" is a CRM folder kept in step with the CRM by crmgate; it cannot be deleted or renamed here"
        case .summariesOnly(let n): "\"\(n)\" shows CRM summaries and takes no messages; drop mail into a \"- Create New\" or \"Assign To\" folder instead"
        }
    }
}
