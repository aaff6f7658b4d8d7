import Foundation

/// How a `MessageIndex` is kept beside the message: a compact binary form, written once at
/// APPEND and read by every FETCH of a body section and by SORT, THREAD and content SEARCH.
///
/// JSON (the `Codable` form, which stores of earlier versions hold) took 70–90 µs per message
/// each way, a few per cent of the server's CPU under a mixed IMAP load; this form takes a
/// few microseconds. `MessageIndex(stored:)` reads both.
///
/// The form: the version byte `0xB1` (never `{`, which starts the JSON form), then the fields
/// in declaration order. Integers are unsigned LEB128; an optional byte string is its length
/// plus one (0 for nil) and its bytes; a list is its count and its elements; a dictionary is
/// sorted by key, so the same index always gives the same bytes.
extension MessageIndex {
    static let storedVersion: UInt8 = 0xB1

    /// The binary form of the index.
    public var stored: [UInt8] {
        var writer = StoredIndexWriter()
        writer.bytes.append(Self.storedVersion)
        writer.int(size)
        writer.optional(sentDate.map { withUnsafeBytes(of: $0.timeIntervalSinceReferenceDate.bitPattern.littleEndian, Array.init) })
        writer.optional(messageID.map { Array($0.utf8) })
        writer.optional(inReplyTo.map { Array($0.utf8) })
        writer.strings(references)
        writer.part(root)
        return writer.bytes
    }

    /// Reads an index in its binary form or in the JSON form of earlier versions. Throws
    /// `StoredIndexError` for bytes that are neither (cut short, a range out of order, parts
    /// nested too deep, bytes left over).
    public init(stored: some Collection<UInt8>) throws {
        guard stored.first == Self.storedVersion else {
            guard stored.first == UInt8(ascii: "{") else {
                throw StoredIndexError(reason: "unknown format \(stored.first.map { String($0, radix: 16) } ?? "(empty)")", offset: 0)
            }
            self = try JSONDecoder().decode(MessageIndex.self, from: Data(stored))
            return
        }
        var reader = StoredIndexReader(bytes: Array(stored), position: 1)
        let size = try reader.int()
        let sentDate = try reader.optional().map { bytes -> Date in
            guard bytes.count == 8 else { throw reader.error("a date of \(bytes.count) bytes") }
            let bits = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits))
        }
        let messageID = try reader.optionalString()
        let inReplyTo = try reader.optionalString()
        let references = try reader.strings()
        let root = try reader.part(depth: 0)
        guard reader.position == reader.bytes.count else { throw reader.error("\(reader.bytes.count - reader.position) trailing bytes after the index") }
        self.init(root: root, size: size, sentDate: sentDate, messageID: messageID, inReplyTo: inReplyTo, references: references)
    }
}

/// Stored index bytes that cannot be read: what is wrong and at which byte.
public struct StoredIndexError: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public let offset: Int
    public var description: String { "unreadable stored message index at byte \(offset): \(reason)" }
}

private struct StoredIndexWriter {
    var bytes: [UInt8] = []

    mutating func int(_ value: Int) {
        var rest = UInt64(max(0, value))
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func optional(_ value: [UInt8]?) {
        guard let value else { return int(0) }
        int(value.count + 1)
        bytes += value
    }

    mutating func string(_ value: String) { optional(Array(value.utf8)) }

    mutating func strings(_ values: [String]) {
        int(values.count)
        for value in values { string(value) }
    }

    mutating func range(_ range: Range<Int>) {
        int(range.lowerBound)
        int(range.count)
    }

    mutating func dictionary(_ values: [String: String]) {
        int(values.count)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            string(key)
            string(value)
        }
    }

    mutating func addresses(_ list: [MessageAddress]) {
        int(list.count)
        for address in list {
            optional(address.name)
            optional(address.adl)
            optional(address.mailbox)
            optional(address.host)
        }
    }

    mutating func part(_ part: MessagePart) {
        range(part.headerRange)
        range(part.bodyRange)
        string(part.contentType)
        dictionary(part.parameters)
        string(part.transferEncoding)
        int(part.lines)
        optional(part.contentID)
        optional(part.contentDescription)
        optional(part.contentMD5)
        if let disposition = part.disposition {
            int(1)
            string(disposition.kind)
            dictionary(disposition.parameters)
        } else {
            int(0)
        }
        strings(part.language)
        optional(part.location)
        if let envelope = part.envelope {
            int(1)
            optional(envelope.date)
            optional(envelope.subject)
            for list in [envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc] { addresses(list) }
            optional(envelope.inReplyTo)
            optional(envelope.messageID)
        } else {
            int(0)
        }
        int(part.children.count)
        for child in part.children { self.part(child) }
    }
}

private struct StoredIndexReader {
    let bytes: [UInt8]
    var position: Int

    /// Far deeper than the parser nests parts (`MIMELimits.maxDepth`), shallow enough for the stack.
    static let maximumDepth = 256

    func error(_ reason: String) -> StoredIndexError { StoredIndexError(reason: reason, offset: position) }

    /// A non-negative integer that fits in an `Int` (at most 9 LEB128 bytes, 63 bits).
    mutating func int() throws -> Int {
        var value = 0, shift = 0
        while true {
            guard position < bytes.count else { throw error("cut short") }
            let byte = bytes[position]
            guard shift < 56 || byte < 0x80 else { throw error("an integer too large") }
            position += 1
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A count of elements each at least `minimumSize` bytes long: never more than the bytes left can hold.
    mutating func count(minimumSize: Int = 1) throws -> Int {
        let count = try int()
        guard count <= (bytes.count - position) / minimumSize else { throw error("a count of \(count) with \(bytes.count - position) bytes left") }
        return count
    }

    mutating func optional() throws -> [UInt8]? {
        let length = try int()
        guard length > 0 else { return nil }
        guard length - 1 <= bytes.count - position else { throw error("\(length - 1) bytes with \(bytes.count - position) left") }
        defer { position += length - 1 }
        return Array(bytes[position..<(position + length - 1)])
    }

    mutating func optionalString() throws -> String? {
        try optional().map { bytes in
            guard let string = String(validating: bytes, as: UTF8.self) else { throw error("a string that is not UTF-8") }
            return string
        }
    }

    mutating func string() throws -> String {
        guard let string = try optionalString() else { throw error("a missing string") }
        return string
    }

    mutating func strings() throws -> [String] {
        try (0..<count()).map { _ in try string() }
    }

    mutating func range() throws -> Range<Int> {
        let lower = try int(), count = try int()
        guard lower <= Int.max - count else { throw error("a range past the largest offset") }
        return lower..<(lower + count)
    }

    mutating func dictionary() throws -> [String: String] {
        var values: [String: String] = [:]
        for _ in 0..<(try count(minimumSize: 2)) { values[try string()] = try string() }
        return values
    }

    mutating func addresses() throws -> [MessageAddress] {
        try (0..<count(minimumSize: 4)).map { _ in
            MessageAddress(name: try optional(), adl: try optional(), mailbox: try optional(), host: try optional())
        }
    }

    mutating func flag() throws -> Bool {
        switch try int() {
        case 0: return false
        case 1: return true
        case let other: throw error("a presence flag of \(other)")
        }
    }

    mutating func part(depth: Int) throws -> MessagePart {
        guard depth < Self.maximumDepth else { throw error("parts nested deeper than \(Self.maximumDepth)") }
        var part = MessagePart(headerRange: try range(), bodyRange: try range())
        part.contentType = try string()
        part.parameters = try dictionary()
        part.transferEncoding = try string()
        part.lines = try int()
        part.contentID = try optional()
        part.contentDescription = try optional()
        part.contentMD5 = try optional()
        if try flag() { part.disposition = ContentDisposition(kind: try string(), parameters: try dictionary()) }
        part.language = try strings()
        part.location = try optional()
        if try flag() {
            var envelope = MessageEnvelope(date: try optional(), subject: try optional())
            envelope.from = try addresses()
            envelope.sender = try addresses()
            envelope.replyTo = try addresses()
            envelope.to = try addresses()
            envelope.cc = try addresses()
            envelope.bcc = try addresses()
            envelope.inReplyTo = try optional()
            envelope.messageID = try optional()
            part.envelope = envelope
        }
        part.children = try (0..<count(minimumSize: 12)).map { _ in try self.part(depth: depth + 1) }
        return part
    }
}
