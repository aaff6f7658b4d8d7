/// A client command with its tag (RFC 9051 §2.2.1, `command`).
public struct TaggedCommand: Hashable, Sendable {
    public var tag: String
    public var command: Command
    public init(tag: String, command: Command) { self.tag = tag; self.command = command }
}

/// Every client command crmgate understands (RFC 9051 §6 plus the extensions it advertises).
///
/// Keyword-like arguments (authentication mechanism, ENABLE capabilities, LIST selection
/// options) are uppercased by the parser; mailbox names and strings are kept as sent.
public enum Command: Hashable, Sendable {
    case capability
    case noop
    case logout
    /// RFC 2971; nil is `ID NIL`.
    case id([IDParameter]?)
    case starttls
    /// `initialResponse` is the SASL-IR (RFC 4959) data, base64-decoded; `=` gives `[]`.
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    case login(username: [UInt8], password: [UInt8])
    /// RFC 5161; capability names uppercased.
    case enable([String])
    case select(MailboxName, SelectParameters)
    case examine(MailboxName, SelectParameters)
    /// `specialUse` from RFC 6154 `CREATE name (USE (\Drafts))`, kept as sent.
    case create(MailboxName, specialUse: [String])
    case delete(MailboxName)
    case rename(from: MailboxName, to: MailboxName)
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    case list(ListCommand)
    case lsub(reference: MailboxName, pattern: [UInt8])
    case namespace
    /// MULTIAPPEND (RFC 3502): more than one message for one mailbox, all or none.
    case multiAppend(MailboxName, [AppendMessage])
    /// RFC 9208 QUOTA: GETQUOTA quota-root, GETQUOTAROOT mailbox, SETQUOTA quota-root (resources).
    case getQuota(String)
    case getQuotaRoot(MailboxName)
    case setQuota(String, [QuotaLimit])
    case status(MailboxName, [StatusAttribute])
    case append(MailboxName, AppendMessage)
    case idle
    case check
    case close
    case unselect
    case expunge
    /// `UID EXPUNGE` (RFC 4315 / RFC 9051).
    case uidExpunge(SequenceSet)
    case search(SearchCommand, uid: Bool)
    case sort(SortCommand, uid: Bool)
    case thread(ThreadCommand, uid: Bool)
    /// `CANCELUPDATE "tag" ...` (RFC 5267 §4.3.5): the tags of searches to stop updating.
    case cancelUpdate([String])
    case fetch(SequenceSet, [FetchAttribute], FetchModifiers, uid: Bool)
    case store(SequenceSet, StoreModifiers, StoreAction, uid: Bool)
    case copy(SequenceSet, MailboxName, uid: Bool)
    case move(SequenceSet, MailboxName, uid: Bool)
}

/// One `ID` field/value pair (RFC 2971 §3.3). Keys are case-insensitive; the value may be NIL.
public struct IDParameter: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?
    public init(key: String, value: [UInt8]?) { self.key = key; self.value = value }
}

/// SELECT/EXAMINE parameters: CONDSTORE and QRESYNC (RFC 7162 §3.1.8, §3.2.5).
public struct SelectParameters: Hashable, Sendable {
    public var condstore: Bool
    public var qresync: QResyncParameters?
    public init(condstore: Bool = false, qresync: QResyncParameters? = nil) {
        self.condstore = condstore; self.qresync = qresync
    }
}

/// `QRESYNC (uidvalidity modseq [known-uids] [(seq-set uid-set)])` (RFC 7162 §3.2.5).
public struct QResyncParameters: Hashable, Sendable {
    public var uidValidity: UInt32
    public var modSeq: UInt64
    public var knownUIDs: SequenceSet?
    public var sequenceMatch: SequenceMatch?

    /// `seq-match-data`: message numbers and the UIDs the client believes they have.
    public struct SequenceMatch: Hashable, Sendable {
        public var knownSequenceSet: SequenceSet
        public var knownUIDSet: SequenceSet
        public init(knownSequenceSet: SequenceSet, knownUIDSet: SequenceSet) {
            self.knownSequenceSet = knownSequenceSet; self.knownUIDSet = knownUIDSet
        }
    }

    public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil, sequenceMatch: SequenceMatch? = nil) {
        self.uidValidity = uidValidity; self.modSeq = modSeq; self.knownUIDs = knownUIDs; self.sequenceMatch = sequenceMatch
    }
}

/// LIST with the LIST-EXTENDED grammar (RFC 5258) and LIST-STATUS (RFC 5819).
public struct ListCommand: Hashable, Sendable {
    /// Uppercased: SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE.
    public var selectionOptions: [String]
    public var reference: MailboxName
    /// `list-mailbox` patterns, raw bytes, may contain `%` and `*`.
    public var patterns: [[UInt8]]
    public var returnOptions: [ListReturnOption]
    /// True when the patterns were sent as a parenthesised list (kept for faithful re-encoding).
    public var parenthesisedPatterns: Bool

    public init(selectionOptions: [String] = [], reference: MailboxName, patterns: [[UInt8]], returnOptions: [ListReturnOption] = [], parenthesisedPatterns: Bool = false) {
        self.selectionOptions = selectionOptions; self.reference = reference; self.patterns = patterns
        self.returnOptions = returnOptions; self.parenthesisedPatterns = parenthesisedPatterns || patterns.count != 1
    }
}

/// A LIST `RETURN` option (RFC 5258 §3, RFC 6154, RFC 5819).
public enum ListReturnOption: Hashable, Sendable {
    case subscribed
    case children
    case specialUse
    case status([StatusAttribute])
}

/// A STATUS data item name (RFC 9051 §6.3.11, RFC 7162, RFC 7889).
public enum StatusAttribute: String, Hashable, Sendable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case size = "SIZE"
    case highestModSeq = "HIGHESTMODSEQ"
    case mailboxID = "MAILBOXID"
    /// RFC 9208: the size of the \\Deleted messages, in units of 1024 octets.
    case deletedStorage = "DELETED-STORAGE"
    case deleted = "DELETED"
    case appendLimit = "APPENDLIMIT"
}

/// The message of an APPEND (RFC 9051 §6.3.12; `literal8` from RFC 3516; `UTF8 (~{n})` from RFC 6855).
public struct AppendMessage: Hashable, Sendable {
    public var flags: [Flag]
    public var date: InternalDate?
    public var data: [UInt8]
    /// Sent as `literal8` (`~{n}`): the data may contain NUL and 8-bit content.
    public var binary: Bool
    /// Sent in the `UTF8 (~{n})` form of RFC 6855 (implies `binary`).
    public var utf8: Bool
    /// CATENATE (RFC 4469): the message is these parts joined, `data` is empty.
    public var catenate: [CatenatePart]?

    public init(flags: [Flag] = [], date: InternalDate? = nil, data: [UInt8], binary: Bool = false, utf8: Bool = false,
                catenate: [CatenatePart]? = nil) {
        self.flags = flags; self.date = date; self.data = data; self.binary = binary || utf8; self.utf8 = utf8
        self.catenate = catenate
    }
}

/// A part of a CATENATE message (RFC 4469 §5): literal text, or an IMAP URL (RFC 5092) to
/// a message or a section of one the user can read.
public enum CatenatePart: Hashable, Sendable {
    case text([UInt8])
    case url(String)
}

extension SectionSpec {
    /// A section as the text between FETCH's brackets (`1.2`, `HEADER`, `2.MIME`), e.g. from an IMAP URL.
    public init?(text: String) {
        var buffer = ParseBuffer(Array("[\(text)]".utf8))
        guard let parsed = try? buffer.section(), buffer.atLineEnd else { return nil }
        self = parsed
    }
}

extension Command {
    /// The command's keyword, without its arguments (which may be large or secret).
    public var name: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .id: "ID"
        case .starttls: "STARTTLS"
        case .authenticate: "AUTHENTICATE"
        case .login: "LOGIN"
        case .enable: "ENABLE"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .rename: "RENAME"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .list: "LIST"
        case .lsub: "LSUB"
        case .namespace: "NAMESPACE"
        case .getQuota: "GETQUOTA"
        case .getQuotaRoot: "GETQUOTAROOT"
        case .setQuota: "SETQUOTA"
        case .status: "STATUS"
        case .append, .multiAppend: "APPEND"
        case .idle: "IDLE"
        case .check: "CHECK"
        case .close: "CLOSE"
        case .unselect: "UNSELECT"
        case .expunge, .uidExpunge: "EXPUNGE"
        case .search: "SEARCH"
        case .sort: "SORT"
        case .thread: "THREAD"
        case .cancelUpdate: "CANCELUPDATE"
        case .fetch: "FETCH"
        case .store: "STORE"
        case .copy: "COPY"
        case .move: "MOVE"
        }
    }

}

/// SORT (RFC 5256 §3, with DISPLAYFROM and DISPLAYTO from RFC 5957).
public struct SortCommand: Hashable, Sendable {
    public var criteria: [SortCriterion]
    public var charset: String
    public var key: SearchKey
    /// ESORT (RFC 5267): `RETURN (MIN MAX COUNT ALL)` asks for an ESEARCH answer; with
    /// CONTEXT=SORT also CONTEXT, UPDATE and PARTIAL.
    public var returnOptions: [SearchReturnOption]?
    public var partial: PartialRange?

    public init(criteria: [SortCriterion], charset: String, key: SearchKey, returnOptions: [SearchReturnOption]? = nil, partial: PartialRange? = nil) {
        self.criteria = criteria; self.charset = charset; self.key = key; self.returnOptions = returnOptions; self.partial = partial
    }
}

public struct SortCriterion: Hashable, Sendable {
    public var reverse: Bool
    public var key: SortKey

    public init(reverse: Bool = false, _ key: SortKey) {
        self.reverse = reverse; self.key = key
    }
}

public enum SortKey: String, Hashable, Sendable, CaseIterable {
    case arrival = "ARRIVAL", cc = "CC", date = "DATE", from = "FROM", size = "SIZE", subject = "SUBJECT", to = "TO"
    case displayFrom = "DISPLAYFROM", displayTo = "DISPLAYTO"
}

/// THREAD (RFC 5256 §3).
public struct ThreadCommand: Hashable, Sendable {
    public var algorithm: ThreadAlgorithm
    public var charset: String
    public var key: SearchKey

    public init(algorithm: ThreadAlgorithm, charset: String, key: SearchKey) {
        self.algorithm = algorithm; self.charset = charset; self.key = key
    }
}

public enum ThreadAlgorithm: String, Hashable, Sendable, CaseIterable {
    case orderedSubject = "ORDEREDSUBJECT", references = "REFERENCES"
}

/// A resource limit of SETQUOTA (RFC 9208 §4.1.3).
public struct QuotaLimit: Hashable, Sendable {
    public var resource: String
    public var limit: UInt64
    public init(_ resource: String, _ limit: UInt64) { self.resource = resource; self.limit = limit }
}
