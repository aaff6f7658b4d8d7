/// Undoes a Content-Transfer-Encoding (RFC 2045 §6).
///
/// Decoders are lenient: characters outside the base64 alphabet are skipped, malformed
/// quoted-printable escapes are kept literally. They never fail.
enum TransferDecoding {
    /// Decodes `bytes` that were encoded with `encoding` (lowercased); nil for an unknown encoding.
    static func decode<C: Collection>(_ bytes: C, encoding: String) -> [UInt8]? where C.Element == UInt8 {
        switch encoding {
        case "7bit", "8bit", "binary", "": return Array(bytes)
        case "base64": return base64(bytes)
        case "quoted-printable": return quotedPrintable(bytes)
        default: return nil
        }
    }

    /// 0xFF marks bytes outside the base64 alphabet (RFC 2045 §6.8, Table 1).
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    static func base64<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        if let decoded = bytes.withContiguousStorageIfAvailable({ base64Buffer($0) }) { return decoded }
        return Array(bytes).withUnsafeBufferPointer { base64Buffer($0) }
    }

    private static func base64Buffer(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count / 4 * 3 + 3)
        base64Values.withUnsafeBufferPointer { table in
            var accumulator: UInt32 = 0
            var bits: UInt32 = 0
            for b in buffer {
                let value = table[Int(b)]
                if value == 0xFF {
                    // "=" ends a group; leftover bits are padding.
                    if b == ASCII.equals { accumulator = 0; bits = 0 }
                    continue
                }
                accumulator = (accumulator << 6) | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: accumulator >> bits))
                    accumulator &= (1 << bits) - 1
                }
            }
        }
        return out
    }

    // quoted-printable: "=" 2HEX is an octet; "=" at the end of a line is a soft line break;
    // white space at the end of a line is deleted.  (RFC 2045 §6.7 rules 1, 3, 5)
    static func quotedPrintable<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let b = input[index]
            if ASCII.isWhitespace(b) {
                // Rule 3: white space at the end of an encoded line was added in transport; it goes.
                var end = index
                while end < input.count, ASCII.isWhitespace(input[end]) { end += 1 }
                let atLineEnd = end == input.count || input[end] == ASCII.lf
                    || (input[end] == ASCII.cr && end + 1 < input.count && input[end + 1] == ASCII.lf)
                if !atLineEnd { out.append(contentsOf: input[index..<end]) }
                index = end
                continue
            }
            guard b == ASCII.equals else {
                out.append(b)
                index += 1
                continue
            }
            if index + 2 < input.count, let high = ASCII.hexValue(input[index + 1]), let low = ASCII.hexValue(input[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            // Soft line break: "=" then optional transport padding then CRLF or LF (or end of input).
            var look = index + 1
            while look < input.count, ASCII.isWhitespace(input[look]) { look += 1 }
            if look == input.count {
                index = look
            } else if input[look] == ASCII.lf {
                index = look + 1
            } else if input[look] == ASCII.cr, look + 1 < input.count, input[look + 1] == ASCII.lf {
                index = look + 2
            } else {
                out.append(b)
                index += 1
            }
        }
        return out
    }
}
