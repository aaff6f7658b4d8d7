extension MessageIndex {
    /// The content of a part with its Content-Transfer-Encoding undone, for IMAP BINARY (RFC 3516).
    ///
    /// `[]` is the whole message as stored. nil when the part does not exist, is a multipart,
    /// or uses an encoding this module does not know (the server answers UNKNOWN-CTE).
    public func decodedBody(_ path: [Int], in raw: [UInt8]) -> [UInt8]? {
        decodedBody(path, window: raw, at: 0)
    }

    /// Like `decodedBody(_:in:)`, from `window`: the message's bytes from `offset` on that
    /// cover at least `sourceRange(path, .complete)`.
    public func decodedBody(_ path: [Int], window: [UInt8], at offset: Int) -> [UInt8]? {
        if path.isEmpty { return slice(window, (0 - offset)..<(size - offset)) }
        guard let part = part(at: path), !part.isMultipart else { return nil }
        let range = (part.bodyRange.lowerBound - offset)..<(part.bodyRange.upperBound - offset)
        return TransferDecoding.decode(window[clamp(range, window.count)], encoding: part.transferEncoding)
    }

    /// Decoded text of every text/* part (inside encapsulated messages too), converted from its
    /// charset, parts separated by a newline: what SEARCH BODY and TEXT match against.
    public func searchableText(in raw: [UInt8]) -> String {
        var texts: [String] = []
        collectText(root, raw: raw, into: &texts)
        return texts.joined(separator: "\n")
    }

    private func collectText(_ part: MessagePart, raw: [UInt8], into texts: inout [String]) {
        if !part.children.isEmpty {
            for child in part.children { collectText(child, raw: raw, into: &texts) }
            return
        }
        guard part.mediaType == "text" else { return }
        texts.append(decodedText(of: part, in: raw))
    }

    /// A leaf part's body without its transfer encoding (as sent when that is unreadable).
    func decodedData(of part: MessagePart, in raw: [UInt8]) -> [UInt8] {
        let body = raw[clamp(part.bodyRange, raw.count)]
        return TransferDecoding.decode(body, encoding: part.transferEncoding) ?? Array(body)
    }

    /// A text part's body as text: transfer encoding, then charset (US-ASCII when unnamed).
    func decodedText(of part: MessagePart, in raw: [UInt8]) -> String {
        Charset.decode(decodedData(of: part, in: raw), charset: part.parameters["charset"] ?? "us-ascii")
    }

    /// Values of the top-level header fields called `name` (case-insensitive), unfolded and
    /// RFC 2047-decoded, in message order: what SEARCH HEADER, FROM, SUBJECT … match against.
    public func headerValues(_ name: String, in raw: [UInt8]) -> [String] {
        headerFields(in: raw) { ASCII.equalsIgnoringCase($0, name) }.map(\.value)
    }

    /// Every top-level header field (or those whose name passes `wanted`), its value unfolded
    /// and RFC 2047-decoded, in message order.
    public func headerFields(in raw: [UInt8], where wanted: (ArraySlice<UInt8>) -> Bool = { _ in true }) -> [(name: String, value: String)] {
        let range = clamp(root.headerRange, raw.count)
        return raw.withUnsafeBufferPointer { buffer in
            let header = HeaderScanner.scan(buffer, from: range.lowerBound, end: range.upperBound, maxFields: Int.max)
            return header.fields
                .filter { wanted(ArraySlice(buffer[$0.nameRange])) }
                .map { (String(decoding: buffer[$0.nameRange], as: UTF8.self), HeaderDecoding.decodeEncodedWords(HeaderBlock.unfold(buffer[$0.valueRange]))) }
        }
    }
}
