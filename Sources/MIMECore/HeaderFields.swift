/// One header field located in the raw message (RFC 5322 §2.2).
struct HeaderField: Sendable {
    /// The field name, without the colon or any obsolete whitespace before it.
    var nameRange: Range<Int>
    /// The field body after the colon, up to (not including) the field's final line break.
    var valueRange: Range<Int>
    /// The whole field including continuation lines and its final line break.
    var fieldRange: Range<Int>
}

/// The header section of one entity: its fields, and where the body starts.
struct HeaderBlock: Sendable {
    var fields: [HeaderField]
    /// The header section including the empty separator line when there is one.
    var range: Range<Int>

    /// The body begins where the header section ends.
    var bodyStart: Int { range.upperBound }

    /// Unfolded values of the first field of each of `names` (lowercase), in one pass over the
    /// fields, so a header with thousands of fields is not searched once per name.
    func values(_ names: Set<String>, in buffer: UnsafeBufferPointer<UInt8>) -> [String: [UInt8]] {
        let lengths = Set(names.map(\.utf8.count))
        var found: [String: [UInt8]] = [:]
        for field in fields where lengths.contains(field.nameRange.count) {
            let name = ASCII.lowercasedString(buffer[field.nameRange])
            if names.contains(name), found[name] == nil {
                found[name] = HeaderBlock.unfold(buffer[field.valueRange])
                if found.count == names.count { break }
            }
        }
        return found
    }
}

/// Splits a header section into fields without building strings.
///
/// Lenient by design: bare LF line endings, 8-bit bytes and NULs are accepted; a line that is
/// neither a field nor a continuation ends the header section (it becomes the first body line).
enum HeaderScanner {
    // field       = field-name ":" unstructured CRLF              (RFC 5322 §3.6.8)
    // obs-field   = field-name *WSP ":" unstructured CRLF         (RFC 5322 §4.5)
    // field-name  = 1*ftext ; printable US-ASCII except ":"
    static func scan(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, end: Int, maxFields: Int) -> HeaderBlock {
        var fields: [HeaderField] = []
        var position = start
        var current: HeaderField?

        func finish(_ field: HeaderField?) {
            guard var field, fields.count < maxFields else { return }
            var valueEnd = field.fieldRange.upperBound
            if valueEnd > field.valueRange.lowerBound, buffer[valueEnd - 1] == ASCII.lf { valueEnd -= 1 }
            if valueEnd > field.valueRange.lowerBound, buffer[valueEnd - 1] == ASCII.cr { valueEnd -= 1 }
            field.valueRange = field.valueRange.lowerBound..<max(field.valueRange.lowerBound, valueEnd)
            fields.append(field)
        }

        while position < end {
            let lineEnd = LineScanner.nextLineStart(buffer, from: position, end: end)
            let first = buffer[position]
            if first == ASCII.lf || (first == ASCII.cr && position + 1 < end && buffer[position + 1] == ASCII.lf) {
                finish(current)
                return HeaderBlock(fields: fields, range: start..<lineEnd)
            }
            if ASCII.isWhitespace(first) {
                guard var field = current else { break }
                field.fieldRange = field.fieldRange.lowerBound..<lineEnd
                current = field
                position = lineEnd
                continue
            }
            guard let colon = fieldNameEnd(buffer, from: position, lineEnd: lineEnd) else { break }
            finish(current)
            var nameEnd = colon
            while nameEnd > position, ASCII.isWhitespace(buffer[nameEnd - 1]) { nameEnd -= 1 }
            current = HeaderField(nameRange: position..<nameEnd, valueRange: (colon + 1)..<lineEnd, fieldRange: position..<lineEnd)
            position = lineEnd
        }
        finish(current)
        return HeaderBlock(fields: fields, range: start..<position)
    }

    /// Index of the colon if the line starts with a field name, else nil.
    private static func fieldNameEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, lineEnd: Int) -> Int? {
        var index = start
        var sawWhitespace = false
        while index < lineEnd {
            let b = buffer[index]
            if b == ASCII.colon { return index > start ? index : nil }
            if ASCII.isWhitespace(b) {
                sawWhitespace = true
            } else if sawWhitespace || b < 0x21 || b == 0x7F {
                return nil
            }
            index += 1
        }
        return nil
    }
}

extension HeaderBlock {
    /// Unfolds a field body (RFC 5322 §2.2.3: remove CRLF before WSP) and trims surrounding whitespace.
    static func unfold<C: Collection>(_ value: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        for b in value where b != ASCII.cr && b != ASCII.lf { out.append(b) }
        return ASCII.trimmed(out)
    }
}
