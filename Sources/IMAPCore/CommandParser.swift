/// Why a command was rejected; `tag` is nil when no valid tag could be read (answer with `* BAD`).
public struct CommandParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var tag: String?
    public var message: String
    public init(tag: String?, message: String) { self.tag = tag; self.message = message }
    public var description: String { "\(tag ?? "*") BAD \(message)" }
}

/// Parses one complete command frame (as produced by `CommandFramer`) into a `TaggedCommand` (RFC 9051 §6, §9).
public enum CommandParser {
    // command         = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    public static func parse(_ frame: [UInt8]) throws(CommandParseError) -> TaggedCommand {
        var buf = ParseBuffer(frame)
        var tag: String?
        do throws(GrammarError) {
            let t = try buf.tag()
            if let c = buf.peek(), c != 0x20, !buf.atLineEnd {
                throw GrammarError("invalid tag: \(buf.describeNext()) is not allowed in a tag")
            }
            tag = t
            guard buf.tryConsume(0x20) else { throw GrammarError("expected SP after tag") }
            let name = buf.keyword()
            let command = try parseCommand(name, &buf)
            try buf.expectEnd("after the arguments of \(name)")
            return TaggedCommand(tag: t, command: command)
        } catch {
            throw CommandParseError(tag: tag, message: error.message)
        }
    }

    static func parseCommand(_ name: String, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        switch name {
        case "": throw GrammarError(buf.atLineEnd ? "missing command after tag" : "invalid command name starting with \(buf.describeNext())")
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .starttls
        case "NAMESPACE": return .namespace
        // getquota = "GETQUOTA" SP quota-root-name ; getquotaroot = "GETQUOTAROOT" SP mailbox
        // setquota = "SETQUOTA" SP quota-root-name SP setquota-list           (RFC 9208)
        case "GETQUOTA":
            try buf.expectSP("after GETQUOTA")
            return .getQuota(String(decoding: try buf.astring("quota root name"), as: UTF8.self))
        case "GETQUOTAROOT": return .getQuotaRoot(try parseSingleMailbox(name, &buf))
        case "SETQUOTA":
            try buf.expectSP("after SETQUOTA")
            let root = String(decoding: try buf.astring("quota root name"), as: UTF8.self)
            try buf.expectSP("after the quota root name")
            let limits = try buf.parenList("SETQUOTA resources") { (b: inout ParseBuffer) throws(GrammarError) -> QuotaLimit in
                let resource = String(decoding: try b.atom("resource name"), as: UTF8.self).uppercased()
                try b.expectSP("after the resource name")
                return QuotaLimit(resource, try b.number64("resource limit"))
            }
            return .setQuota(root, limits)
        case "IDLE": return .idle
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "ID": return try parseID(&buf)
        case "AUTHENTICATE": return try parseAuthenticate(&buf)
        case "LOGIN": return try parseLogin(&buf)
        case "ENABLE": return try parseEnable(&buf)
        case "SELECT", "EXAMINE": return try parseSelect(name, &buf)
        case "CREATE": return try parseCreate(&buf)
        case "DELETE": return .delete(try parseSingleMailbox(name, &buf))
        case "SUBSCRIBE": return .subscribe(try parseSingleMailbox(name, &buf))
        case "UNSUBSCRIBE": return .unsubscribe(try parseSingleMailbox(name, &buf))
        case "RENAME": return try parseRename(&buf)
        case "LIST": return try parseList(&buf)
        case "LSUB": return try parseLsub(&buf)
        case "STATUS": return try parseStatus(&buf)
        case "APPEND": return try parseAppend(&buf)
        case "SEARCH": return try parseSearch(uid: false, &buf)
        case "SORT": return try parseSort(uid: false, &buf)
        case "THREAD": return try parseThread(uid: false, &buf)
        case "CANCELUPDATE": return try parseCancelUpdate(&buf)
        case "FETCH": return try parseFetch(uid: false, &buf)
        case "STORE": return try parseStore(uid: false, &buf)
        case "COPY", "MOVE": return try parseCopyOrMove(name, uid: false, &buf)
        case "UID": return try parseUID(&buf)
        default: throw GrammarError("unknown command \(name)")
        }
    }

    // uid             = "UID" SP (copy / move / fetch / search / store / uid-expunge / sort / thread)
    // uid-expunge     = "EXPUNGE" SP sequence-set
    static func parseUID(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after UID")
        let name = buf.keyword()
        switch name {
        case "FETCH": return try parseFetch(uid: true, &buf)
        case "SEARCH": return try parseSearch(uid: true, &buf)
        case "SORT": return try parseSort(uid: true, &buf)
        case "THREAD": return try parseThread(uid: true, &buf)
        case "STORE": return try parseStore(uid: true, &buf)
        case "COPY", "MOVE": return try parseCopyOrMove(name, uid: true, &buf)
        case "EXPUNGE":
            try buf.expectSP("after UID EXPUNGE")
            return .uidExpunge(try buf.sequenceSet())
        case "": throw GrammarError("expected a command after UID, found \(buf.describeNext())")
        default: throw GrammarError("unknown UID command \(name)")
        }
    }

    // id              = "ID" SP id-params-list
    // id-params-list  = "(" *(string SP nstring) ")" / nil
    static func parseID(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after ID")
        return .id(try parseIDParameters(&buf))
    }

    static func parseIDParameters(_ buf: inout ParseBuffer) throws(GrammarError) -> [IDParameter]? {
        if buf.tryNil() { return nil }
        try buf.expect(UInt8(ascii: "("), "to start ID parameter list")
        var params: [IDParameter] = []
        if buf.tryConsume(UInt8(ascii: ")")) { return params }
        repeat {
            let key = try buf.string("ID field name")
            try buf.expectSP("after ID field name")
            let value = try buf.nstring("ID field value")
            params.append(IDParameter(key: String(decoding: key, as: UTF8.self), value: value))
        } while buf.tryConsume(0x20)
        try buf.expect(UInt8(ascii: ")"), "to end ID parameter list")
        return params
    }

    // authenticate    = "AUTHENTICATE" SP auth-type [SP initial-resp]
    // initial-resp    = (base64 / "=")
    static func parseAuthenticate(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after AUTHENTICATE")
        let mechanism = try buf.atom("SASL mechanism name")
        var initial: [UInt8]?
        if buf.tryConsume(0x20) {
            if buf.tryConsume(UInt8(ascii: "=")) {
                initial = []
            } else {
                let start = buf.index
                while let c = buf.peek(), Base64.value(c) != nil || c == UInt8(ascii: "=") { buf.advance() }
                let text = Array(buf.bytes[start..<buf.index])
                guard !text.isEmpty, let decoded = Base64.decode(text) else {
                    throw GrammarError("invalid base64 in AUTHENTICATE initial response")
                }
                initial = decoded
            }
        }
        return .authenticate(mechanism: String(decoding: asciiUppercased(mechanism), as: UTF8.self), initialResponse: initial)
    }

    // login           = "LOGIN" SP userid SP password
    static func parseLogin(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after LOGIN")
        let user = try buf.astring("user name")
        try buf.expectSP("after LOGIN user name")
        let password = try buf.astring("password")
        return .login(username: user, password: password)
    }

    // enable          = "ENABLE" 1*(SP capability)
    static func parseEnable(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        var caps: [String] = []
        repeat {
            try buf.expectSP("after ENABLE")
            caps.append(String(decoding: asciiUppercased(try buf.atom("capability name")), as: UTF8.self))
        } while buf.peek() == 0x20
        return .enable(caps)
    }

    // copy            = "COPY" SP sequence-set SP mailbox
    // move            = "MOVE" SP sequence-set SP mailbox
    static func parseCopyOrMove(_ name: String, uid: Bool, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after \(name)")
        let set = try buf.sequenceSet()
        try buf.expectSP("after the sequence set of \(name)")
        let mailbox = try buf.mailbox()
        return name == "COPY" ? .copy(set, mailbox, uid: uid) : .move(set, mailbox, uid: uid)
    }
}
