/// Accumulates wire bytes with the IMAP primitive productions (RFC 9051 §4, §9).
///
/// `clientLiterals` selects the non-synchronizing `{n+}` form (LITERAL+, RFC 7888) that a client
/// sends; servers always write `{n}`.
struct EncodeBuffer {
    var bytes: [UInt8] = []
    var clientLiterals = false
    /// Strings longer than this are written as literals even if they could be quoted.
    static let maxQuotedLength = 1000

    init(clientLiterals: Bool = false) { self.clientLiterals = clientLiterals }

    mutating func write(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func write(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func write(byte: UInt8) { bytes.append(byte) }
    mutating func sp() { bytes.append(0x20) }
    mutating func crlf() { bytes.append(0x0D); bytes.append(0x0A) }

    /// Text for `resp-text`: CR and LF would end the line, so they become spaces.
    mutating func writeText(_ s: String) {
        for b in s.utf8 { bytes.append(b == 0x0D || b == 0x0A ? 0x20 : b) }
    }

    /// True when the bytes can be sent as a quoted string.
    static func isQuotable(_ b: [UInt8]) -> Bool {
        b.count <= maxQuotedLength && b.allSatisfy { $0 >= 0x01 && $0 <= 0x7F && $0 != 0x0D && $0 != 0x0A }
    }

    mutating func writeQuoted(_ b: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for c in b {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(c)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func writeLiteral(_ b: [UInt8], binary: Bool = false) {
        write((binary ? "~{" : "{") + "\(b.count)" + (clientLiterals ? "+}" : "}"))
        crlf()
        write(b)
    }

    // string = quoted / literal
    mutating func writeString(_ b: [UInt8]) {
        if EncodeBuffer.isQuotable(b) { writeQuoted(b) } else { writeLiteral(b) }
    }

    mutating func writeString(_ s: String) { writeString(Array(s.utf8)) }

    // nstring = string / nil
    mutating func writeNString(_ b: [UInt8]?) {
        if let b { writeString(b) } else { write("NIL") }
    }

    /// nstring that may carry binary content: NUL forces `literal8`.
    mutating func writeBinaryNString(_ b: [UInt8]?) {
        guard let b else { write("NIL"); return }
        if b.contains(0) { writeLiteral(b, binary: true) } else { writeString(b) }
    }

    // astring = 1*ASTRING-CHAR / string
    mutating func writeAString(_ b: [UInt8]) {
        if !b.isEmpty, b.allSatisfy(isAStringChar) { write(b) } else { writeString(b) }
    }

    mutating func writeMailbox(_ m: MailboxName) { writeAString(m.bytes) }

    // list-mailbox = 1*list-char / string
    mutating func writeListMailbox(_ b: [UInt8]) {
        if !b.isEmpty, b.allSatisfy(isListChar) { write(b) } else { writeString(b) }
    }

    mutating func writeNumber<T: BinaryInteger>(_ n: T) { write(String(n)) }

    mutating func writeSequenceSet(_ s: SequenceSet) {
        if s.isSavedResult { write("$"); return }
        for (i, r) in s.ranges.enumerated() {
            if i > 0 { write(byte: UInt8(ascii: ",")) }
            writeBound(r.from)
            if r.from != r.to { write(byte: UInt8(ascii: ":")); writeBound(r.to) }
        }
    }

    private mutating func writeBound(_ b: SequenceBound) {
        switch b {
        case .number(let n): writeNumber(n)
        case .star: write("*")
        }
    }

    mutating func writeUIDSet(_ s: UIDSet) { write(s.description) }

    mutating func writeFlagList(_ flags: [Flag]) {
        write("(")
        write(flags.map(\.rawValue).joined(separator: " "))
        write(")")
    }

    mutating func writeDateTime(_ d: InternalDate) { write("\"" + d.imapString + "\"") }

    // section-spec = section-msgtext / (section-part ["." section-text])
    mutating func writeSection(_ s: SectionSpec) {
        write("[")
        write(s.part.map(String.init).joined(separator: "."))
        let text: String?
        switch s.kind {
        case .complete: text = nil
        case .header: text = "HEADER"
        case .text: text = "TEXT"
        case .mime: text = "MIME"
        case .headerFields: text = "HEADER.FIELDS"
        case .headerFieldsNot: text = "HEADER.FIELDS.NOT"
        }
        if let text {
            if !s.part.isEmpty { write(".") }
            write(text)
        }
        if case .headerFields(let names) = s.kind { writeHeaderList(names) }
        if case .headerFieldsNot(let names) = s.kind { writeHeaderList(names) }
        write("]")
    }

    private mutating func writeHeaderList(_ names: [String]) {
        write(" (")
        for (i, n) in names.enumerated() {
            if i > 0 { sp() }
            writeAString(Array(n.utf8))
        }
        write(")")
    }

    mutating func writeSectionBinary(_ part: [Int]) {
        write("[" + part.map(String.init).joined(separator: ".") + "]")
    }

    mutating func writePartial(_ p: Partial?) {
        if let p { write("<\(p.offset).\(p.length)>") }
    }
}
