/// A grammar failure inside one complete command or response; the caller adds the tag.
struct GrammarError: Error, Hashable, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A cursor over one complete frame with the IMAP primitive productions (RFC 9051 §9).
/// Every parse function consumes exactly what it recognises and throws with a precise message otherwise.
struct ParseBuffer {
    let bytes: [UInt8]
    var index: Int = 0
    var depth: Int = 0
    /// Bound on nesting (search keys, body structures, parenthesised lists) to keep recursion safe.
    static let maxDepth = 50

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }
    func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
    mutating func advance(_ n: Int = 1) { index += n }

    /// A human description of what comes next, for error messages.
    func describeNext() -> String {
        guard let c = peek() else { return "end of input" }
        if c == 0x0D || c == 0x0A { return "end of line" }
        if c == 0x20 { return "SP" }
        if c < 0x20 || c >= 0x7F { return "byte 0x\(hex(c))" }
        return "'\(Character(Unicode.Scalar(c)))'"
    }

    /// The upcoming token (up to SP, parenthesis or end of line), for messages like "invalid sequence set 'x'".
    func upcomingToken() -> String {
        var end = index
        while end < bytes.count, ![0x20, 0x0D, 0x0A, 0x28, 0x29].contains(bytes[end]), end - index < 40 { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    mutating func enter() throws(GrammarError) {
        depth += 1
        if depth > ParseBuffer.maxDepth { throw GrammarError("nesting deeper than \(ParseBuffer.maxDepth) levels") }
    }
    mutating func leave() { depth -= 1 }

    // MARK: Single characters

    mutating func tryConsume(_ c: UInt8) -> Bool {
        if peek() == c { index += 1; return true }
        return false
    }

    mutating func expect(_ c: UInt8, _ context: String) throws(GrammarError) {
        guard tryConsume(c) else {
            throw GrammarError("expected '\(Character(Unicode.Scalar(c)))' \(context), found \(describeNext())")
        }
    }

    /// SP = %x20
    mutating func expectSP(_ context: String) throws(GrammarError) {
        guard tryConsume(0x20) else { throw GrammarError("expected SP \(context), found \(describeNext())") }
    }

    /// Case-insensitive match of a fixed ASCII word at the cursor; consumes it on success.
    mutating func tryConsumeWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count else { return false }
        for (k, c) in w.enumerated() where upper(bytes[index + k]) != upper(c) { return false }
        index += w.count
        return true
    }

    /// CRLF at the end of a command or response, then nothing more. A frame without a final CRLF is accepted.
    mutating func expectEnd(_ context: String) throws(GrammarError) {
        if tryConsume(0x0D) {
            guard tryConsume(0x0A) else { throw GrammarError("expected LF after CR \(context)") }
        } else {
            _ = tryConsume(0x0A)
        }
        guard isAtEnd else {
            throw GrammarError("unexpected \(describeNext()) \(context)")
        }
    }

    var atLineEnd: Bool { isAtEnd || peek() == 0x0D || peek() == 0x0A }

    // MARK: Words

    /// A command or keyword name: letters, digits, `.`, `-`, `_`, `=`, uppercased. Empty if none.
    mutating func keyword() -> String {
        let start = index
        while let c = peek(), isKeywordChar(c) { index += 1 }
        return String(decoding: asciiUppercased(Array(bytes[start..<index])), as: UTF8.self)
    }

    // atom            = 1*ATOM-CHAR
    // ATOM-CHAR       = <any CHAR except atom-specials>
    mutating func atom(_ what: String) throws(GrammarError) -> [UInt8] {
        let start = index
        while let c = peek(), isAtomChar(c) { index += 1 }
        guard index > start else { throw GrammarError("expected \(what), found \(describeNext())") }
        return Array(bytes[start..<index])
    }

    // tag             = 1*<any ASTRING-CHAR except "+">
    mutating func tag() throws(GrammarError) -> String {
        let start = index
        while let c = peek(), isAStringChar(c), c != UInt8(ascii: "+") { index += 1 }
        guard index > start else {
            if atLineEnd { throw GrammarError("missing tag") }
            throw GrammarError("invalid tag: \(describeNext()) is not allowed in a tag")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // MARK: Strings

    // astring         = 1*ASTRING-CHAR / string
    // ASTRING-CHAR    = ATOM-CHAR / resp-specials
    mutating func astring(_ what: String) throws(GrammarError) -> [UInt8] {
        if peek() == UInt8(ascii: "\"") || peek() == UInt8(ascii: "{") {
            return try string(what)
        }
        let start = index
        while let c = peek(), isAStringChar(c) { index += 1 }
        guard index > start else { throw GrammarError("expected \(what), found \(describeNext())") }
        return Array(bytes[start..<index])
    }

    // string          = quoted / literal
    mutating func string(_ what: String) throws(GrammarError) -> [UInt8] {
        switch peek() {
        case UInt8(ascii: "\""): return try quoted(what)
        case UInt8(ascii: "{"): return try literal(what).data
        default: throw GrammarError("expected \(what) as a quoted string or literal, found \(describeNext())")
        }
    }

    // nstring         = string / nil
    // nil             = "NIL"
    mutating func nstring(_ what: String) throws(GrammarError) -> [UInt8]? {
        if tryNil() { return nil }
        return try string(what)
    }

    mutating func tryNil() -> Bool {
        guard tryConsumeWord("NIL") else { return false }
        if let c = peek(), isAtomChar(c) { index -= 3; return false }
        return true
    }

    // quoted          = DQUOTE *QUOTED-CHAR DQUOTE
    // QUOTED-CHAR     = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
    mutating func quoted(_ what: String) throws(GrammarError) -> [UInt8] {
        let start = index
        try expect(UInt8(ascii: "\""), "to start \(what)")
        var out: [UInt8] = []
        while true {
            guard let c = peek(), c != 0x0D, c != 0x0A else {
                index = start
                throw GrammarError("unterminated quoted string for \(what)")
            }
            index += 1
            switch c {
            case UInt8(ascii: "\""): return out
            case UInt8(ascii: "\\"):
                guard let e = peek(), e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") else {
                    throw GrammarError("invalid escape \\\(describeNext()) in quoted string for \(what); only \\\" and \\\\ are allowed")
                }
                out.append(e)
                index += 1
            case 0:
                throw GrammarError("NUL byte in quoted string for \(what)")
            default:
                out.append(c)
            }
        }
    }

    // literal         = "{" number64 ["+"] "}" CRLF *CHAR8
    // literal8        = "~{" number64 ["+"] "}" CRLF *OCTET
    mutating func literal(_ what: String, allowBinary: Bool = false) throws(GrammarError) -> (data: [UInt8], binary: Bool) {
        let binary = tryConsume(UInt8(ascii: "~"))
        if binary && !allowBinary { throw GrammarError("literal8 (~{n}) is not allowed for \(what)") }
        try expect(UInt8(ascii: "{"), "to start literal for \(what)")
        guard let c = peek(), isDigit(c) else { throw GrammarError("invalid literal size for \(what): expected digits, found \(describeNext())") }
        let size = try number64("literal size")
        _ = tryConsume(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"), "after literal size")
        guard tryConsume(0x0D), tryConsume(0x0A) else { throw GrammarError("expected CRLF after literal announcement {\(size)}") }
        let remaining = bytes.count - index
        guard UInt64(remaining) >= size else {
            throw GrammarError("literal announced \(size) octets but only \(remaining) were received")
        }
        let data = Array(bytes[index..<(index + Int(size))])
        index += Int(size)
        if !binary, data.contains(0) { throw GrammarError("NUL byte in literal for \(what); use literal8 (~{n}) for binary data") }
        return (data, binary)
    }

    // MARK: Numbers

    // number          = 1*DIGIT            ; unsigned 32-bit integer
    mutating func number(_ what: String) throws(GrammarError) -> UInt32 {
        let v = try number64(what)
        guard v <= UInt64(UInt32.max) else { throw GrammarError("\(what) \(v) is larger than 4294967295") }
        return UInt32(v)
    }

    // nz-number       = digit-nz *DIGIT
    mutating func nzNumber(_ what: String) throws(GrammarError) -> UInt32 {
        let v = try number(what)
        guard v != 0 else { throw GrammarError("\(what) must not be 0") }
        return v
    }

    // number64        = 1*DIGIT            ; unsigned 63-bit integer
    mutating func number64(_ what: String) throws(GrammarError) -> UInt64 {
        let start = index
        var v: UInt64 = 0
        while let c = peek(), isDigit(c) {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            guard !o1, !o2, s <= UInt64(Int64.max) else { throw GrammarError("\(what) is too large") }
            v = s
            index += 1
        }
        guard index > start else { throw GrammarError("expected \(what) (a number), found \(describeNext())") }
        return v
    }

    mutating func int(_ what: String) throws(GrammarError) -> Int { Int(try number(what)) }

    // MARK: Sequence sets

    // sequence-set    = (seq-number / seq-range) ["," sequence-set] / "$"
    // seq-range       = seq-number ":" seq-number
    // seq-number      = nz-number / "*"
    mutating func sequenceSet() throws(GrammarError) -> SequenceSet {
        if tryConsume(UInt8(ascii: "$")) { return .savedResult }
        let token = upcomingToken()
        var ranges: [SequenceRange] = []
        repeat {
            guard let from = try? parseSeqNumber() else { throw GrammarError("invalid sequence set '\(token)'") }
            var to = from
            if tryConsume(UInt8(ascii: ":")) {
                guard let t = try? parseSeqNumber() else { throw GrammarError("invalid sequence set '\(token)'") }
                to = t
            }
            ranges.append(SequenceRange(from: from, to: to))
        } while tryConsume(UInt8(ascii: ","))
        if let c = peek(), c != 0x20, c != 0x0D, c != 0x0A, c != UInt8(ascii: ")") {
            throw GrammarError("invalid sequence set '\(token)'")
        }
        return SequenceSet(ranges)
    }

    private mutating func parseSeqNumber() throws(GrammarError) -> SequenceBound {
        if tryConsume(UInt8(ascii: "*")) { return .star }
        return .number(try nzNumber("message number"))
    }

    // uid-set         = (uniqueid / uid-range) *("," uid-set)
    // uid-range       = (uniqueid ":" uniqueid)
    mutating func uidSet() throws(GrammarError) -> UIDSet {
        let token = upcomingToken()
        var ranges: [ClosedRange<UInt32>] = []
        repeat {
            guard let a = try? nzNumber("uid") else { throw GrammarError("invalid UID set '\(token)'") }
            var b = a
            if tryConsume(UInt8(ascii: ":")) {
                guard let v = try? nzNumber("uid") else { throw GrammarError("invalid UID set '\(token)'") }
                b = v
            }
            ranges.append(min(a, b)...max(a, b))
        } while tryConsume(UInt8(ascii: ","))
        return UIDSet(ranges: ranges)
    }

    // MARK: Mailboxes

    // mailbox         = "INBOX" / astring
    mutating func mailbox() throws(GrammarError) -> MailboxName {
        MailboxName(try astring("mailbox name"))
    }

    // MARK: Flags

    // flag            = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    // flag-extension  = "\" atom
    // flag-keyword    = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" / "$Phishing" / atom
    mutating func flag() throws(GrammarError) -> Flag {
        let backslash = tryConsume(UInt8(ascii: "\\"))
        let start = index
        while let c = peek(), isAtomChar(c) { index += 1 }
        guard index > start else {
            throw GrammarError("invalid flag: expected a flag name\(backslash ? " after '\\'" : ""), found \(describeNext())")
        }
        let name = String(decoding: bytes[start..<index], as: UTF8.self)
        return Flag(backslash ? "\\" + name : name)
    }

    // flag-list       = "(" [flag *(SP flag)] ")"
    mutating func flagList() throws(GrammarError) -> [Flag] {
        try expect(UInt8(ascii: "("), "to start flag list")
        var flags: [Flag] = []
        if tryConsume(UInt8(ascii: ")")) { return flags }
        repeat { flags.append(try flag()) } while tryConsume(0x20)
        try expect(UInt8(ascii: ")"), "to end flag list")
        return flags
    }

    // MARK: Dates

    // date-time       = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    // date-day-fixed  = (SP DIGIT) / 2DIGIT
    // time            = 2DIGIT ":" 2DIGIT ":" 2DIGIT
    // zone            = ("+" / "-") 4DIGIT
    mutating func dateTime() throws(GrammarError) -> InternalDate {
        guard tryConsume(UInt8(ascii: "\"")) else { throw GrammarError("expected quoted date-time, found \(describeNext())") }
        let start = index
        guard let end = bytes[index...].firstIndex(of: UInt8(ascii: "\"")) else { throw GrammarError("unterminated date-time") }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let b = Array(bytes[start..<end])
        func bad(_ why: String) -> GrammarError { GrammarError("invalid date-time \"\(text)\": \(why)") }
        guard b.count == 26 else { throw bad("expected the form \"dd-Mon-yyyy hh:mm:ss +zzzz\"") }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard isDigit(b[i]) else { return nil }; v = v * 10 + Int(b[i] - 0x30) }
            return v
        }
        let day: Int?
        if b[0] == 0x20 { day = digits(1..<2) } else { day = digits(0..<2) }
        guard let d = day, b[2] == UInt8(ascii: "-"), b[6] == UInt8(ascii: "-"),
              let month = monthIndex(b[3..<6]), let y = digits(7..<11), b[11] == 0x20,
              let hh = digits(12..<14), b[14] == UInt8(ascii: ":"), let mm = digits(15..<17), b[17] == UInt8(ascii: ":"),
              let ss = digits(18..<20), b[20] == 0x20, b[21] == UInt8(ascii: "+") || b[21] == UInt8(ascii: "-"),
              let zh = digits(22..<24), let zm = digits(24..<26) else {
            throw bad("expected the form \"dd-Mon-yyyy hh:mm:ss +zzzz\"")
        }
        guard zm < 60 else { throw bad("zone minutes out of range") }
        let offset = (zh * 60 + zm) * (b[21] == UInt8(ascii: "-") ? -1 : 1)
        guard let date = InternalDate(year: y, month: month, day: d, hour: hh, minute: mm, second: ss, timeZoneOffsetMinutes: offset) else {
            throw bad("day or time out of range")
        }
        index = end + 1
        return date
    }

    // date            = date-text / DQUOTE date-text DQUOTE
    // date-text       = date-day "-" date-month "-" date-year
    // date-day        = 1*2DIGIT
    mutating func date() throws(GrammarError) -> SearchDate {
        let quotedForm = tryConsume(UInt8(ascii: "\""))
        let start = index
        while let c = peek(), isDigit(c) || isAlpha(c) || c == UInt8(ascii: "-") { index += 1 }
        let b = Array(bytes[start..<index])
        let text = String(decoding: b, as: UTF8.self)
        if quotedForm { try expect(UInt8(ascii: "\""), "to end date") }
        let parts = b.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), parts[0].allSatisfy(isDigit),
              let month = monthIndex(parts[1]), parts[2].count == 4, parts[2].allSatisfy(isDigit) else {
            throw GrammarError("invalid date '\(text)': expected the form d-Mon-yyyy, e.g. 1-Feb-2024")
        }
        let day = parts[0].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let year = parts[2].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard let date = SearchDate(year: year, month: month, day: day) else {
            throw GrammarError("invalid date '\(text)': day \(day) does not exist in \(monthNames[month - 1]) \(year)")
        }
        return date
    }

    // MARK: Sections

    // section         = "[" [section-spec] "]"
    // section-spec    = section-msgtext / (section-part ["." section-text])
    // section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    // section-part    = nz-number *("." nz-number)
    // section-text    = section-msgtext / "MIME"
    mutating func section() throws(GrammarError) -> SectionSpec {
        let token = upcomingToken()
        try expect(UInt8(ascii: "["), "to start section")
        if tryConsume(UInt8(ascii: "]")) { return .complete }
        var part: [Int] = []
        if let c = peek(), isDigit(c) {
            while true {
                guard let n = try? nzNumber("section part") else { throw GrammarError("invalid section \(token): part numbers start at 1") }
                part.append(Int(n))
                if tryConsume(UInt8(ascii: ".")) {
                    if let c = peek(), isDigit(c) { continue }
                    if let c = peek(), isAlpha(c) { break }
                    throw GrammarError("invalid section \(token): expected a part number or section text after '.'")
                }
                try expect(UInt8(ascii: "]"), "to end section \(token)")
                return SectionSpec(part: part, kind: .complete)
            }
        }
        let word = keyword()
        let kind: SectionKind
        switch word {
        case "HEADER": kind = .header
        case "TEXT": kind = .text
        case "MIME":
            guard !part.isEmpty else { throw GrammarError("invalid section \(token): MIME needs a part number") }
            kind = .mime
        case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
            try expectSP("after \(word)")
            let names = try headerList()
            kind = word == "HEADER.FIELDS" ? .headerFields(names) : .headerFieldsNot(names)
        default:
            throw GrammarError("invalid section \(token)")
        }
        try expect(UInt8(ascii: "]"), "to end section \(token)")
        return SectionSpec(part: part, kind: kind)
    }

    // header-list     = "(" header-fld-name *(SP header-fld-name) ")"
    // header-fld-name = astring
    mutating func headerList() throws(GrammarError) -> [String] {
        try expect(UInt8(ascii: "("), "to start header list")
        var names: [String] = []
        repeat { names.append(String(decoding: try astring("header field name"), as: UTF8.self)) } while tryConsume(0x20)
        try expect(UInt8(ascii: ")"), "to end header list")
        return names
    }

    // section-binary  = "[" [section-part] "]"
    mutating func sectionBinary() throws(GrammarError) -> [Int] {
        let token = upcomingToken()
        try expect(UInt8(ascii: "["), "to start binary section")
        var part: [Int] = []
        if tryConsume(UInt8(ascii: "]")) { return part }
        repeat {
            guard let n = try? nzNumber("section part") else { throw GrammarError("invalid binary section \(token)") }
            part.append(Int(n))
        } while tryConsume(UInt8(ascii: "."))
        guard tryConsume(UInt8(ascii: "]")) else { throw GrammarError("invalid binary section \(token)") }
        return part
    }

    // partial         = "<" number64 "." nz-number64 ">"
    mutating func partial() throws(GrammarError) -> Partial? {
        guard tryConsume(UInt8(ascii: "<")) else { return nil }
        let offset = try number("partial offset")
        try expect(UInt8(ascii: "."), "in partial <offset.length>")
        let length = try nzNumber("partial length")
        try expect(UInt8(ascii: ">"), "to end partial")
        return Partial(offset: Int(offset), length: Int(length))
    }

    // MARK: Parenthesised lists

    /// `"(" [item *(SP item)] ")"`; `allowEmpty` decides whether `()` is accepted.
    mutating func parenList<T>(_ what: String, allowEmpty: Bool = true, _ item: (inout ParseBuffer) throws(GrammarError) -> T) throws(GrammarError) -> [T] {
        try expect(UInt8(ascii: "("), "to start \(what)")
        var out: [T] = []
        if tryConsume(UInt8(ascii: ")")) {
            if !allowEmpty { throw GrammarError("empty \(what)") }
            return out
        }
        repeat { out.append(try item(&self)) } while tryConsume(0x20)
        try expect(UInt8(ascii: ")"), "to end \(what)")
        return out
    }
}

// MARK: Character classes (RFC 9051 §9)

@inline(__always) func upper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7A ? c - 0x20 : c }
@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
@inline(__always) func isKeywordChar(_ c: UInt8) -> Bool {
    isDigit(c) || isAlpha(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "=")
}

// atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
func isAtomChar(_ c: UInt8) -> Bool {
    guard c > 0x20, c < 0x7F else { return false }
    switch c {
    case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
         UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
        return false
    default:
        return true
    }
}

func isAStringChar(_ c: UInt8) -> Bool { isAtomChar(c) || c == UInt8(ascii: "]") }

// list-char       = ATOM-CHAR / list-wildcards / resp-specials
func isListChar(_ c: UInt8) -> Bool { isAStringChar(c) || c == UInt8(ascii: "%") || c == UInt8(ascii: "*") }

func monthIndex(_ b: ArraySlice<UInt8>) -> Int? {
    guard b.count == 3 else { return nil }
    let name = String(decoding: b, as: UTF8.self)
    return monthNames.firstIndex { asciiUppercased($0) == asciiUppercased(name) }.map { $0 + 1 }
}
