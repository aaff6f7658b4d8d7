extension CommandParser {
    // fetch           = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
    // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
    static func parseFetch(uid: Bool, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        guard buf.tryConsume(0x20) else { throw GrammarError("FETCH needs a sequence set") }
        let set = try buf.sequenceSet()
        guard buf.tryConsume(0x20) else { throw GrammarError("FETCH needs data items after the sequence set") }
        var attributes: [FetchAttribute]
        if buf.peek() == UInt8(ascii: "(") {
            attributes = try buf.parenList("FETCH data item list", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in try parseFetchAttribute(&b) }
        } else {
            let save = buf.index
            switch buf.keyword() {
            case "ALL": attributes = FetchAttribute.all
            case "FAST": attributes = FetchAttribute.fast
            case "FULL": attributes = FetchAttribute.full
            default:
                buf.index = save
                attributes = [try parseFetchAttribute(&buf)]
            }
        }
        var modifiers = FetchModifiers()
        if buf.tryConsume(0x20) {
            try buf.expect(UInt8(ascii: "("), "to start FETCH modifiers")
            repeat {
                let word = buf.keyword()
                switch word {
                case "CHANGEDSINCE":
                    try buf.expectSP("after CHANGEDSINCE")
                    let v = try buf.number64("CHANGEDSINCE mod-sequence")
                    guard v > 0 else { throw GrammarError("CHANGEDSINCE must be greater than 0") }
                    modifiers.changedSince = v
                case "VANISHED": modifiers.vanished = true
                case "": throw GrammarError("expected a FETCH modifier, found \(buf.describeNext())")
                default: throw GrammarError("unknown FETCH modifier \(word)")
                }
            } while buf.tryConsume(0x20)
            try buf.expect(UInt8(ascii: ")"), "to end FETCH modifiers")
        }
        return .fetch(set, attributes, modifiers, uid: uid)
    }

    // fetch-att       = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    //                   "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    //                   "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary / "MODSEQ"
    static func parseFetchAttribute(_ buf: inout ParseBuffer) throws(GrammarError) -> FetchAttribute {
        let word = buf.keyword()
        switch word {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "EMAILID": return .emailID
        case "THREADID": return .threadID
        case "SAVEDATE": return .saveDate
        case "BODY", "BODY.PEEK":
            if word == "BODY", buf.peek() != UInt8(ascii: "[") { return .body }
            let section = try buf.section()
            return .bodySection(peek: word == "BODY.PEEK", section: section, partial: try buf.partial())
        case "BINARY", "BINARY.PEEK":
            let section = try buf.sectionBinary()
            return .binary(peek: word == "BINARY.PEEK", section: section, partial: try buf.partial())
        case "BINARY.SIZE":
            return .binarySize(section: try buf.sectionBinary())
        case "": throw GrammarError("expected a FETCH data item, found \(buf.describeNext())")
        default: throw GrammarError("unknown FETCH data item \(word)")
        }
    }

    // store           = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    // store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    static func parseStore(uid: Bool, _ buf: inout ParseBuffer) throws(GrammarError) -> Command {
        guard buf.tryConsume(0x20) else { throw GrammarError("STORE needs a sequence set") }
        let set = try buf.sequenceSet()
        guard buf.tryConsume(0x20) else { throw GrammarError("STORE needs FLAGS, +FLAGS or -FLAGS after the sequence set") }
        var modifiers = StoreModifiers()
        if buf.peek() == UInt8(ascii: "(") {
            buf.advance()
            let word = buf.keyword()
            guard word == "UNCHANGEDSINCE" else {
                throw GrammarError(word.isEmpty ? "expected a STORE modifier, found \(buf.describeNext())" : "unknown STORE modifier \(word)")
            }
            try buf.expectSP("after UNCHANGEDSINCE")
            modifiers.unchangedSince = try buf.number64("UNCHANGEDSINCE mod-sequence")
            try buf.expect(UInt8(ascii: ")"), "to end STORE modifiers")
            try buf.expectSP("after STORE modifiers")
        }
        let operation: StoreAction.Operation
        if buf.tryConsume(UInt8(ascii: "+")) { operation = .add } else if buf.tryConsume(UInt8(ascii: "-")) { operation = .remove } else { operation = .replace }
        let word = buf.keyword()
        guard word == "FLAGS" || word == "FLAGS.SILENT" else {
            throw GrammarError("invalid STORE operation '\(word)'; expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT)")
        }
        try buf.expectSP("after \(word)")
        var flags: [Flag]
        if buf.peek() == UInt8(ascii: "(") {
            flags = try buf.flagList()
        } else {
            flags = [try buf.flag()]
            while buf.tryConsume(0x20) { flags.append(try buf.flag()) }
        }
        return .store(set, modifiers, StoreAction(operation: operation, silent: word == "FLAGS.SILENT", flags: flags), uid: uid)
    }
}
