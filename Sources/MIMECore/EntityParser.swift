/// Builds the `MessagePart` tree in one forward pass over the raw bytes.
///
/// Multipart bodies are split on boundary delimiter lines (RFC 2046 §5.1.1). A stack of the
/// boundaries in force lets an outer delimiter close inner parts whose own closing delimiter
/// is missing, so broken nesting never swallows the rest of the message. Every byte is looked
/// at a bounded number of times, which keeps a 20 MB message linear.
struct EntityParser {
    let buffer: UnsafeBufferPointer<UInt8>
    let limits: MIMELimits
    private var boundaries: [[UInt8]] = []
    private var partCount = 0

    init(buffer: UnsafeBufferPointer<UInt8>, limits: MIMELimits) {
        self.buffer = buffer
        self.limits = limits
    }

    /// What ended an entity's content.
    enum Terminator {
        case endOfInput
        /// A delimiter line of `boundaries[level]`; `lineStart` is where the line begins, `next` where the line after begins.
        case delimiter(level: Int, isClose: Bool, lineStart: Int, next: Int)
    }

    /// The whole message as the root entity.
    mutating func parseMessage() -> (MessagePart, HeaderBlock) {
        let header = HeaderScanner.scan(buffer, from: 0, end: buffer.count, maxFields: limits.maxHeaderFields)
        let (part, _) = parseEntity(header: header, defaultType: "text/plain", depth: 0, isMessage: true)
        return (part, header)
    }

    /// Parses the entity whose header starts at `start`; stops at the first delimiter of any open boundary.
    private mutating func parseEntity(at start: Int, defaultType: String, depth: Int, isMessage: Bool) -> (MessagePart, Terminator) {
        let header = HeaderScanner.scan(buffer, from: start, end: buffer.count, maxFields: limits.maxHeaderFields)
        return parseEntity(header: header, defaultType: defaultType, depth: depth, isMessage: isMessage)
    }

    private mutating func parseEntity(header: HeaderBlock, defaultType: String, depth: Int, isMessage: Bool) -> (MessagePart, Terminator) {
        partCount += 1
        var part = PartHeaderReader.read(header, in: buffer, defaultType: defaultType, isMessage: isMessage)
        let bodyStart = header.bodyStart
        let canNest = depth < limits.maxDepth && partCount < limits.maxParts
        let terminator: Terminator

        if part.isMultipart, canNest, let boundary = part.parameters["boundary"], !boundary.isEmpty {
            let childType = part.contentType == "multipart/digest" ? "message/rfc822" : "text/plain"
            (part.children, terminator) = parseMultipartBody(from: bodyStart, boundary: Array(boundary.utf8), childType: childType, depth: depth)
        } else if part.isEncapsulatedMessage, canNest, ["7bit", "8bit", "binary"].contains(part.transferEncoding) {
            let (child, end) = parseEntity(at: bodyStart, defaultType: "text/plain", depth: depth + 1, isMessage: true)
            part.children = [child]
            terminator = end
        } else {
            terminator = scanToDelimiter(from: bodyStart)
        }

        part.headerRange = header.range
        part.bodyRange = bodyStart..<contentEnd(before: terminator, floor: bodyStart)
        part.lines = LineScanner.countLines(buffer, in: part.bodyRange)
        return (part, terminator)
    }

    // multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part *encapsulation
    //                   close-delimiter transport-padding [CRLF epilogue]            (RFC 2046 §5.1.1)
    private mutating func parseMultipartBody(from start: Int, boundary: [UInt8], childType: String, depth: Int) -> ([MessagePart], Terminator) {
        boundaries.append(boundary)
        let level = boundaries.count - 1
        defer { boundaries.removeSubrange(level...) }
        var children: [MessagePart] = []
        var terminator = scanToDelimiter(from: start)  // skips the preamble
        while case .delimiter(let found, let isClose, _, let next) = terminator, found == level {
            if isClose {
                boundaries.removeSubrange(level...)
                return (children, scanToDelimiter(from: next))  // skips the epilogue
            }
            guard partCount < limits.maxParts else {
                terminator = scanToDelimiter(from: next)
                continue
            }
            let (child, end) = parseEntity(at: next, defaultType: childType, depth: depth + 1, isMessage: false)
            children.append(child)
            terminator = end
        }
        return (children, terminator)
    }

    /// Finds the next line that is a delimiter of an open boundary, innermost first.
    private func scanToDelimiter(from start: Int) -> Terminator {
        guard !boundaries.isEmpty else { return .endOfInput }
        var lineStart = start
        let end = buffer.count
        while lineStart < end {
            let next = LineScanner.nextLineStart(buffer, from: lineStart, end: end)
            if next - lineStart >= 3, buffer[lineStart] == ASCII.dash, buffer[lineStart + 1] == ASCII.dash {
                for level in boundaries.indices.reversed() {
                    if let isClose = matchDelimiter(boundaries[level], lineStart: lineStart + 2, lineEnd: next) {
                        return .delimiter(level: level, isClose: isClose, lineStart: lineStart, next: next)
                    }
                }
            }
            lineStart = next
        }
        return .endOfInput
    }

    // delimiter := CRLF dash-boundary ; close-delimiter := delimiter "--" ; then transport-padding CRLF
    /// nil when the line is not a delimiter of `boundary`; else whether it is the close delimiter.
    private func matchDelimiter(_ boundary: [UInt8], lineStart: Int, lineEnd: Int) -> Bool? {
        guard lineEnd - lineStart >= boundary.count else { return nil }
        for (offset, b) in boundary.enumerated() where buffer[lineStart + offset] != b { return nil }
        var index = lineStart + boundary.count
        var isClose = false
        if index + 1 < lineEnd, buffer[index] == ASCII.dash, buffer[index + 1] == ASCII.dash {
            isClose = true
            index += 2
        }
        while index < lineEnd, ASCII.isLineSpace(buffer[index]) { index += 1 }
        return index == lineEnd ? isClose : nil
    }

    /// Content ends before the line break that belongs to the delimiter line (RFC 2046 §5.1.1).
    private func contentEnd(before terminator: Terminator, floor: Int) -> Int {
        guard case .delimiter(_, _, let lineStart, _) = terminator else { return buffer.count }
        var end = lineStart
        if end > floor, buffer[end - 1] == ASCII.lf { end -= 1 }
        if end > floor, buffer[end - 1] == ASCII.cr { end -= 1 }
        return max(floor, end)
    }
}
