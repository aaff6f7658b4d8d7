extension EncodeBuffer {
    // msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
    // msg-att-static  = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number64 /
    //                   "BODY" ["STRUCTURE"] SP body / "BODY" section ["<" number ">"] SP nstring /
    //                   "BINARY" section-binary SP (nstring / literal8) / "BINARY.SIZE" section-binary SP number /
    //                   "UID" SP uniqueid
    mutating func writeFetchAttribute(_ a: FetchResponseAttribute) {
        switch a {
        case .uid(let n): write("UID \(n)")
        case .flags(let flags):
            write("FLAGS ")
            writeFlagList(flags)
        case .internalDate(let d):
            write("INTERNALDATE ")
            writeDateTime(d)
        case .rfc822Size(let n): write("RFC822.SIZE \(n)")
        case .envelope(let e):
            write("ENVELOPE ")
            writeEnvelope(e)
        case .body(let b):
            write("BODY ")
            writeBody(b, extensible: false)
        case .bodyStructure(let b):
            write("BODYSTRUCTURE ")
            writeBody(b, extensible: true)
        case .bodySection(_, _, let data):
            writeFetchAttributeName(a)
            sp()
            writeNString(data)
        case .binarySection(_, _, let data):
            writeFetchAttributeName(a)
            sp()
            writeBinaryNString(data)
        case .binarySize(let section, let size):
            write("BINARY.SIZE")
            writeSectionBinary(section)
            write(" \(size)")
        case .modSeq(let n): write("MODSEQ (\(n))")
        case .emailID(let id): write("EMAILID (\(id))")
        case .threadID(let id): write("THREADID " + (id.map { "(\($0))" } ?? "NIL"))
        case .saveDate(let date):
            write("SAVEDATE ")
            if let date { writeDateTime(date) } else { write("NIL") }
        case .rfc822(let d), .rfc822Header(let d), .rfc822Text(let d):
            writeFetchAttributeName(a)
            sp()
            writeNString(d)
        case .preEncoded(let name, let value):
            write(name)
            sp()
            write(value)
        }
    }

    /// Writes the name of a message-data item (`BODY[…]<n>`, `BINARY[…]<n>`, `RFC822…`);
    /// false, writing nothing, for other items.
    @discardableResult
    mutating func writeFetchAttributeName(_ a: FetchResponseAttribute) -> Bool {
        switch a {
        case .bodySection(let section, let origin, _):
            write("BODY")
            writeSection(section)
            if let origin { write("<\(origin)>") }
        case .binarySection(let section, let origin, _):
            write("BINARY")
            writeSectionBinary(section)
            if let origin { write("<\(origin)>") }
        case .rfc822: write("RFC822")
        case .rfc822Header: write("RFC822.HEADER")
        case .rfc822Text: write("RFC822.TEXT")
        default: return false
        }
        return true
    }

    // envelope        = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    //                   env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    mutating func writeEnvelope(_ e: Envelope) {
        write("(")
        writeNString(e.date); sp()
        writeNString(e.subject); sp()
        for list in [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc] {
            writeAddressList(list)
            sp()
        }
        writeNString(e.inReplyTo); sp()
        writeNString(e.messageID)
        write(")")
    }

    // env-from        = "(" 1*address ")" / nil
    // address         = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    mutating func writeAddressList(_ list: [EnvelopeAddress]) {
        guard !list.isEmpty else { write("NIL"); return }
        write("(")
        for a in list {
            write("(")
            writeNString(a.name); sp()
            writeNString(a.adl); sp()
            writeNString(a.mailbox); sp()
            writeNString(a.host)
            write(")")
        }
        write(")")
    }

    // body            = "(" (body-type-1part / body-type-mpart) ")"
    // body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
    // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    mutating func writeBody(_ body: BodyStructure, extensible: Bool) {
        write("(")
        switch body {
        case .singlepart(let part):
            switch part.kind {
            case .basic(let type, let subtype):
                writeString(type); sp(); writeString(subtype); sp()
                writeBodyFields(part.fields)
            case .text(let subtype, let lines):
                write("\"TEXT\" "); writeString(subtype); sp()
                writeBodyFields(part.fields)
                write(" \(lines)")
            case .message(let subtype, let envelope, let inner, let lines):
                write("\"MESSAGE\" "); writeString(subtype); sp()
                writeBodyFields(part.fields)
                sp(); writeEnvelope(envelope)
                sp(); writeBody(inner, extensible: extensible)
                write(" \(lines)")
            }
            if extensible {
                // body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
                sp(); writeNString(part.ext.md5)
                sp(); writeDisposition(part.ext.disposition)
                sp(); writeLanguage(part.ext.language)
                sp(); writeNString(part.ext.location)
            }
        case .multipart(let multi):
            for p in multi.parts { writeBody(p, extensible: extensible) }
            sp()
            writeString(multi.subtype)
            if extensible {
                // body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
                sp(); writeBodyParameters(multi.parameters)
                sp(); writeDisposition(multi.disposition)
                sp(); writeLanguage(multi.language)
                sp(); writeNString(multi.location)
            }
        }
        write(")")
    }

    // body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
    mutating func writeBodyFields(_ f: BodyStructure.Fields) {
        writeBodyParameters(f.parameters); sp()
        writeNString(f.id); sp()
        writeNString(f.description); sp()
        writeString(f.encoding); sp()
        write("\(f.octets)")
    }

    // body-fld-param  = "(" string SP string *(SP string SP string) ")" / nil
    mutating func writeBodyParameters(_ params: [BodyStructure.Parameter]) {
        guard !params.isEmpty else { write("NIL"); return }
        write("(")
        for (i, p) in params.enumerated() {
            if i > 0 { sp() }
            writeString(p.attribute); sp(); writeString(p.value)
        }
        write(")")
    }

    // body-fld-dsp    = "(" string SP body-fld-param ")" / nil
    mutating func writeDisposition(_ d: BodyStructure.Disposition?) {
        guard let d else { write("NIL"); return }
        write("(")
        writeString(d.kind); sp()
        writeBodyParameters(d.parameters)
        write(")")
    }

    // body-fld-lang   = nstring / "(" string *(SP string) ")"
    mutating func writeLanguage(_ langs: [String]) {
        switch langs.count {
        case 0: write("NIL")
        case 1: writeString(langs[0])
        default:
            write("(")
            for (i, l) in langs.enumerated() {
                if i > 0 { sp() }
                writeString(l)
            }
            write(")")
        }
    }
}
