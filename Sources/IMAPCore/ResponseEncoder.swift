/// Encodes server responses to wire bytes (RFC 9051 §7), each ending with CRLF.
///
/// Strings are quoted when they are short 7-bit text, literals otherwise; data with NUL in
/// BINARY responses is a `literal8`. Mailbox names are written from their raw bytes as `astring`.
public struct ResponseEncoder {
    public static func encode(_ response: Response) -> [UInt8] {
        var buf = EncodeBuffer()
        buf.writeResponse(response)
        return buf.bytes
    }

    /// Encodes a list of responses back to back.
    public static func encode(_ responses: [Response]) -> [UInt8] {
        var buf = EncodeBuffer()
        for r in responses { buf.writeResponse(r) }
        return buf.bytes
    }

    /// One FETCH item as it appears inside `* n FETCH (…)`.
    public static func encodeFetchAttribute(_ attribute: FetchResponseAttribute) -> [UInt8] {
        var buf = EncodeBuffer()
        buf.writeFetchAttribute(attribute)
        return buf.bytes
    }

    /// The name of a body item up to its value, e.g. `BODY[1.TEXT]<0>` or `RFC822`, for a
    /// server that writes the value itself as a literal streamed in chunks. Nil for items
    /// that carry no message data.
    public static func encodeFetchAttributeName(_ attribute: FetchResponseAttribute) -> [UInt8]? {
        var buf = EncodeBuffer()
        guard buf.writeFetchAttributeName(attribute) else { return nil }
        return buf.bytes
    }

    /// The `envelope` value alone (cacheable; send with `.preEncoded(name: "ENVELOPE", bytes:)`).
    public static func encodeEnvelope(_ envelope: Envelope) -> [UInt8] {
        var buf = EncodeBuffer()
        buf.writeEnvelope(envelope)
        return buf.bytes
    }

    /// The `body` value alone: with extension data for BODYSTRUCTURE, without for BODY.
    public static func encodeBodyStructure(_ body: BodyStructure, extensible: Bool) -> [UInt8] {
        var buf = EncodeBuffer()
        buf.writeBody(body, extensible: extensible)
        return buf.bytes
    }
}

extension EncodeBuffer {
    // response        = *(continue-req / response-data) response-done
    mutating func writeResponse(_ r: Response) {
        switch r {
        case .tagged(let tag, let status):
            write(tag)
            sp()
            writeStatusResponse(status)
        case .untagged(let u):
            write("* ")
            writeUntagged(u)
        case .continuationRequest(let data):
            // continue-req = "+" SP (resp-text / base64) CRLF
            write("+ ")
            for b in data { bytes.append(b == 0x0D || b == 0x0A ? 0x20 : b) }
        }
        crlf()
    }

    // resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
    // resp-text       = ["[" resp-text-code "]" SP] [text]
    mutating func writeStatusResponse(_ s: StatusResponse) {
        write(s.status.rawValue)
        sp()
        if let code = s.code {
            write("[")
            writeResponseCode(code)
            write("]")
            if !s.text.isEmpty { sp() }
        }
        writeText(s.text)
    }

    // resp-text-code  = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] / capability-data / "PARSE" /
    //                   "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" / "READ-ONLY" / "READ-WRITE" /
    //                   "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number / "UNSEEN" SP nz-number /
    //                   resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" / ... / atom [SP 1*<any TEXT-CHAR except "]">]
    mutating func writeResponseCode(_ code: ResponseCode) {
        if let name = simpleResponseCodes.first(where: { $0.0 == code })?.1 { write(name); return }
        switch code {
        case .badCharset(let sets):
            write("BADCHARSET")
            if !sets.isEmpty {
                write(" (")
                for (i, s) in sets.enumerated() {
                    if i > 0 { sp() }
                    writeAString(Array(s.utf8))
                }
                write(")")
            }
        case .capability(let caps): write((["CAPABILITY"] + caps).joined(separator: " "))
        case .permanentFlags(let flags, let allowsNew):
            write("PERMANENTFLAGS (")
            write((flags.map(\.rawValue) + (allowsNew ? ["\\*"] : [])).joined(separator: " "))
            write(")")
        case .uidNext(let n): write("UIDNEXT \(n)")
        case .uidValidity(let n): write("UIDVALIDITY \(n)")
        case .unseen(let n): write("UNSEEN \(n)")
        case .appendUID(let v, let uids): write("APPENDUID \(v) \(uids)")
        case .copyUID(let v, let src, let dst): write("COPYUID \(v) \(src) \(dst)")
        case .highestModSeq(let n): write("HIGHESTMODSEQ \(n)")
        case .mailboxID(let id): write("MAILBOXID (\(id))")
        case .modified(let set): write("MODIFIED \(set)")
        case .other(let name, let text):
            write(name)
            if let text {
                sp()
                for b in text.utf8 { bytes.append(b == 0x0D || b == 0x0A || b == UInt8(ascii: "]") ? 0x20 : b) }
            }
        default: break
        }
    }

    // response-data   = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data / capability-data / enable-data) CRLF
    mutating func writeUntagged(_ u: UntaggedResponse) {
        switch u {
        case .status(let s): writeStatusResponse(s)
        case .capability(let caps): write((["CAPABILITY"] + caps).joined(separator: " "))
        case .enabled(let caps): write((["ENABLED"] + caps).joined(separator: " "))
        case .id(let params):
            write("ID ")
            writeIDParameters(params)
        case .list(let l):
            write("LIST ")
            writeListResponse(l)
        case .lsub(let l):
            write("LSUB ")
            writeListResponse(l)
        case .namespace(let ns):
            write("NAMESPACE ")
            writeNamespaceList(ns.personal); sp()
            writeNamespaceList(ns.otherUsers); sp()
            writeNamespaceList(ns.shared)
        case .mailboxStatus(let mailbox, let values):
            write("STATUS ")
            writeMailbox(mailbox)
            write(" (")
            write(values.map(statusValueText).joined(separator: " "))
            write(")")
        case .flags(let flags):
            write("FLAGS ")
            writeFlagList(flags)
        case .exists(let n): write("\(n) EXISTS")
        case .recent(let n): write("\(n) RECENT")
        case .expunge(let n): write("\(n) EXPUNGE")
        case .vanished(let earlier, let uids):
            write(earlier ? "VANISHED (EARLIER) " : "VANISHED ")
            writeUIDSet(uids)
        case .search(let numbers, let modSeq):
            write("SEARCH")
            for n in numbers { write(" \(n)") }
            if let modSeq { write(" (MODSEQ \(modSeq))") }
        case .esearch(let e): writeESearch(e)
        case .quota(let root, let resources):
            write("QUOTA "); writeAString(Array(root.utf8))
            write(" (" + resources.map { "\($0.name) \($0.usage) \($0.limit)" }.joined(separator: " ") + ")")
        case .quotaRoot(let mailbox, let roots):
            write("QUOTAROOT "); writeMailbox(mailbox)
            for root in roots { sp(); writeAString(Array(root.utf8)) }
        case .sort(let numbers): write((["SORT"] + numbers.map(String.init)).joined(separator: " "))
        case .thread(let threads): write("THREAD" + (threads.isEmpty ? "" : " " + threads.map(\.text).joined()))
        case .fetch(let n, let attributes):
            write("\(n) FETCH (")
            for (i, a) in attributes.enumerated() {
                if i > 0 { sp() }
                writeFetchAttribute(a)
            }
            write(")")
        }
    }

    // id-params-list  = "(" *(string SP nstring) ")" / nil
    mutating func writeIDParameters(_ params: [IDParameter]?) {
        guard let params else { write("NIL"); return }
        write("(")
        for (i, p) in params.enumerated() {
            if i > 0 { sp() }
            writeString(p.key)
            sp()
            writeNString(p.value)
        }
        write(")")
    }

    // mailbox-list    = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]
    // mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
    mutating func writeListResponse(_ l: ListResponse) {
        write("(" + l.attributes.joined(separator: " ") + ") ")
        if let d = l.delimiter { writeQuoted([d]) } else { write("NIL") }
        sp()
        writeMailbox(l.name)
        var items: [() -> [UInt8]] = []
        if !l.childInfo.isEmpty {
            items.append {
                var b = EncodeBuffer()
                b.write("CHILDINFO (")
                for (i, c) in l.childInfo.enumerated() {
                    if i > 0 { b.sp() }
                    b.writeQuoted(Array(c.utf8))
                }
                b.write(")")
                return b.bytes
            }
        }
        if let old = l.oldName {
            items.append {
                var b = EncodeBuffer()
                b.write("OLDNAME (")
                b.writeMailbox(old)
                b.write(")")
                return b.bytes
            }
        }
        if !items.isEmpty {
            write(" (")
            for (i, item) in items.enumerated() {
                if i > 0 { sp() }
                write(item())
            }
            write(")")
        }
    }

    // Namespace       = nil / "(" 1*Namespace-Descr ")"
    // Namespace-Descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) ")"
    mutating func writeNamespaceList(_ list: [NamespaceDescription]) {
        guard !list.isEmpty else { write("NIL"); return }
        write("(")
        for ns in list {
            write("(")
            writeString(ns.prefix)
            sp()
            if let d = ns.delimiter { writeQuoted([d]) } else { write("NIL") }
            write(")")
        }
        write(")")
    }

    func statusValueText(_ v: StatusValue) -> String {
        let name = v.attribute.rawValue
        switch v {
        case .messages(let n), .recent(let n), .unseen(let n), .deleted(let n): return "\(name) \(n)"
        case .uidNext(let n), .uidValidity(let n): return "\(name) \(n)"
        case .size(let n), .highestModSeq(let n): return "\(name) \(n)"
        case .appendLimit(let n): return "\(name) \(n.map(String.init) ?? "NIL")"
        case .mailboxID(let id): return "\(name) (\(id))"
        case .deletedStorage(let n): return "\(name) \(n)"
        }
    }

    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    // search-correlator = SP "(" "TAG" SP tag-string ")"
    /// Numbers in their own order, runs of consecutive ascending ones as ranges: `3,1:2,9`.
    static func orderedSequence(_ numbers: [UInt32]) -> String {
        var parts: [String] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count, numbers[end + 1] == numbers[end] + 1 { end += 1 }
            parts.append(end > index ? "\(numbers[index]):\(numbers[end])" : "\(numbers[index])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    mutating func writeESearch(_ e: ESearchResponse) {
        write("ESEARCH")
        if let tag = e.tag {
            write(" (TAG ")
            writeString(tag)
            write(")")
        }
        if e.uid { write(" UID") }
        if let v = e.min { write(" MIN \(v)") }
        if let v = e.max { write(" MAX \(v)") }
        if let v = e.all { write(" ALL \(v)") }
        if let v = e.sortedAll, !v.isEmpty { write(" ALL " + Self.orderedSequence(v)) }
        if let v = e.count { write(" COUNT \(v)") }
        if let v = e.partial { write(" PARTIAL (\(v.range) " + (v.numbers.isEmpty ? "NIL" : Self.orderedSequence(v.numbers)) + ")") }
        for update in e.updates {
            switch update {
            case .addTo(let position, let numbers): write(" ADDTO (\(position) " + Self.orderedSequence(numbers) + ")")
            case .removeFrom(let position, let numbers): write(" REMOVEFROM (\(position) " + Self.orderedSequence(numbers) + ")")
            }
        }
        if let v = e.modSeq { write(" MODSEQ \(v)") }
    }
}
