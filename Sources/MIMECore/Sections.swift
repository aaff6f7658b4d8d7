import IMAPCore

extension MessageIndex {
    /// The bytes of a section, cut from `raw` with the stored offsets; nil when the part does
    /// not exist or the kind does not apply to it (HEADER of a part that is not message/rfc822).
    /// Header sections always end with the empty line, as IMAP requires.
    public func section(_ path: [Int], _ kind: SectionKind, in raw: [UInt8]) -> [UInt8]? {
        section(path, kind, window: raw, at: 0)
    }

    /// The stretch of the stored message a section is cut from: a part's header or body.
    /// Lets a store read just those bytes (and stream big bodies) instead of the whole message.
    public func sourceRange(_ path: [Int], _ kind: SectionKind) -> Range<Int>? {
        switch kind {
        case .complete: path.isEmpty ? 0..<size : part(at: path)?.bodyRange
        case .text: message(at: path)?.bodyRange
        case .header, .headerFields, .headerFieldsNot: message(at: path)?.headerRange
        case .mime: path.isEmpty ? nil : part(at: path)?.headerRange
        }
    }

    /// Like `section(_:_:in:)`, from `window`: the bytes of the message starting at `offset`
    /// that cover at least `sourceRange(path, kind)`.
    public func section(_ path: [Int], _ kind: SectionKind, window: [UInt8], at offset: Int) -> [UInt8]? {
        func local(_ range: Range<Int>) -> Range<Int> { (range.lowerBound - offset)..<(range.upperBound - offset) }
        switch kind {
        case .complete:
            if path.isEmpty { return slice(window, local(0..<size)) }
            return part(at: path).map { slice(window, local($0.bodyRange)) }
        case .text:
            return message(at: path).map { slice(window, local($0.bodyRange)) }
        case .header:
            return message(at: path).map { terminatedHeader(slice(window, local($0.headerRange))) }
        case .mime:
            guard !path.isEmpty, let part = part(at: path) else { return nil }
            return terminatedHeader(slice(window, local(part.headerRange)))
        case .headerFields(let names):
            return message(at: path).map { filteredHeader(local($0.headerRange), in: window, names: names, keep: true) }
        case .headerFieldsNot(let names):
            return message(at: path).map { filteredHeader(local($0.headerRange), in: window, names: names, keep: false) }
        }
    }

    /// Fields whose name is (or, with `keep == false`, is not) in `names`, each with its folded
    /// lines as stored, followed by the empty line.
    private func filteredHeader(_ range: Range<Int>, in raw: [UInt8], names: [String], keep: Bool) -> [UInt8] {
        let wanted = Set(names.map { $0.lowercased() })
        let clamped = clamp(range, raw.count)
        var out: [UInt8] = []
        raw.withUnsafeBufferPointer { buffer in
            let header = HeaderScanner.scan(buffer, from: clamped.lowerBound, end: clamped.upperBound, maxFields: Int.max)
            for field in header.fields {
                let name = ASCII.lowercasedString(buffer[field.nameRange])
                guard wanted.contains(name) == keep else { continue }
                out += buffer[field.fieldRange]
                if out.last != ASCII.lf { out += ASCII.crlf }
            }
        }
        return out + ASCII.crlf
    }

    /// Appends whatever is missing for the bytes to end with an empty line.
    private func terminatedHeader(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.isEmpty { return ASCII.crlf }
        if bytes.last != ASCII.lf { return bytes + ASCII.crlf + ASCII.crlf }
        let withoutLast = bytes.dropLast().last == ASCII.cr ? bytes.dropLast(2) : bytes.dropLast()
        if withoutLast.isEmpty || withoutLast.last == ASCII.lf { return bytes }
        return bytes + ASCII.crlf
    }
}

/// `range` limited to `0..<count`, so an index used with other bytes than it was built from cannot trap.
func clamp(_ range: Range<Int>, _ count: Int) -> Range<Int> {
    let lower = min(max(range.lowerBound, 0), count)
    let upper = min(max(range.upperBound, lower), count)
    return lower..<upper
}

func slice(_ raw: [UInt8], _ range: Range<Int>) -> [UInt8] {
    Array(raw[clamp(range, raw.count)])
}
