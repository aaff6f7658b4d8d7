/// One server response (RFC 9051 §7): tagged completion, untagged data or a continuation request.
public enum Response: Hashable, Sendable {
    case tagged(tag: String, StatusResponse)
    case untagged(UntaggedResponse)
    /// `+ text` — the bytes after `+ ` (text or base64 for SASL).
    case continuationRequest([UInt8])
}

/// `resp-cond-state` / `resp-cond-bye` / `resp-cond-auth` (RFC 9051 §7.1).
public struct StatusResponse: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case ok = "OK", no = "NO", bad = "BAD", preauth = "PREAUTH", bye = "BYE"
    }
    public var status: Status
    public var code: ResponseCode?
    /// Human-readable text; CR and LF are replaced by spaces when encoded.
    public var text: String

    public init(_ status: Status, code: ResponseCode? = nil, _ text: String) {
        self.status = status; self.code = code; self.text = text
    }
    public init(status: Status, code: ResponseCode? = nil, text: String) { self.init(status, code: code, text) }
}

/// A response code in brackets (RFC 9051 §7.1, RFC 4315 UIDPLUS, RFC 7162, RFC 5530, RFC 4469, RFC 6154).
public enum ResponseCode: Hashable, Sendable {
    case alert
    case badCharset([String])
    case capability([String])
    case parse
    /// `allowsNewKeywords` is the `\*` entry.
    case permanentFlags([Flag], allowsNewKeywords: Bool)
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(Int)
    case appendUID(uidValidity: UInt32, UIDSet)
    case copyUID(uidValidity: UInt32, source: UIDSet, destination: UIDSet)
    case uidNotSticky
    case highestModSeq(UInt64)
    case noModSeq
    case modified(UIDSet)
    case closed
    case nonExistent
    case alreadyExists
    case authenticationFailed
    case authorizationFailed
    case cannot
    case inUse
    case limit
    case overQuota
    case privacyRequired
    case serverBug
    case tooBig
    case unavailable
    case contactAdmin
    case expired
    case expungeIssued
    /// RFC 8474: `MAILBOXID (id)` after SELECT, EXAMINE and CREATE.
    case mailboxID(String)
    case haschildren
    case noPerm
    case clientBug
    /// Any other code: atom and optional text (must not contain `]`).
    case other(String, String?)
}

/// The data-less response codes and their wire names, in one place for encoder and parser.
let simpleResponseCodes: [(ResponseCode, String)] = [
    (.alert, "ALERT"), (.parse, "PARSE"), (.readOnly, "READ-ONLY"), (.readWrite, "READ-WRITE"),
    (.tryCreate, "TRYCREATE"), (.uidNotSticky, "UIDNOTSTICKY"), (.noModSeq, "NOMODSEQ"), (.closed, "CLOSED"),
    (.nonExistent, "NONEXISTENT"), (.alreadyExists, "ALREADYEXISTS"), (.authenticationFailed, "AUTHENTICATIONFAILED"),
    (.authorizationFailed, "AUTHORIZATIONFAILED"), (.cannot, "CANNOT"), (.inUse, "INUSE"), (.limit, "LIMIT"),
    (.overQuota, "OVERQUOTA"), (.privacyRequired, "PRIVACYREQUIRED"), (.serverBug, "SERVERBUG"), (.tooBig, "TOOBIG"),
    (.unavailable, "UNAVAILABLE"), (.contactAdmin, "CONTACTADMIN"), (.expired, "EXPIRED"),
    (.expungeIssued, "EXPUNGEISSUED"), (.haschildren, "HASCHILDREN"), (.noPerm, "NOPERM"), (.clientBug, "CLIENTBUG"),
]

/// Untagged server data (RFC 9051 §7.2–§7.5 and extensions).
public enum UntaggedResponse: Hashable, Sendable {
    /// `* OK`, `* NO`, `* BAD`, `* PREAUTH`, `* BYE`.
    case status(StatusResponse)
    case capability([String])
    case enabled([String])
    case id([IDParameter]?)
    case list(ListResponse)
    case lsub(ListResponse)
    case namespace(Namespaces)
    /// `* STATUS mailbox (...)`.
    case mailboxStatus(MailboxName, [StatusValue])
    case flags([Flag])
    case exists(Int)
    case recent(Int)
    case expunge(Int)
    /// RFC 7162 §3.2.10; `earlier` is the `(EARLIER)` tag.
    case vanished(earlier: Bool, UIDSet)
    /// `* SEARCH 1 2 3 (MODSEQ 9)`.
    case search([UInt32], modSeq: UInt64?)
    case esearch(ESearchResponse)
    /// `* QUOTA "" (STORAGE 10 512)` and `* QUOTAROOT INBOX ""` (RFC 9208).
    case quota(root: String, [QuotaResource])
    case quotaRoot(MailboxName, roots: [String])
    /// `* SORT 3 1 2` (RFC 5256).
    case sort([UInt32])
    /// `* THREAD (1 2)(3 (4)(5))` (RFC 5256).
    case thread([ThreadNode])
    case fetch(Int, [FetchResponseAttribute])
}

/// A `* LIST` / `* LSUB` line (RFC 9051 §7.3.1, RFC 5258 extended data).
public struct ListResponse: Hashable, Sendable {
    /// Name attributes as sent, e.g. `\HasNoChildren`, `\Drafts`.
    public var attributes: [String]
    public var delimiter: UInt8?
    public var name: MailboxName
    /// `CHILDINFO ("SUBSCRIBED")` extended data.
    public var childInfo: [String]
    /// `OLDNAME (...)` extended data (RFC 9051 §7.3.1).
    public var oldName: MailboxName?

    public init(attributes: [String], delimiter: UInt8?, name: MailboxName, childInfo: [String] = [], oldName: MailboxName? = nil) {
        self.attributes = attributes; self.delimiter = delimiter; self.name = name
        self.childInfo = childInfo; self.oldName = oldName
    }
}

/// The NAMESPACE response (RFC 2342, RFC 9051 §7.3.2).
public struct Namespaces: Hashable, Sendable {
    public var personal: [NamespaceDescription]
    public var otherUsers: [NamespaceDescription]
    public var shared: [NamespaceDescription]
    public init(personal: [NamespaceDescription] = [], otherUsers: [NamespaceDescription] = [], shared: [NamespaceDescription] = []) {
        self.personal = personal; self.otherUsers = otherUsers; self.shared = shared
    }
}

/// One namespace: prefix and hierarchy delimiter.
public struct NamespaceDescription: Hashable, Sendable {
    public var prefix: [UInt8]
    public var delimiter: UInt8?
    public init(prefix: [UInt8], delimiter: UInt8?) { self.prefix = prefix; self.delimiter = delimiter }
}

/// A STATUS item with its value (RFC 9051 §7.3.4).
public enum StatusValue: Hashable, Sendable {
    case messages(Int)
    case recent(Int)
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(Int)
    case size(UInt64)
    case highestModSeq(UInt64)
    case deleted(Int)
    /// RFC 7889; nil is NIL (no limit).
    case appendLimit(UInt64?)
    /// RFC 8474.
    case mailboxID(String)
    /// RFC 9208, in units of 1024 octets.
    case deletedStorage(UInt64)

    public var attribute: StatusAttribute {
        switch self {
        case .messages: .messages
        case .recent: .recent
        case .uidNext: .uidNext
        case .uidValidity: .uidValidity
        case .unseen: .unseen
        case .size: .size
        case .highestModSeq: .highestModSeq
        case .deleted: .deleted
        case .appendLimit: .appendLimit
        case .mailboxID: .mailboxID
        case .deletedStorage: .deletedStorage
        }
    }
}

/// `* ESEARCH` (RFC 4731 §3.1, MODSEQ from RFC 7162 §3.1.5).
public struct ESearchResponse: Hashable, Sendable {
    /// The `(TAG "...")` correlator.
    public var tag: String?
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    public var count: Int?
    public var all: UIDSet?
    /// ESORT (RFC 5267 §3.2): ALL in sort order; written instead of `all`.
    public var sortedAll: [UInt32]?
    public var modSeq: UInt64?
    /// `PARTIAL (range set)`, the results at those positions, in result order (RFC 5267 §4.4).
    public var partial: PartialResult?
    /// ADDTO and REMOVEFROM, to be applied in this order (RFC 5267 §4.3.2).
    public var updates: [ContextUpdate]

    public init(tag: String? = nil, uid: Bool = false, min: UInt32? = nil, max: UInt32? = nil, count: Int? = nil, all: UIDSet? = nil,
                partial: PartialResult? = nil, updates: [ContextUpdate] = [], modSeq: UInt64? = nil) {
        self.tag = tag; self.uid = uid; self.min = min; self.max = max; self.count = count; self.all = all
        self.partial = partial; self.updates = updates; self.modSeq = modSeq
    }
}

/// `PARTIAL (range set)`: the range asked for and the results in it, in result order.
public struct PartialResult: Hashable, Sendable {
    public var range: PartialRange
    public var numbers: [UInt32]
    public init(range: PartialRange, numbers: [UInt32]) { self.range = range; self.numbers = numbers }
}

/// A change to an updating search's results (RFC 5267 §4.3.3–4.3.4): the numbers to insert
/// at, or remove from, a position of the results (0 for a SEARCH: wherever they are).
public enum ContextUpdate: Hashable, Sendable {
    case addTo(position: Int, [UInt32])
    case removeFrom(position: Int, [UInt32])
}

/// A FETCH response data item (RFC 9051 §7.5.2).
public enum FetchResponseAttribute: Hashable, Sendable {
    case uid(UInt32)
    case flags([Flag])
    case internalDate(InternalDate)
    case rfc822Size(Int)
    case envelope(Envelope)
    /// Encoded without extension data.
    case body(BodyStructure)
    case bodyStructure(BodyStructure)
    case bodySection(SectionSpec, origin: Int?, data: [UInt8]?)
    case binarySection(section: [Int], origin: Int?, data: [UInt8]?)
    case binarySize(section: [Int], size: Int)
    case modSeq(UInt64)
    /// RFC 8474: `EMAILID (id)`, `THREADID (id)` or `THREADID NIL`.
    case emailID(String)
    case threadID(String?)
    /// RFC 8514: `SAVEDATE "date-time"` or `SAVEDATE NIL`.
    case saveDate(InternalDate?)
    case rfc822([UInt8]?)
    case rfc822Header([UInt8]?)
    case rfc822Text([UInt8]?)
    /// An already encoded value written verbatim after `name SP` (e.g. a cached ENVELOPE). Encode-only.
    case preEncoded(name: String, bytes: [UInt8])
}

/// One message of a thread (RFC 5256 §4) and its replies; `number` is nil for a message
/// that is referenced but not in the mailbox, standing for its replies' common parent.
public struct ThreadNode: Hashable, Sendable {
    public var number: UInt32?
    public var children: [ThreadNode]

    public init(_ number: UInt32?, _ children: [ThreadNode] = []) {
        self.number = number; self.children = children
    }

    /// `(1 2 (3)(4))`: a chain of single replies, then the branches.
    // thread-list     = "(" (thread-members / thread-nested) ")"
    // thread-members  = nz-number *(SP nz-number) [SP thread-nested]
    // thread-nested   = 2*thread-list
    public var text: String {
        var out = "("
        var node = self
        var first = true
        while true {
            if let number = node.number {
                out += (first ? "" : " ") + String(number)
                first = false
            }
            if node.children.count == 1 {
                node = node.children[0]
                continue
            }
            if !node.children.isEmpty { out += (first ? "" : " ") + node.children.map(\.text).joined() }
            return out + ")"
        }
    }
}

/// One resource of a QUOTA response (RFC 9208 §5.1): its usage and limit.
public struct QuotaResource: Hashable, Sendable {
    public var name: String
    public var usage: UInt64
    public var limit: UInt64
    public init(_ name: String, usage: UInt64, limit: UInt64) { self.name = name; self.usage = usage; self.limit = limit }
}
