/// Why a server response could not be parsed.
public struct ResponseParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Parses one complete server response (its line plus inline literals) (RFC 9051 §7, §9).
public enum ResponseParser {
    // response        = continue-req / response-data / response-tagged
    public static func parse(_ bytes: [UInt8]) throws(ResponseParseError) -> Response {
        var buf = ParseBuffer(bytes)
        do throws(GrammarError) {
            let response = try parseResponse(&buf)
            try buf.expectEnd("at the end of the response")
            return response
        } catch {
            throw ResponseParseError(message: error.message)
        }
    }

    static func parseResponse(_ buf: inout ParseBuffer) throws(GrammarError) -> Response {
        // continue-req    = "+" SP (resp-text / base64) CRLF
        if buf.tryConsume(UInt8(ascii: "+")) {
            _ = buf.tryConsume(0x20)
            return .continuationRequest(restOfLine(&buf))
        }
        // response-data   = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data / capability-data / enable-data) CRLF
        if buf.tryConsume(UInt8(ascii: "*")) {
            try buf.expectSP("after '*'")
            return .untagged(try parseUntagged(&buf))
        }
        // response-tagged = tag SP resp-cond-state CRLF
        let tag = try buf.tag()
        try buf.expectSP("after tag")
        let word = buf.keyword()
        guard let status = StatusResponse.Status(rawValue: word) else { throw GrammarError("unknown response status \(word)") }
        return .tagged(tag: tag, try parseStatusResponse(status, &buf))
    }

    static func restOfLine(_ buf: inout ParseBuffer) -> [UInt8] {
        let start = buf.index
        while let c = buf.peek(), c != 0x0D, c != 0x0A { buf.advance() }
        return Array(buf.bytes[start..<buf.index])
    }

    // resp-text       = ["[" resp-text-code "]" SP] [text]
    static func parseStatusResponse(_ status: StatusResponse.Status, _ buf: inout ParseBuffer) throws(GrammarError) -> StatusResponse {
        guard buf.tryConsume(0x20) else { return StatusResponse(status, "") }
        var code: ResponseCode?
        if buf.tryConsume(UInt8(ascii: "[")) {
            code = try parseResponseCode(&buf)
            try buf.expect(UInt8(ascii: "]"), "to end the response code")
            _ = buf.tryConsume(0x20)
        }
        return StatusResponse(status, code: code, String(decoding: restOfLine(&buf), as: UTF8.self))
    }

    // resp-text-code  = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] / capability-data / "PARSE" /
    //                   "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" / "READ-ONLY" / "READ-WRITE" /
    //                   "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number / "UNSEEN" SP nz-number /
    //                   resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" / "CLOSED" / "HIGHESTMODSEQ" SP mod-sequence-value /
    //                   "NOMODSEQ" / "MODIFIED" SP sequence-set / ... / atom [SP 1*<any TEXT-CHAR except "]">]
    static func parseResponseCode(_ buf: inout ParseBuffer) throws(GrammarError) -> ResponseCode {
        let nameBytes = try buf.atom("response code")
        let name = String(decoding: asciiUppercased(nameBytes), as: UTF8.self)
        if let simple = simpleResponseCodes.first(where: { $0.1 == name }) { return simple.0 }
        switch name {
        case "BADCHARSET":
            guard buf.tryConsume(0x20) else { return .badCharset([]) }
            return .badCharset(try buf.parenList("charset list") { (b: inout ParseBuffer) throws(GrammarError) in
                String(decoding: try b.astring("charset"), as: UTF8.self)
            })
        case "CAPABILITY": return .capability(try parseCapabilityList(&buf))
        case "PERMANENTFLAGS":
            try buf.expectSP("after PERMANENTFLAGS")
            var allowsNew = false
            var flags: [Flag] = []
            for flag in try buf.parenList("permanent flags", { (b: inout ParseBuffer) throws(GrammarError) -> Flag? in
                if b.peek() == UInt8(ascii: "\\"), b.peek(1) == UInt8(ascii: "*") { b.advance(2); return nil }
                return try b.flag()
            }) {
                if let flag { flags.append(flag) } else { allowsNew = true }
            }
            return .permanentFlags(flags, allowsNewKeywords: allowsNew)
        case "UIDNEXT":
            try buf.expectSP("after UIDNEXT")
            return .uidNext(try buf.number("UIDNEXT"))
        case "UIDVALIDITY":
            try buf.expectSP("after UIDVALIDITY")
            return .uidValidity(try buf.number("UIDVALIDITY"))
        case "UNSEEN":
            try buf.expectSP("after UNSEEN")
            return .unseen(try buf.int("UNSEEN"))
        case "APPENDUID":
            try buf.expectSP("after APPENDUID")
            let validity = try buf.number("UIDVALIDITY")
            try buf.expectSP("after APPENDUID validity")
            return .appendUID(uidValidity: validity, try buf.uidSet())
        case "COPYUID":
            try buf.expectSP("after COPYUID")
            let validity = try buf.number("UIDVALIDITY")
            try buf.expectSP("after COPYUID validity")
            let source = try buf.uidSet()
            try buf.expectSP("after COPYUID source set")
            return .copyUID(uidValidity: validity, source: source, destination: try buf.uidSet())
        case "HIGHESTMODSEQ":
            try buf.expectSP("after HIGHESTMODSEQ")
            return .highestModSeq(try buf.number64("HIGHESTMODSEQ"))
        case "MAILBOXID":
            try buf.expectSP("after MAILBOXID")
            return .mailboxID(try objectID(&buf, "MAILBOXID"))
        case "MODIFIED":
            try buf.expectSP("after MODIFIED")
            return .modified(try buf.uidSet())
        default:
            var text: String?
            if buf.tryConsume(0x20) {
                let start = buf.index
                while let c = buf.peek(), c != UInt8(ascii: "]"), c != 0x0D, c != 0x0A { buf.advance() }
                text = String(decoding: buf.bytes[start..<buf.index], as: UTF8.self)
            }
            return .other(String(decoding: nameBytes, as: UTF8.self), text)
        }
    }

    // capability-data = "CAPABILITY" *(SP capability)
    static func parseCapabilityList(_ buf: inout ParseBuffer) throws(GrammarError) -> [String] {
        var caps: [String] = []
        while buf.tryConsume(0x20) { caps.append(String(decoding: try buf.atom("capability"), as: UTF8.self)) }
        return caps
    }

    static func parseUntagged(_ buf: inout ParseBuffer) throws(GrammarError) -> UntaggedResponse {
        if let c = buf.peek(), isDigit(c) { return try parseUntagged_messageData(&buf) }
        let word = buf.keyword()
        if let status = StatusResponse.Status(rawValue: word) { return .status(try parseStatusResponse(status, &buf)) }
        switch word {
        case "CAPABILITY": return .capability(try parseCapabilityList(&buf))
        case "ENABLED": return .enabled(try parseCapabilityList(&buf))
        case "ID":
            try buf.expectSP("after ID")
            return .id(try CommandParser.parseIDParameters(&buf))
        case "LIST":
            try buf.expectSP("after LIST")
            return .list(try parseListResponse(&buf))
        case "LSUB":
            try buf.expectSP("after LSUB")
            return .lsub(try parseListResponse(&buf))
        case "NAMESPACE": return .namespace(try parseNamespaces(&buf))
        case "STATUS": return try parseUntagged_status(&buf)
        case "FLAGS":
            try buf.expectSP("after FLAGS")
            return .flags(try buf.flagList())
        case "SEARCH": return try parseUntagged_search(&buf)
        case "ESEARCH": return .esearch(try parseESearch(&buf))
        case "VANISHED":
            try buf.expectSP("after VANISHED")
            let earlier = buf.tryConsumeWord("(EARLIER)")
            if earlier { try buf.expectSP("after (EARLIER)") }
            return .vanished(earlier: earlier, try buf.uidSet())
        // quota-response = "QUOTA" SP quota-root-name SP quota-list                (RFC 9208 §5)
        // quota-list = "(" quota-resource *(SP quota-resource) ")" ; resource usage and limit
        case "QUOTA":
            try buf.expectSP("after QUOTA")
            let root = String(decoding: try buf.astring("quota root name"), as: UTF8.self)
            try buf.expectSP("after the quota root name")
            return .quota(root: root, try buf.parenList("quota list") { (b: inout ParseBuffer) throws(GrammarError) -> QuotaResource in
                let name = String(decoding: try b.atom("resource name"), as: UTF8.self)
                try b.expectSP("after the resource name")
                let usage = try b.number64("resource usage")
                try b.expectSP("after the resource usage")
                return QuotaResource(name, usage: usage, limit: try b.number64("resource limit"))
            })
        // quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
        case "QUOTAROOT":
            try buf.expectSP("after QUOTAROOT")
            let mailbox = try buf.mailbox()
            var roots: [String] = []
            while buf.tryConsume(0x20) { roots.append(String(decoding: try buf.astring("quota root name"), as: UTF8.self)) }
            return .quotaRoot(mailbox, roots: roots)
        case "": throw GrammarError("expected an untagged response, found \(buf.describeNext())")
        default: throw GrammarError("unknown untagged response \(word)")
        }
    }

    // message-data    = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
    // mailbox-data    =/ number SP "EXISTS" / number SP "RECENT"
    static func parseUntagged_messageData(_ buf: inout ParseBuffer) throws(GrammarError) -> UntaggedResponse {
        let n = try buf.int("message number")
        try buf.expectSP("after the number")
        let word = buf.keyword()
        switch word {
        case "EXISTS": return .exists(n)
        case "RECENT": return .recent(n)
        case "EXPUNGE": return .expunge(n)
        case "FETCH":
            try buf.expectSP("after FETCH")
            return .fetch(n, try buf.parenList("FETCH data", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in
                try parseFetchResponseAttribute(&b)
            })
        default: throw GrammarError("unknown message data \(word)")
        }
    }

    // mailbox-list    = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]
    // mbox-list-extended-item = "CHILDINFO" SP "(" list-select-base-opt-quoted *(SP ...) ")" / "OLDNAME" SP "(" mailbox ")"
    static func parseListResponse(_ buf: inout ParseBuffer) throws(GrammarError) -> ListResponse {
        let attributes = try buf.parenList("mailbox attributes") { (b: inout ParseBuffer) throws(GrammarError) in try b.flag().rawValue }
        try buf.expectSP("after mailbox attributes")
        let delimiter = try parseDelimiter(&buf)
        try buf.expectSP("after the hierarchy delimiter")
        var list = ListResponse(attributes: attributes, delimiter: delimiter, name: try buf.mailbox())
        if buf.tryConsume(0x20) {
            _ = try buf.parenList("extended LIST data") { (b: inout ParseBuffer) throws(GrammarError) in
                let name = String(decoding: asciiUppercased(try b.astring("extended data name")), as: UTF8.self)
                try b.expectSP("after \(name)")
                switch name {
                case "CHILDINFO":
                    list.childInfo = try b.parenList("CHILDINFO list") { (c: inout ParseBuffer) throws(GrammarError) in
                        String(decoding: try c.astring("CHILDINFO option"), as: UTF8.self)
                    }
                case "OLDNAME":
                    try b.expect(UInt8(ascii: "("), "after OLDNAME")
                    list.oldName = try b.mailbox()
                    try b.expect(UInt8(ascii: ")"), "to end OLDNAME")
                default: throw GrammarError("unknown extended LIST data \(name)")
                }
                return ()
            }
        }
        return list
    }

    static func parseDelimiter(_ buf: inout ParseBuffer) throws(GrammarError) -> UInt8? {
        if buf.tryNil() { return nil }
        let d = try buf.quoted("hierarchy delimiter")
        guard d.count == 1 else { throw GrammarError("hierarchy delimiter must be one character") }
        return d[0]
    }

    // namespace-response = "NAMESPACE" SP Namespace SP Namespace SP Namespace
    // Namespace       = nil / "(" 1*Namespace-Descr ")"
    static func parseNamespaces(_ buf: inout ParseBuffer) throws(GrammarError) -> Namespaces {
        func one(_ b: inout ParseBuffer) throws(GrammarError) -> [NamespaceDescription] {
            try b.expectSP("in NAMESPACE")
            if b.tryNil() { return [] }
            try b.expect(UInt8(ascii: "("), "to start a namespace list")
            var out: [NamespaceDescription] = []
            repeat {
                try b.expect(UInt8(ascii: "("), "to start a namespace")
                let prefix = try b.string("namespace prefix")
                try b.expectSP("after the namespace prefix")
                out.append(NamespaceDescription(prefix: prefix, delimiter: try parseDelimiter(&b)))
                try b.expect(UInt8(ascii: ")"), "to end a namespace")
                _ = b.tryConsume(0x20)
            } while b.peek() == UInt8(ascii: "(")
            try b.expect(UInt8(ascii: ")"), "to end a namespace list")
            return out
        }
        return Namespaces(personal: try one(&buf), otherUsers: try one(&buf), shared: try one(&buf))
    }

    // objectid        = 1*255(ALPHA / DIGIT / "_" / "-")  in parentheses   (RFC 8474)
    static func objectID(_ buf: inout ParseBuffer, _ what: String) throws(GrammarError) -> String {
        try buf.expect(UInt8(ascii: "("), "before the \(what) object id")
        let id = String(decoding: try buf.atom("\(what) object id"), as: UTF8.self)
        try buf.expect(UInt8(ascii: ")"), "after the \(what) object id")
        return id
    }

    // mailbox-data    =/ "STATUS" SP mailbox SP "(" [status-att-list] ")"
    // status-att-list = status-att-val *(SP status-att-val)
    static func parseUntagged_status(_ buf: inout ParseBuffer) throws(GrammarError) -> UntaggedResponse {
        try buf.expectSP("after STATUS")
        let mailbox = try buf.mailbox()
        try buf.expectSP("after the STATUS mailbox")
        let values = try buf.parenList("status values") { (b: inout ParseBuffer) throws(GrammarError) -> StatusValue in
            let word = b.keyword()
            guard let att = StatusAttribute(rawValue: word) else { throw GrammarError("unknown status item \(word)") }
            try b.expectSP("after \(word)")
            switch att {
            case .messages: return .messages(try b.int(word))
            case .recent: return .recent(try b.int(word))
            case .unseen: return .unseen(try b.int(word))
            case .deleted: return .deleted(try b.int(word))
            case .uidNext: return .uidNext(try b.number(word))
            case .uidValidity: return .uidValidity(try b.number(word))
            case .size: return .size(try b.number64(word))
            case .highestModSeq: return .highestModSeq(try b.number64(word))
            case .appendLimit: return .appendLimit(b.tryNil() ? nil : try b.number64(word))
            case .mailboxID: return .mailboxID(try Self.objectID(&b, word))
            case .deletedStorage: return .deletedStorage(try b.number64(word))
            }
        }
        return .mailboxStatus(mailbox, values)
    }

    // mailbox-data    =/ "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
    static func parseUntagged_search(_ buf: inout ParseBuffer) throws(GrammarError) -> UntaggedResponse {
        var numbers: [UInt32] = []
        var modSeq: UInt64?
        while buf.tryConsume(0x20) {
            if buf.tryConsume(UInt8(ascii: "(")) {
                guard buf.tryConsumeWord("MODSEQ ") else { throw GrammarError("expected MODSEQ in SEARCH response") }
                modSeq = try buf.number64("MODSEQ")
                try buf.expect(UInt8(ascii: ")"), "to end MODSEQ")
                break
            }
            numbers.append(try buf.nzNumber("search result"))
        }
        return .search(numbers, modSeq: modSeq)
    }

    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    // search-return-data = "MIN" SP nz-number / "MAX" SP nz-number / "ALL" SP sequence-set / "COUNT" SP number / "MODSEQ" SP mod-sequence-value
    static func parseESearch(_ buf: inout ParseBuffer) throws(GrammarError) -> ESearchResponse {
        var e = ESearchResponse()
        while buf.tryConsume(0x20) {
            if buf.tryConsume(UInt8(ascii: "(")) {
                guard buf.tryConsumeWord("TAG ") else { throw GrammarError("expected TAG in ESEARCH correlator") }
                e.tag = String(decoding: try buf.string("ESEARCH tag"), as: UTF8.self)
                try buf.expect(UInt8(ascii: ")"), "to end ESEARCH correlator")
                continue
            }
            let word = buf.keyword()
            if word == "UID" { e.uid = true; continue }
            try buf.expectSP("after \(word)")
            switch word {
            case "MIN": e.min = try buf.number("MIN")
            case "MAX": e.max = try buf.number("MAX")
            case "COUNT": e.count = try buf.int("COUNT")
            case "ALL": e.all = try buf.uidSet()
            case "MODSEQ": e.modSeq = try buf.number64("MODSEQ")
            // ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"   (RFC 5267 §5)
            case "PARTIAL":
                try buf.expect(UInt8(ascii: "("), "to start PARTIAL data")
                let first = try buf.nzNumber("PARTIAL range")
                try buf.expect(UInt8(ascii: ":"), "in the PARTIAL range")
                let range = PartialRange(first, try buf.nzNumber("PARTIAL range"))
                try buf.expectSP("after the PARTIAL range")
                let numbers = buf.tryConsumeWord("NIL") ? [] : try orderedNumbers(&buf)
                try buf.expect(UInt8(ascii: ")"), "to end PARTIAL data")
                e.partial = PartialResult(range: range, numbers: numbers)
            // ret-data-addto = "ADDTO" SP "(" context-position SP sequence-set *(SP context-position SP sequence-set) ")"
            case "ADDTO", "REMOVEFROM":
                try buf.expect(UInt8(ascii: "("), "to start \(word) data")
                repeat {
                    let position = try buf.int("context position")
                    try buf.expectSP("after the context position")
                    let numbers = try orderedNumbers(&buf)
                    e.updates.append(word == "ADDTO" ? .addTo(position: position, numbers) : .removeFrom(position: position, numbers))
                } while buf.tryConsume(0x20)
                try buf.expect(UInt8(ascii: ")"), "to end \(word) data")
            default: throw GrammarError("unknown ESEARCH return data \(word)")
            }
        }
        return e
    }

    /// A sequence set whose order matters (sorted results, RFC 5267 §3.2): each range
    /// expands ascending in place. At most a million numbers.
    static func orderedNumbers(_ buf: inout ParseBuffer) throws(GrammarError) -> [UInt32] {
        var numbers: [UInt32] = []
        repeat {
            let a = try buf.nzNumber("result number")
            let b = buf.tryConsume(UInt8(ascii: ":")) ? try buf.nzNumber("result number") : a
            guard numbers.count + Int(max(a, b) - min(a, b)) < 1_000_000 else { throw GrammarError("result set too large") }
            numbers += Array(min(a, b)...max(a, b))
        } while buf.tryConsume(UInt8(ascii: ","))
        return numbers
    }
}
