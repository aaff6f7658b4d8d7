/// Encodes client commands (RFC 9051 §6) for our IMAP client and for round-trip tests.
///
/// Strings that cannot be atoms or quoted are sent as non-synchronizing literals `{n+}` (RFC 7888),
/// so the encoded command is one buffer that needs no continuation round trips.
public enum CommandEncoder {
    public static func encode(_ command: TaggedCommand) -> [UInt8] {
        var buf = EncodeBuffer(clientLiterals: true)
        buf.write(command.tag)
        buf.sp()
        buf.writeCommand(command.command)
        buf.crlf()
        return buf.bytes
    }
}

extension EncodeBuffer {
    mutating func writeCommand(_ c: Command) {
        switch c {
        case .capability: write("CAPABILITY")
        case .noop: write("NOOP")
        case .logout: write("LOGOUT")
        case .starttls: write("STARTTLS")
        case .namespace: write("NAMESPACE")
        case .getQuota(let root): write("GETQUOTA "); writeAString(Array(root.utf8))
        case .getQuotaRoot(let m): write("GETQUOTAROOT "); writeMailbox(m)
        case .setQuota(let root, let limits):
            write("SETQUOTA "); writeAString(Array(root.utf8))
            write(" (" + limits.map { "\($0.resource) \($0.limit)" }.joined(separator: " ") + ")")
        case .idle: write("IDLE")
        case .check: write("CHECK")
        case .close: write("CLOSE")
        case .unselect: write("UNSELECT")
        case .expunge: write("EXPUNGE")
        case .id(let params):
            write("ID ")
            writeIDParameters(params)
        case .authenticate(let mechanism, let initial):
            write("AUTHENTICATE " + mechanism)
            if let initial {
                sp()
                if initial.isEmpty { write("=") } else { write(Base64.encode(initial)) }
            }
        case .login(let user, let password):
            write("LOGIN "); writeAString(user); sp(); writeAString(password)
        case .enable(let caps): write((["ENABLE"] + caps).joined(separator: " "))
        case .select(let m, let p): writeSelect("SELECT", m, p)
        case .examine(let m, let p): writeSelect("EXAMINE", m, p)
        case .create(let m, let uses):
            write("CREATE "); writeMailbox(m)
            if !uses.isEmpty { write(" (USE (" + uses.joined(separator: " ") + "))") }
        case .delete(let m): write("DELETE "); writeMailbox(m)
        case .subscribe(let m): write("SUBSCRIBE "); writeMailbox(m)
        case .unsubscribe(let m): write("UNSUBSCRIBE "); writeMailbox(m)
        case .rename(let from, let to): write("RENAME "); writeMailbox(from); sp(); writeMailbox(to)
        case .list(let l): writeList(l)
        case .lsub(let reference, let pattern):
            write("LSUB "); writeMailbox(reference); sp(); writeListMailbox(pattern)
        case .status(let m, let atts):
            write("STATUS "); writeMailbox(m)
            write(" (" + atts.map(\.rawValue).joined(separator: " ") + ")")
        case .append(let m, let msg):
            write("APPEND "); writeMailbox(m)
            writeAppendMessage(msg)
        case .multiAppend(let m, let messages):
            write("APPEND "); writeMailbox(m)
            for msg in messages { writeAppendMessage(msg) }
        case .uidExpunge(let set): write("UID EXPUNGE "); writeSequenceSet(set)
        case .cancelUpdate(let tags):
            write("CANCELUPDATE")
            for tag in tags { sp(); writeString(Array(tag.utf8)) }
        case .search(let s, let uid): writeSearch(s, uid: uid)
        case .sort(let s, let uid):
            write(uid ? "UID SORT " : "SORT ")
            if let r = s.returnOptions { write("RETURN " + Self.returnOptions(r, s.partial) + " ") }
            write("(")
            write(s.criteria.map { ($0.reverse ? "REVERSE " : "") + $0.key.rawValue }.joined(separator: " "))
            write(") " + s.charset + " ")
            writeSearchProgram(s.key)
        case .thread(let t, let uid):
            write((uid ? "UID THREAD " : "THREAD ") + t.algorithm.rawValue + " " + t.charset + " ")
            writeSearchProgram(t.key)
        case .fetch(let set, let atts, let mods, let uid):
            write(uid ? "UID FETCH " : "FETCH ")
            writeSequenceSet(set)
            write(" (")
            for (i, a) in atts.enumerated() {
                if i > 0 { sp() }
                writeFetchAttributeName(a)
            }
            write(")")
            var parts: [String] = []
            if let v = mods.changedSince { parts.append("CHANGEDSINCE \(v)") }
            if mods.vanished { parts.append("VANISHED") }
            if !parts.isEmpty { write(" (" + parts.joined(separator: " ") + ")") }
        case .store(let set, let mods, let action, let uid):
            write(uid ? "UID STORE " : "STORE ")
            writeSequenceSet(set)
            if let v = mods.unchangedSince { write(" (UNCHANGEDSINCE \(v))") }
            switch action.operation {
            case .add: write(" +FLAGS")
            case .remove: write(" -FLAGS")
            case .replace: write(" FLAGS")
            }
            if action.silent { write(".SILENT") }
            sp()
            writeFlagList(action.flags)
        case .copy(let set, let m, let uid):
            write(uid ? "UID COPY " : "COPY "); writeSequenceSet(set); sp(); writeMailbox(m)
        case .move(let set, let m, let uid):
            write(uid ? "UID MOVE " : "MOVE "); writeSequenceSet(set); sp(); writeMailbox(m)
        }
    }

    mutating func writeSelect(_ name: String, _ m: MailboxName, _ p: SelectParameters) {
        write(name + " ")
        writeMailbox(m)
        var params: [String] = []
        if p.condstore { params.append("CONDSTORE") }
        if let q = p.qresync {
            var b = EncodeBuffer()
            b.write("QRESYNC (\(q.uidValidity) \(q.modSeq)")
            if let known = q.knownUIDs { b.sp(); b.writeSequenceSet(known) }
            if let match = q.sequenceMatch {
                b.write(" (")
                b.writeSequenceSet(match.knownSequenceSet)
                b.sp()
                b.writeSequenceSet(match.knownUIDSet)
                b.write(")")
            }
            b.write(")")
            params.append(String(decoding: b.bytes, as: UTF8.self))
        }
        if !params.isEmpty { write(" (" + params.joined(separator: " ") + ")") }
    }

    mutating func writeList(_ l: ListCommand) {
        write("LIST ")
        if !l.selectionOptions.isEmpty { write("(" + l.selectionOptions.joined(separator: " ") + ") ") }
        writeMailbox(l.reference)
        sp()
        if l.parenthesisedPatterns {
            write("(")
            for (i, p) in l.patterns.enumerated() {
                if i > 0 { sp() }
                writeListMailbox(p)
            }
            write(")")
        } else if let p = l.patterns.first {
            writeListMailbox(p)
        }
        if !l.returnOptions.isEmpty {
            let opts = l.returnOptions.map { o -> String in
                switch o {
                case .subscribed: return "SUBSCRIBED"
                case .children: return "CHILDREN"
                case .specialUse: return "SPECIAL-USE"
                case .status(let atts): return "STATUS (" + atts.map(\.rawValue).joined(separator: " ") + ")"
                }
            }
            write(" RETURN (" + opts.joined(separator: " ") + ")")
        }
    }

    /// ` [flags] [date] literal` of one APPEND message.
    mutating func writeAppendMessage(_ msg: AppendMessage) {
        if !msg.flags.isEmpty { sp(); writeFlagList(msg.flags) }
        if let d = msg.date { sp(); writeDateTime(d) }
        sp()
        if let parts = msg.catenate {
            write("CATENATE (")
            for (i, part) in parts.enumerated() {
                if i > 0 { sp() }
                switch part {
                case .text(let bytes): write("TEXT "); writeLiteral(bytes, binary: bytes.contains(0))
                case .url(let url): write("URL "); writeAString(Array(url.utf8))
                }
            }
            write(")")
        } else if msg.utf8 {
            write("UTF8 (")
            writeLiteral(msg.data, binary: true)
            write(")")
        } else {
            writeLiteral(msg.data, binary: msg.binary)
        }
    }

    static func returnOptions(_ options: [SearchReturnOption], _ partial: PartialRange?) -> String {
        "(" + (options.map(\.rawValue) + (partial.map { ["PARTIAL \($0)"] } ?? [])).joined(separator: " ") + ")"
    }

    mutating func writeSearch(_ s: SearchCommand, uid: Bool) {
        write(uid ? "UID SEARCH" : "SEARCH")
        if let r = s.returnOptions { write(" RETURN " + Self.returnOptions(r, s.partial)) }
        if let c = s.charset { write(" CHARSET "); writeAString(Array(c.utf8)) }
        sp()
        writeSearchProgram(s.key)
    }

    /// The keys of a search program, the top-level AND as a list of keys.
    mutating func writeSearchProgram(_ key: SearchKey) {
        if case .and(let keys) = key, keys.count >= 2 {
            for (i, k) in keys.enumerated() {
                if i > 0 { sp() }
                writeSearchKey(k)
            }
        } else {
            writeSearchKey(key)
        }
    }

    mutating func writeSearchKey(_ k: SearchKey) {
        func str(_ name: String, _ b: [UInt8]) { write(name + " "); writeAString(b) }
        func date(_ name: String, _ d: SearchDate) { write(name + " " + d.imapString) }
        switch k {
        case .all: write("ALL")
        case .answered: write("ANSWERED")
        case .deleted: write("DELETED")
        case .draft: write("DRAFT")
        case .flagged: write("FLAGGED")
        case .new: write("NEW")
        case .old: write("OLD")
        case .recent: write("RECENT")
        case .seen: write("SEEN")
        case .unanswered: write("UNANSWERED")
        case .undeleted: write("UNDELETED")
        case .undraft: write("UNDRAFT")
        case .unflagged: write("UNFLAGGED")
        case .unseen: write("UNSEEN")
        case .bcc(let b): str("BCC", b)
        case .body(let b): str("BODY", b)
        case .cc(let b): str("CC", b)
        case .from(let b): str("FROM", b)
        case .subject(let b): str("SUBJECT", b)
        case .text(let b): str("TEXT", b)
        case .to(let b): str("TO", b)
        case .header(let f, let v): str("HEADER", f); sp(); writeAString(v)
        case .before(let d): date("BEFORE", d)
        case .on(let d): date("ON", d)
        case .since(let d): date("SINCE", d)
        case .sentBefore(let d): date("SENTBEFORE", d)
        case .sentOn(let d): date("SENTON", d)
        case .sentSince(let d): date("SENTSINCE", d)
        case .keyword(let f): write("KEYWORD " + f.rawValue)
        case .unkeyword(let f): write("UNKEYWORD " + f.rawValue)
        case .larger(let n): write("LARGER \(n)")
        case .smaller(let n): write("SMALLER \(n)")
        case .older(let n): write("OLDER \(n)")
        case .emailID(let id): write("EMAILID " + id)
        case .savedBefore(let d): date("SAVEDBEFORE", d)
        case .savedOn(let d): date("SAVEDON", d)
        case .savedSince(let d): date("SAVEDSINCE", d)
        case .saveDateSupported: write("SAVEDATESUPPORTED")
        case .threadID(let id): write("THREADID " + id)
        case .younger(let n): write("YOUNGER \(n)")
        case .uid(let s): write("UID "); writeSequenceSet(s)
        case .sequenceSet(let s): writeSequenceSet(s)
        case .not(let inner): write("NOT "); writeSearchKey(inner)
        case .or(let a, let b): write("OR "); writeSearchKey(a); sp(); writeSearchKey(b)
        case .and(let keys):
            if keys.isEmpty { write("ALL"); return }
            write("(")
            for (i, key) in keys.enumerated() {
                if i > 0 { sp() }
                writeSearchKey(key)
            }
            write(")")
        case .modSeq(let entry, let value):
            write("MODSEQ ")
            if let entry {
                writeQuoted(entry.name)
                write(" " + entry.type.rawValue + " ")
            }
            write("\(value)")
        }
    }

    mutating func writeFetchAttributeName(_ a: FetchAttribute) {
        switch a {
        case .envelope: write("ENVELOPE")
        case .flags: write("FLAGS")
        case .internalDate: write("INTERNALDATE")
        case .rfc822: write("RFC822")
        case .rfc822Header: write("RFC822.HEADER")
        case .rfc822Size: write("RFC822.SIZE")
        case .emailID: write("EMAILID")
        case .threadID: write("THREADID")
        case .saveDate: write("SAVEDATE")
        case .rfc822Text: write("RFC822.TEXT")
        case .body: write("BODY")
        case .bodyStructure: write("BODYSTRUCTURE")
        case .uid: write("UID")
        case .modSeq: write("MODSEQ")
        case .bodySection(let peek, let section, let partial):
            write(peek ? "BODY.PEEK" : "BODY")
            writeSection(section)
            writePartial(partial)
        case .binary(let peek, let section, let partial):
            write(peek ? "BINARY.PEEK" : "BINARY")
            writeSectionBinary(section)
            writePartial(partial)
        case .binarySize(let section):
            write("BINARY.SIZE")
            writeSectionBinary(section)
        }
    }
}
