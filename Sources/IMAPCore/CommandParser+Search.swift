extension CommandParser {
    // search          = "SEARCH" [search-return-opts] SP search-program
    // search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    // search-program  = ["CHARSET" SP charset SP] search-key *(SP search-key)
    static func parseSearch(uid: Bool, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        guard buf.tryConsume(0x20) else { throw GrammarError("SEARCH needs search criteria") }
        var returns: [SearchReturnOption]?, partial: PartialRange?
        if buf.tryConsumeWord("RETURN ") {
            (returns, partial) = try parseReturnOptions("SEARCH", &buf)
            try buf.expectSP("after SEARCH return options")
        }
        var charset: String?
        if buf.tryConsumeWord("CHARSET ") {
            let name: [UInt8] = buf.peek() == UInt8(ascii: "\"") ? try buf.quoted("charset") : try buf.atom("charset name")
            charset = String(decoding: name, as: UTF8.self)
            try buf.expectSP("after the charset name")
        }
        var keys: [SearchKey] = [try parseSearchKey(&buf)]
        while buf.tryConsume(0x20) { keys.append(try parseSearchKey(&buf)) }
        return .search(SearchCommand(returnOptions: returns, partial: partial, charset: charset, key: keys.count == 1 ? keys[0] : .and(keys)), uid: uid)
    }

    // sort            = ["UID" SP] "SORT" SP sort-criteria SP search-criteria      (RFC 5256)
    // sort-criteria   = "(" sort-criterion *(SP sort-criterion) ")"
    // sort-criterion  = ["REVERSE" SP] sort-key
    // sort-key        = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
    //                   / "DISPLAYFROM" / "DISPLAYTO"                               (RFC 5957)
    // sort            =/ ["UID" SP] "SORT" [search-return-opts] SP sort-criteria SP search-criteria   (RFC 5267 ESORT)
    static func parseSort(uid: Bool, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after SORT")
        var returns: [SearchReturnOption]?, partial: PartialRange?
        if buf.tryConsumeWord("RETURN ") {
            (returns, partial) = try parseReturnOptions("SORT", &buf)
            try buf.expectSP("after SORT return options")
        }
        let criteria = try buf.parenList("SORT criteria", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) -> SortCriterion in
            var word = b.keyword()
            var reverse = false
            if word == "REVERSE" {
                try b.expectSP("after REVERSE")
                reverse = true
                word = b.keyword()
            }
            guard let key = SortKey(rawValue: word) else {
                throw GrammarError(word.isEmpty ? "expected a sort key, found \(b.describeNext())" : "unknown sort key \(word)")
            }
            return SortCriterion(reverse: reverse, key)
        }
        try buf.expectSP("after the SORT criteria")
        let (charset, key) = try parseSearchCriteria(&buf)
        return .sort(SortCommand(criteria: criteria, charset: charset, key: key, returnOptions: returns, partial: partial), uid: uid)
    }

    // search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    // search-return-opt  = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE"              (RFC 4731, RFC 5182)
    //                    / "CONTEXT" / "UPDATE" / "PARTIAL" SP partial-range      (RFC 5267 §5)
    // partial-range      = nz-number ":" nz-number
    /// The parenthesised return options of SEARCH or SORT; SORT takes no SAVE, and a
    /// command has at most one PARTIAL or ALL (RFC 5267 §4.4).
    static func parseReturnOptions(_ verb: String, _ buf: inout ParseBuffer) throws(GrammarError) -> ([SearchReturnOption], PartialRange?) {
        var partial: PartialRange?
        let options = try buf.parenList("\(verb) return options") { (b: inout ParseBuffer) throws(GrammarError) -> SearchReturnOption? in
            let word = b.keyword()
            if word == "PARTIAL" {
                guard partial == nil else { throw GrammarError("PARTIAL may be given only once") }
                try b.expectSP("after PARTIAL")
                let first = try b.nzNumber("first position of PARTIAL")
                try b.expect(UInt8(ascii: ":"), "in the PARTIAL range")
                partial = PartialRange(first, try b.nzNumber("last position of PARTIAL"))
                return nil
            }
            guard let option = SearchReturnOption(rawValue: word) else {
                throw GrammarError(word.isEmpty ? "expected a \(verb) return option, found \(b.describeNext())" : "unknown \(verb) return option \(word)")
            }
            guard verb == "SEARCH" || option != .save else { throw GrammarError("\(verb) does not take the return option \(word)") }
            return option
        }.compactMap { $0 }
        if partial != nil, options.contains(.all) {
            throw GrammarError("PARTIAL and ALL cannot both be asked for (RFC 5267 §4.4)")
        }
        return (options, partial)
    }

    // cancelupdate    = "CANCELUPDATE" 1*(SP quoted)                              (RFC 5267 §5)
    static func parseCancelUpdate(_ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        var tags: [String] = []
        while buf.tryConsume(0x20) {
            tags.append(String(decoding: try buf.quoted("tag of an updating search"), as: UTF8.self))
        }
        guard !tags.isEmpty else { throw GrammarError("CANCELUPDATE needs the quoted tag of at least one search") }
        return .cancelUpdate(tags)
    }

    // thread          = ["UID" SP] "THREAD" SP thread-alg SP search-criteria      (RFC 5256)
    // thread-alg      = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext
    static func parseThread(uid: Bool, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        try buf.expectSP("after THREAD")
        let word = buf.keyword()
        guard let algorithm = ThreadAlgorithm(rawValue: word) else {
            throw GrammarError(word.isEmpty ? "expected a threading algorithm, found \(buf.describeNext())" : "unknown threading algorithm \(word)")
        }
        try buf.expectSP("after the threading algorithm")
        let (charset, key) = try parseSearchCriteria(&buf)
        return .thread(ThreadCommand(algorithm: algorithm, charset: charset, key: key), uid: uid)
    }

    // search-criteria = charset 1*(SP search-key)
    // charset         = atom / quoted
    static func parseSearchCriteria(_ buf: inout ParseBuffer) throws(GrammarError) -> (charset: String, key: SearchKey) {
        let name: [UInt8] = buf.peek() == UInt8(ascii: "\"") ? try buf.quoted("charset") : try buf.atom("charset name")
        try buf.expectSP("after the charset name")
        var keys: [SearchKey] = [try parseSearchKey(&buf)]
        while buf.tryConsume(0x20) { keys.append(try parseSearchKey(&buf)) }
        return (String(decoding: name, as: UTF8.self), keys.count == 1 ? keys[0] : .and(keys))
    }

    // search-key      = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
    //                   "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag-keyword /
    //                   "ON" SP date / "SEEN" / "SINCE" SP date / "SUBJECT" SP astring / "TEXT" SP astring /
    //                   "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" / "UNKEYWORD" SP flag-keyword /
    //                   "UNSEEN" / "DRAFT" / "HEADER" SP header-fld-name SP astring / "LARGER" SP number64 /
    //                   "NOT" SP search-key / "OR" SP search-key SP search-key / "SENTBEFORE" SP date /
    //                   "SENTON" SP date / "SENTSINCE" SP date / "SMALLER" SP number64 / "UID" SP sequence-set /
    //                   "UNDRAFT" / sequence-set / "(" search-key *(SP search-key) ")"
    //                   ; RFC 3501 adds "NEW" / "OLD" / "RECENT"; RFC 7162 adds search-modsequence
    static func parseSearchKey(_ buf: inout ParseBuffer) throws(GrammarError) -> SearchKey {
        try buf.enter()
        defer { buf.leave() }
        if let c = buf.peek(), isDigit(c) || c == UInt8(ascii: "*") || c == UInt8(ascii: "$") {
            return .sequenceSet(try buf.sequenceSet())
        }
        if buf.peek() == UInt8(ascii: "(") {
            return .and(try buf.parenList("search key list", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in try parseSearchKey(&b) })
        }
        let word = buf.keyword()
        func arg(_ what: String, _ b: inout ParseBuffer) throws(GrammarError) -> [UInt8] {
            try b.expectSP("after \(word)")
            return try b.astring(what)
        }
        func dateArg(_ b: inout ParseBuffer) throws(GrammarError) -> SearchDate {
            try b.expectSP("after \(word)")
            return try b.date()
        }
        func keywordArg(_ b: inout ParseBuffer) throws(GrammarError) -> Flag {
            try b.expectSP("after \(word)")
            guard b.peek() != UInt8(ascii: "\\") else { throw GrammarError("\(word) takes a keyword, not a system flag; use the flag's own search key") }
            return Flag(String(decoding: try b.atom("keyword"), as: UTF8.self))
        }
        switch word {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "BCC": return .bcc(try arg("BCC string", &buf))
        case "BODY": return .body(try arg("BODY string", &buf))
        case "CC": return .cc(try arg("CC string", &buf))
        case "FROM": return .from(try arg("FROM string", &buf))
        case "SUBJECT": return .subject(try arg("SUBJECT string", &buf))
        case "TEXT": return .text(try arg("TEXT string", &buf))
        case "TO": return .to(try arg("TO string", &buf))
        case "HEADER":
            let field = try arg("header field name", &buf)
            try buf.expectSP("after the HEADER field name")
            return .header(field, try buf.astring("HEADER string"))
        case "BEFORE": return .before(try dateArg(&buf))
        case "ON": return .on(try dateArg(&buf))
        case "SINCE": return .since(try dateArg(&buf))
        case "SENTBEFORE": return .sentBefore(try dateArg(&buf))
        case "SENTON": return .sentOn(try dateArg(&buf))
        case "SENTSINCE": return .sentSince(try dateArg(&buf))
        case "KEYWORD": return .keyword(try keywordArg(&buf))
        case "UNKEYWORD": return .unkeyword(try keywordArg(&buf))
        case "LARGER":
            try buf.expectSP("after LARGER")
            return .larger(try buf.number64("LARGER size"))
        case "SMALLER":
            try buf.expectSP("after SMALLER")
            return .smaller(try buf.number64("SMALLER size"))
        case "UID":
            try buf.expectSP("after UID")
            return .uid(try buf.sequenceSet())
        case "NOT":
            try buf.expectSP("after NOT")
            return .not(try parseSearchKey(&buf))
        case "OR":
            try buf.expectSP("after OR")
            let a = try parseSearchKey(&buf)
            try buf.expectSP("between the two keys of OR")
            return .or(a, try parseSearchKey(&buf))
        case "MODSEQ": return try parseSearchKey_modSeq(&buf)
        // search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid   (RFC 8474)
        // search-key =/ "SAVEDBEFORE" SP date / "SAVEDON" SP date / "SAVEDSINCE" SP date / "SAVEDATESUPPORTED"  (RFC 8514)
        case "SAVEDBEFORE", "SAVEDON", "SAVEDSINCE":
            let day = try dateArg(&buf)
            return word == "SAVEDBEFORE" ? .savedBefore(day) : word == "SAVEDON" ? .savedOn(day) : .savedSince(day)
        case "SAVEDATESUPPORTED": return .saveDateSupported
        case "EMAILID", "THREADID":
            try buf.expectSP("after \(word)")
            let id = String(decoding: try buf.atom("\(word) object id"), as: UTF8.self)
            return word == "EMAILID" ? .emailID(id) : .threadID(id)
        // search-key =/ ( "OLDER" / "YOUNGER" ) SP nz-number   (RFC 5032)
        case "OLDER", "YOUNGER":
            try buf.expectSP("after \(word)")
            let seconds = try buf.number64("\(word) interval in seconds")
            guard seconds > 0, seconds <= UInt64(UInt32.max) else { throw GrammarError("\(word) needs a number of seconds from 1 to \(UInt32.max)") }
            return word == "OLDER" ? .older(UInt32(seconds)) : .younger(UInt32(seconds))
        case "": throw GrammarError(buf.atLineEnd ? "missing search key" : "invalid search key starting with \(buf.describeNext())")
        default: throw GrammarError("unknown search key \(word)")
        }
    }

    // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
    // search-modseq-ext = SP entry-name SP entry-type-req
    // entry-name      = entry-flag-name          ; DQUOTE "/flags/" attr-flag DQUOTE
    // entry-type-req  = entry-type-resp / "all"  ; "priv" / "shared" / "all"
    static func parseSearchKey_modSeq(_ buf: inout ParseBuffer) throws(GrammarError) -> SearchKey {
        try buf.expectSP("after MODSEQ")
        var entry: SearchModSeqEntry?
        if buf.peek() == UInt8(ascii: "\"") {
            let name = try buf.quoted("MODSEQ entry name")
            try buf.expectSP("after the MODSEQ entry name")
            let typeWord = buf.keyword().lowercased()
            guard let type = SearchModSeqEntry.EntryType(rawValue: typeWord) else {
                throw GrammarError("invalid MODSEQ entry type '\(typeWord)'; expected priv, shared or all")
            }
            entry = SearchModSeqEntry(name: name, type: type)
            try buf.expectSP("after the MODSEQ entry type")
        }
        return .modSeq(entry, try buf.number64("MODSEQ value"))
    }
}
