extension ResponseParser {
    // msg-att         = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    // msg-att-static  = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number64 /
    //                   "BODY" ["STRUCTURE"] SP body / "BODY" section ["<" number ">"] SP nstring /
    //                   "BINARY" section-binary SP (nstring / literal8) / "BINARY.SIZE" section-binary SP number /
    //                   "UID" SP uniqueid
    static func parseFetchResponseAttribute(_ buf: inout ParseBuffer) throws(GrammarError) -> FetchResponseAttribute {
        let word = buf.keyword()
        func sp(_ b: inout ParseBuffer) throws(GrammarError) { try b.expectSP("after \(word)") }
        func origin(_ b: inout ParseBuffer) throws(GrammarError) -> Int? {
            guard b.tryConsume(UInt8(ascii: "<")) else { return nil }
            let n = try b.int("origin octet")
            try b.expect(UInt8(ascii: ">"), "to end origin octet")
            return n
        }
        switch word {
        case "UID":
            try sp(&buf)
            return .uid(try buf.nzNumber("UID"))
        case "FLAGS":
            try sp(&buf)
            return .flags(try buf.flagList())
        case "INTERNALDATE":
            try sp(&buf)
            return .internalDate(try buf.dateTime())
        case "RFC822.SIZE":
            try sp(&buf)
            return .rfc822Size(Int(try buf.number64("RFC822.SIZE")))
        case "ENVELOPE":
            try sp(&buf)
            return .envelope(try parseEnvelope(&buf))
        case "BODYSTRUCTURE":
            try sp(&buf)
            return .bodyStructure(try parseBody(&buf))
        case "BODY":
            if buf.peek() == UInt8(ascii: "[") {
                let section = try buf.section()
                let o = try origin(&buf)
                try sp(&buf)
                return .bodySection(section, origin: o, data: try buf.nstring("body section data"))
            }
            try sp(&buf)
            return .body(try parseBody(&buf))
        case "BINARY":
            let section = try buf.sectionBinary()
            let o = try origin(&buf)
            try sp(&buf)
            if buf.peek() == UInt8(ascii: "~") {
                return .binarySection(section: section, origin: o, data: try buf.literal("binary data", allowBinary: true).data)
            }
            return .binarySection(section: section, origin: o, data: try buf.nstring("binary data"))
        case "BINARY.SIZE":
            let section = try buf.sectionBinary()
            try sp(&buf)
            return .binarySize(section: section, size: Int(try buf.number64("BINARY.SIZE")))
        case "MODSEQ":
            try sp(&buf)
            try buf.expect(UInt8(ascii: "("), "after MODSEQ")
            let v = try buf.number64("MODSEQ")
            try buf.expect(UInt8(ascii: ")"), "to end MODSEQ")
            return .modSeq(v)
        case "EMAILID":
            try sp(&buf)
            return .emailID(try ResponseParser.objectID(&buf, word))
        case "SAVEDATE":
            try sp(&buf)
            return .saveDate(buf.tryNil() ? nil : try buf.dateTime())
        case "THREADID":
            try sp(&buf)
            return .threadID(buf.tryNil() ? nil : try ResponseParser.objectID(&buf, word))
        case "RFC822":
            try sp(&buf)
            return .rfc822(try buf.nstring("RFC822 data"))
        case "RFC822.HEADER":
            try sp(&buf)
            return .rfc822Header(try buf.nstring("RFC822.HEADER data"))
        case "RFC822.TEXT":
            try sp(&buf)
            return .rfc822Text(try buf.nstring("RFC822.TEXT data"))
        case "": throw GrammarError("expected a FETCH data item, found \(buf.describeNext())")
        default: throw GrammarError("unknown FETCH data item \(word)")
        }
    }

    // envelope        = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    //                   env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    static func parseEnvelope(_ buf: inout ParseBuffer) throws(GrammarError) -> Envelope {
        try buf.expect(UInt8(ascii: "("), "to start envelope")
        var e = Envelope()
        e.date = try buf.nstring("envelope date")
        try buf.expectSP("after envelope date")
        e.subject = try buf.nstring("envelope subject")
        var lists: [[EnvelopeAddress]] = []
        for _ in 0..<6 {
            try buf.expectSP("in envelope")
            lists.append(try parseAddressList(&buf))
        }
        (e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc) = (lists[0], lists[1], lists[2], lists[3], lists[4], lists[5])
        try buf.expectSP("in envelope")
        e.inReplyTo = try buf.nstring("envelope in-reply-to")
        try buf.expectSP("in envelope")
        e.messageID = try buf.nstring("envelope message-id")
        try buf.expect(UInt8(ascii: ")"), "to end envelope")
        return e
    }

    // env-from        = "(" 1*address ")" / nil
    // address         = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    static func parseAddressList(_ buf: inout ParseBuffer) throws(GrammarError) -> [EnvelopeAddress] {
        if buf.tryNil() { return [] }
        try buf.expect(UInt8(ascii: "("), "to start address list")
        var out: [EnvelopeAddress] = []
        repeat {
            try buf.expect(UInt8(ascii: "("), "to start address")
            let name = try buf.nstring("address name")
            try buf.expectSP("in address")
            let adl = try buf.nstring("address adl")
            try buf.expectSP("in address")
            let mailbox = try buf.nstring("address mailbox")
            try buf.expectSP("in address")
            let host = try buf.nstring("address host")
            try buf.expect(UInt8(ascii: ")"), "to end address")
            out.append(EnvelopeAddress(name: name, adl: adl, mailbox: mailbox, host: host))
            _ = buf.tryConsume(0x20)
        } while buf.peek() == UInt8(ascii: "(")
        try buf.expect(UInt8(ascii: ")"), "to end address list")
        return out
    }

    // body            = "(" (body-type-1part / body-type-mpart) ")"
    static func parseBody(_ buf: inout ParseBuffer) throws(GrammarError) -> BodyStructure {
        try buf.enter()
        defer { buf.leave() }
        try buf.expect(UInt8(ascii: "("), "to start body structure")
        let body = buf.peek() == UInt8(ascii: "(") ? try parseBody_multipart(&buf) : try parseBody_singlepart(&buf)
        try buf.expect(UInt8(ascii: ")"), "to end body structure")
        return body
    }

    // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    // body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
    static func parseBody_multipart(_ buf: inout ParseBuffer) throws(GrammarError) -> BodyStructure {
        var parts: [BodyStructure] = []
        while buf.peek() == UInt8(ascii: "(") { parts.append(try parseBody(&buf)) }
        try buf.expectSP("after body parts")
        var multi = BodyStructure.MultiPart(parts: parts, subtype: String(decoding: try buf.string("media subtype"), as: UTF8.self))
        if buf.tryConsume(0x20) {
            multi.parameters = try parseBodyParameters(&buf)
            if buf.tryConsume(0x20) {
                multi.disposition = try parseDisposition(&buf)
                if buf.tryConsume(0x20) {
                    multi.language = try parseLanguage(&buf)
                    if buf.tryConsume(0x20) {
                        multi.location = try buf.nstring("body location")
                        try skipBodyExtensions(&buf)
                    }
                }
            }
        }
        return .multipart(multi)
    }

    // body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
    // body-type-basic = media-basic SP body-fields
    // body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
    // body-type-text  = media-text SP body-fields SP body-fld-lines
    // body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
    static func parseBody_singlepart(_ buf: inout ParseBuffer) throws(GrammarError) -> BodyStructure {
        let type = String(decoding: try buf.string("media type"), as: UTF8.self)
        try buf.expectSP("after media type")
        let subtype = String(decoding: try buf.string("media subtype"), as: UTF8.self)
        try buf.expectSP("after media subtype")
        let fields = try parseBodyFields(&buf)
        let kind: BodyStructure.Kind
        let upperType = asciiUppercased(type), upperSub = asciiUppercased(subtype)
        if upperType == "TEXT" {
            try buf.expectSP("before body lines")
            kind = .text(subtype: subtype, lines: try buf.int("body lines"))
        } else if upperType == "MESSAGE", upperSub == "RFC822" || upperSub == "GLOBAL" {
            try buf.expectSP("before the encapsulated envelope")
            let envelope = try parseEnvelope(&buf)
            try buf.expectSP("before the encapsulated body")
            let inner = try parseBody(&buf)
            try buf.expectSP("before body lines")
            kind = .message(subtype: subtype, envelope: envelope, body: inner, lines: try buf.int("body lines"))
        } else {
            kind = .basic(type: type, subtype: subtype)
        }
        var ext = BodyStructure.SinglePartExtension()
        if buf.tryConsume(0x20) {
            ext.md5 = try buf.nstring("body MD5")
            if buf.tryConsume(0x20) {
                ext.disposition = try parseDisposition(&buf)
                if buf.tryConsume(0x20) {
                    ext.language = try parseLanguage(&buf)
                    if buf.tryConsume(0x20) {
                        ext.location = try buf.nstring("body location")
                        try skipBodyExtensions(&buf)
                    }
                }
            }
        }
        return .singlepart(.init(kind: kind, fields: fields, ext: ext))
    }

    // body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
    static func parseBodyFields(_ buf: inout ParseBuffer) throws(GrammarError) -> BodyStructure.Fields {
        let params = try parseBodyParameters(&buf)
        try buf.expectSP("after body parameters")
        let id = try buf.nstring("body id")
        try buf.expectSP("after body id")
        let description = try buf.nstring("body description")
        try buf.expectSP("after body description")
        let encoding = String(decoding: try buf.string("body encoding"), as: UTF8.self)
        try buf.expectSP("after body encoding")
        return .init(parameters: params, id: id, description: description, encoding: encoding, octets: Int(try buf.number64("body octets")))
    }

    // body-fld-param  = "(" string SP string *(SP string SP string) ")" / nil
    static func parseBodyParameters(_ buf: inout ParseBuffer) throws(GrammarError) -> [BodyStructure.Parameter] {
        if buf.tryNil() { return [] }
        return try buf.parenList("body parameters", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in
            let attribute = String(decoding: try b.string("parameter name"), as: UTF8.self)
            try b.expectSP("after parameter name")
            return BodyStructure.Parameter(attribute, try b.string("parameter value"))
        }
    }

    // body-fld-dsp    = "(" string SP body-fld-param ")" / nil
    static func parseDisposition(_ buf: inout ParseBuffer) throws(GrammarError) -> BodyStructure.Disposition? {
        if buf.tryNil() { return nil }
        try buf.expect(UInt8(ascii: "("), "to start disposition")
        let kind = String(decoding: try buf.string("disposition"), as: UTF8.self)
        try buf.expectSP("after disposition")
        let params = try parseBodyParameters(&buf)
        try buf.expect(UInt8(ascii: ")"), "to end disposition")
        return .init(kind: kind, parameters: params)
    }

    // body-fld-lang   = nstring / "(" string *(SP string) ")"
    static func parseLanguage(_ buf: inout ParseBuffer) throws(GrammarError) -> [String] {
        if buf.peek() == UInt8(ascii: "(") {
            return try buf.parenList("languages", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in
                String(decoding: try b.string("language"), as: UTF8.self)
            }
        }
        return try buf.nstring("language").map { [String(decoding: $0, as: UTF8.self)] } ?? []
    }

    // body-extension  = nstring / number64 / "(" body-extension *(SP body-extension) ")"
    static func skipBodyExtensions(_ buf: inout ParseBuffer) throws(GrammarError) {
        while buf.tryConsume(0x20) { try skipBodyExtension(&buf) }
    }

    static func skipBodyExtension(_ buf: inout ParseBuffer) throws(GrammarError) {
        try buf.enter()
        defer { buf.leave() }
        if let c = buf.peek(), isDigit(c) { _ = try buf.number64("body extension"); return }
        if buf.peek() == UInt8(ascii: "(") {
            _ = try buf.parenList("body extension", allowEmpty: false) { (b: inout ParseBuffer) throws(GrammarError) in try skipBodyExtension(&b) }
            return
        }
        _ = try buf.nstring("body extension")
    }
}
