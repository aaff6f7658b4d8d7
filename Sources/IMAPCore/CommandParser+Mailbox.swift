extension CommandParser {
    // delete          = "DELETE" SP mailbox
    // subscribe       = "SUBSCRIBE" SP mailbox
    // unsubscribe     = "UNSUBSCRIBE" SP mailbox
    static func parseSingleMailbox(_ name: String, _ buf: inout ParseBuffer) throws(GrammarError) -> MailboxName {
        guard buf.tryConsume(0x20) else { throw GrammarError("\(name) needs a mailbox name") }
        return try buf.mailbox()
    }

    // rename          = "RENAME" SP mailbox SP mailbox
    static func parseRename(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        let from = try parseSingleMailbox("RENAME", &buf)
        guard buf.tryConsume(0x20) else { throw GrammarError("RENAME needs a new mailbox name") }
        return .rename(from: from, to: try buf.mailbox())
    }

    // select          = "SELECT" SP mailbox [select-params]
    // examine         = "EXAMINE" SP mailbox [select-params]
    // select-params   = SP "(" select-param *(SP select-param) ")"
    // select-param    = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    static func parseSelect(_ name: String, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        let mailbox = try parseSingleMailbox(name, &buf)
        var params = SelectParameters()
        if buf.tryConsume(0x20) {
            try buf.expect(UInt8(ascii: "("), "to start \(name) parameters")
            repeat {
                let param = buf.keyword()
                switch param {
                case "CONDSTORE": params.condstore = true
                case "QRESYNC":
                    try buf.expectSP("after QRESYNC")
                    params.qresync = try parseQResync(&buf)
                case "": throw GrammarError("expected a \(name) parameter, found \(buf.describeNext())")
                default: throw GrammarError("unknown \(name) parameter \(param)")
                }
            } while buf.tryConsume(0x20)
            try buf.expect(UInt8(ascii: ")"), "to end \(name) parameters")
        }
        return name == "SELECT" ? .select(mailbox, params) : .examine(mailbox, params)
    }

    // qresync-params  = "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    // seq-match-data  = "(" known-sequence-set SP known-uid-set ")"
    static func parseQResync(_ buf: inout ParseBuffer) throws(GrammarError) -> QResyncParameters {
        try buf.expect(UInt8(ascii: "("), "to start QRESYNC parameters")
        let validity = try buf.nzNumber("QRESYNC UIDVALIDITY")
        try buf.expectSP("after QRESYNC UIDVALIDITY")
        var q = QResyncParameters(uidValidity: validity, modSeq: try buf.number64("QRESYNC mod-sequence"))
        if buf.tryConsume(0x20) {
            if buf.peek() != UInt8(ascii: "(") {
                q.knownUIDs = try buf.sequenceSet()
                if buf.tryConsume(0x20) { q.sequenceMatch = try parseSequenceMatch(&buf) }
            } else {
                q.sequenceMatch = try parseSequenceMatch(&buf)
            }
        }
        try buf.expect(UInt8(ascii: ")"), "to end QRESYNC parameters")
        return q
    }

    static func parseSequenceMatch(_ buf: inout ParseBuffer) throws(GrammarError) -> QResyncParameters.SequenceMatch {
        try buf.expect(UInt8(ascii: "("), "to start QRESYNC sequence match data")
        let seqs = try buf.sequenceSet()
        try buf.expectSP("in QRESYNC sequence match data")
        let uids = try buf.sequenceSet()
        try buf.expect(UInt8(ascii: ")"), "to end QRESYNC sequence match data")
        return .init(knownSequenceSet: seqs, knownUIDSet: uids)
    }

    // create          = "CREATE" SP mailbox [create-params]
    // create-params   = SP "(" create-param *(SP create-param) ")"
    // create-param    = "USE" SP "(" use-attr *(SP use-attr) ")"      ; RFC 6154
    static func parseCreate(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        let mailbox = try parseSingleMailbox("CREATE", &buf)
        var uses: [String] = []
        if buf.tryConsume(0x20) {
            try buf.expect(UInt8(ascii: "("), "to start CREATE parameters")
            repeat {
                let param = buf.keyword()
                guard param == "USE" else {
                    throw GrammarError(param.isEmpty ? "expected a CREATE parameter, found \(buf.describeNext())" : "unknown CREATE parameter \(param)")
                }
                try buf.expectSP("after USE")
                uses += try buf.parenList("USE attribute list", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in
                    guard b.peek() == UInt8(ascii: "\\") else { throw GrammarError("special-use attribute must start with '\\', found \(b.describeNext())") }
                    return try b.flag().rawValue
                }
            } while buf.tryConsume(0x20)
            try buf.expect(UInt8(ascii: ")"), "to end CREATE parameters")
        }
        return .create(mailbox, specialUse: uses)
    }

    // list            = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    // list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
    // mbox-or-pat     = list-mailbox / patterns
    // patterns        = "(" list-mailbox *(SP list-mailbox) ")"
    // list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
    static func parseList(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after LIST")
        var selection: [String] = []
        if buf.peek() == UInt8(ascii: "(") {
            selection = try buf.parenList("LIST selection options") { (b: inout ParseBuffer) throws(GrammarError) in
                let word = b.keyword()
                guard !word.isEmpty else { throw GrammarError("expected a LIST selection option, found \(b.describeNext())") }
                return word
            }
            // RFC 5258 §3: an option the server does not know, or RECURSIVEMATCH alone (or with
            // only REMOTE), is a BAD.
            let known = ["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"]
            if let unknown = selection.first(where: { !known.contains($0) }) {
                throw GrammarError("unknown LIST selection option \(unknown); known are \(known.joined(separator: ", "))")
            }
            if selection.contains("RECURSIVEMATCH"), selection.allSatisfy({ $0 == "RECURSIVEMATCH" || $0 == "REMOTE" }) {
                throw GrammarError("LIST selection option RECURSIVEMATCH needs another selection option than REMOTE")
            }
            try buf.expectSP("after LIST selection options")
        }
        guard !buf.atLineEnd else { throw GrammarError("LIST needs a reference name and a mailbox pattern") }
        let reference = try buf.mailbox()
        guard buf.tryConsume(0x20) else { throw GrammarError("LIST needs a mailbox pattern after the reference name") }
        var patterns: [[UInt8]]
        let parenthesised = buf.peek() == UInt8(ascii: "(")
        if parenthesised {
            patterns = try buf.parenList("LIST pattern list", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in try parseListMailbox(&b) }
        } else {
            patterns = [try parseListMailbox(&buf)]
        }
        var returns: [ListReturnOption] = []
        if buf.tryConsume(0x20) {
            guard buf.tryConsumeWord("RETURN") else { throw GrammarError("expected RETURN after LIST patterns, found \(buf.describeNext())") }
            try buf.expectSP("after RETURN")
            returns = try buf.parenList("LIST return options") { (b: inout ParseBuffer) throws(GrammarError) in try parseListReturnOption(&b) }
        }
        return .list(ListCommand(selectionOptions: selection, reference: reference, patterns: patterns, returnOptions: returns, parenthesisedPatterns: parenthesised))
    }

    // list-mailbox    = 1*list-char / string
    static func parseListMailbox(_ buf: inout ParseBuffer) throws(GrammarError) -> [UInt8] {
        if buf.peek() == UInt8(ascii: "\"") || buf.peek() == UInt8(ascii: "{") { return try buf.string("mailbox pattern") }
        let start = buf.index
        while let c = buf.peek(), isListChar(c) { buf.advance() }
        guard buf.index > start else { throw GrammarError("expected a mailbox pattern, found \(buf.describeNext())") }
        return Array(buf.bytes[start..<buf.index])
    }

    // return-option   = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" / "STATUS" SP "(" status-att *(SP status-att) ")"
    static func parseListReturnOption(_ buf: inout ParseBuffer) throws(GrammarError) -> ListReturnOption {
        let word = buf.keyword()
        switch word {
        case "SUBSCRIBED": return .subscribed
        case "CHILDREN": return .children
        case "SPECIAL-USE": return .specialUse
        case "STATUS":
            try buf.expectSP("after STATUS")
            return .status(try parseStatusAttributes(&buf))
        case "": throw GrammarError("expected a LIST return option, found \(buf.describeNext())")
        default: throw GrammarError("unknown LIST return option \(word)")
        }
    }

    // lsub            = "LSUB" SP mailbox SP list-mailbox
    static func parseLsub(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        let reference = try parseSingleMailbox("LSUB", &buf)
        guard buf.tryConsume(0x20) else { throw GrammarError("LSUB needs a mailbox pattern after the reference name") }
        return .lsub(reference: reference, pattern: try parseListMailbox(&buf))
    }

    // status          = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
    static func parseStatus(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        let mailbox = try parseSingleMailbox("STATUS", &buf)
        guard buf.tryConsume(0x20) else { throw GrammarError("STATUS needs a list of status items") }
        return .status(mailbox, try parseStatusAttributes(&buf))
    }

    // status-att      = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE" / "RECENT" / "HIGHESTMODSEQ" / "APPENDLIMIT"
    static func parseStatusAttributes(_ buf: inout ParseBuffer) throws(GrammarError) -> [StatusAttribute] {
        try buf.parenList("status item list", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in
            let word = b.keyword()
            guard let att = StatusAttribute(rawValue: word) else {
                throw GrammarError(word.isEmpty ? "expected a status item, found \(b.describeNext())" : "unknown status item \(word)")
            }
            return att
        }
    }

    // append          = "APPEND" SP mailbox 1*append-message          ; MULTIAPPEND, RFC 3502
    // append-message  = [SP flag-list] [SP date-time] SP append-data
    // append-data     = literal / literal8 / "UTF8" SP "(" literal8 ")"
    static func parseAppend(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        let mailbox = try parseSingleMailbox("APPEND", &buf)
        var messages: [AppendMessage] = []
        repeat {
            try buf.expectSP(messages.isEmpty ? "after the APPEND mailbox name" : "between APPEND messages")
            // imapclient (3.0.1) writes two spaces between MULTIAPPEND messages: taken as one.
            if !messages.isEmpty { while buf.tryConsume(0x20) {} }
            messages.append(try parseAppendMessage(&buf))
        } while !buf.atLineEnd
        return messages.count == 1 ? .append(mailbox, messages[0]) : .multiAppend(mailbox, messages)
    }

    static func parseAppendMessage(_ buf: inout ParseBuffer) throws(GrammarError) -> AppendMessage {
        var flags: [Flag] = []
        var date: InternalDate?
        if buf.peek() == UInt8(ascii: "(") {
            flags = try buf.flagList()
            try buf.expectSP("after APPEND flags")
        }
        if buf.peek() == UInt8(ascii: "\"") {
            date = try buf.dateTime()
            try buf.expectSP("after APPEND date")
        }
        // append-data =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"     (RFC 4469)
        // cat-part    = "TEXT" SP literal / "URL" SP astring
        if buf.tryConsumeWord("CATENATE") {
            try buf.expectSP("after CATENATE")
            let parts = try buf.parenList("CATENATE parts", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) -> CatenatePart in
                let word = b.keyword()
                try b.expectSP("after \(word)")
                switch word {
                case "TEXT": return .text(try b.literal("CATENATE text", allowBinary: true).data)
                case "URL": return .url(String(decoding: try b.astring("CATENATE URL"), as: UTF8.self))
                default: throw GrammarError("a CATENATE part is TEXT or URL, found \(word.isEmpty ? b.describeNext() : word)")
                }
            }
            return AppendMessage(flags: flags, date: date, data: [], catenate: parts)
        }
        if buf.tryConsumeWord("UTF8") {
            try buf.expectSP("after UTF8")
            try buf.expect(UInt8(ascii: "("), "after UTF8")
            guard buf.peek() == UInt8(ascii: "~") else { throw GrammarError("APPEND UTF8 needs a literal8 (~{n}), found \(buf.describeNext())") }
            let lit = try buf.literal("APPEND message", allowBinary: true)
            try buf.expect(UInt8(ascii: ")"), "after the UTF8 message literal")
            return AppendMessage(flags: flags, date: date, data: lit.data, binary: true, utf8: true)
        }
        guard buf.peek() == UInt8(ascii: "{") || buf.peek() == UInt8(ascii: "~") else {
            throw GrammarError("APPEND needs the message as a literal, found \(buf.describeNext())")
        }
        let lit = try buf.literal("APPEND message", allowBinary: true)
        return AppendMessage(flags: flags, date: date, data: lit.data, binary: lit.binary)
    }
}
