/// One MIME entity of a parsed message: where its header and body lie in the raw bytes, and the
/// header facts IMAP reports about it (RFC 2045, RFC 2046; RFC 9051 §7.5.2 BODYSTRUCTURE).
///
/// A `message/rfc822` (or `message/global`) part has exactly one child, the encapsulated
/// message, whose `headerRange` + `bodyRange` cover that whole message.
public struct MessagePart: Hashable, Sendable {
    /// The header section including its empty separator line, when there is one.
    public var headerRange: Range<Int>
    /// The body, still transfer-encoded; for a multipart it includes preamble, delimiters and epilogue.
    public var bodyRange: Range<Int>
    /// Lowercased `type/subtype`; `text/plain` when absent or invalid (`message/rfc822` inside multipart/digest).
    public var contentType: String
    /// Content-Type parameters with lowercased names; RFC 2231 continuations and charsets decoded.
    public var parameters: [String: String]
    /// Lowercased Content-Transfer-Encoding, "7bit" when absent.
    public var transferEncoding: String
    /// The parts of a multipart, or the one encapsulated message of message/rfc822 and message/global.
    public var children: [MessagePart]
    /// Lines in the body (an unterminated last line counts).
    public var lines: Int
    /// Content-ID, trimmed (RFC 2045 §7).
    public var contentID: [UInt8]?
    /// Content-Description, unfolded, still RFC 2047-encoded (RFC 2045 §8).
    public var contentDescription: [UInt8]?
    /// Content-MD5 (RFC 1864).
    public var contentMD5: [UInt8]?
    /// Content-Disposition (RFC 2183).
    public var disposition: ContentDisposition?
    /// Content-Language tags (RFC 3282).
    public var language: [String]
    /// Content-Location (RFC 2557).
    public var location: [UInt8]?
    /// ENVELOPE facts; set on the message itself and on every encapsulated message, nil on other parts.
    public var envelope: MessageEnvelope?

    public init(
        headerRange: Range<Int>, bodyRange: Range<Int>, contentType: String = "text/plain",
        parameters: [String: String] = [:], transferEncoding: String = "7bit", children: [MessagePart] = [],
        lines: Int = 0, contentID: [UInt8]? = nil, contentDescription: [UInt8]? = nil, contentMD5: [UInt8]? = nil,
        disposition: ContentDisposition? = nil, language: [String] = [], location: [UInt8]? = nil,
        envelope: MessageEnvelope? = nil
    ) {
        self.headerRange = headerRange; self.bodyRange = bodyRange
        self.contentType = contentType; self.parameters = parameters; self.transferEncoding = transferEncoding
        self.children = children; self.lines = lines
        self.contentID = contentID; self.contentDescription = contentDescription; self.contentMD5 = contentMD5
        self.disposition = disposition; self.language = language; self.location = location
        self.envelope = envelope
    }

    /// The top-level media type, e.g. "text".
    public var mediaType: String { String(contentType.prefix { $0 != "/" }) }

    /// The media subtype, e.g. "plain".
    public var mediaSubtype: String {
        guard let slash = contentType.firstIndex(of: "/") else { return "" }
        return String(contentType[contentType.index(after: slash)...])
    }

    public var isMultipart: Bool { mediaType == "multipart" }

    /// message/rfc822 or message/global: a part whose body is a whole message (RFC 2046 §5.2.1, RFC 6532 §3.5).
    public var isEncapsulatedMessage: Bool { contentType == "message/rfc822" || contentType == "message/global" }
}

/// A Content-Disposition header (RFC 2183): lowercased kind ("inline", "attachment") and parameters.
public struct ContentDisposition: Codable, Hashable, Sendable {
    public var kind: String
    public var parameters: [String: String]

    public init(kind: String, parameters: [String: String] = [:]) {
        self.kind = kind
        self.parameters = parameters
    }
}

extension MessagePart: Codable {
    private enum CodingKeys: String, CodingKey {
        case headerRange, bodyRange, contentType, parameters, transferEncoding, children, lines
        case contentID, contentDescription, contentMD5, disposition, language, location, envelope
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        headerRange = try c.decode(Range<Int>.self, forKey: .headerRange)
        bodyRange = try c.decode(Range<Int>.self, forKey: .bodyRange)
        contentType = try c.decode(String.self, forKey: .contentType)
        parameters = try c.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:]
        transferEncoding = try c.decode(String.self, forKey: .transferEncoding)
        children = try c.decodeIfPresent([MessagePart].self, forKey: .children) ?? []
        lines = try c.decode(Int.self, forKey: .lines)
        contentID = try c.decodeBytes(forKey: .contentID)
        contentDescription = try c.decodeBytes(forKey: .contentDescription)
        contentMD5 = try c.decodeBytes(forKey: .contentMD5)
        disposition = try c.decodeIfPresent(ContentDisposition.self, forKey: .disposition)
        language = try c.decodeIfPresent([String].self, forKey: .language) ?? []
        location = try c.decodeBytes(forKey: .location)
        envelope = try c.decodeIfPresent(MessageEnvelope.self, forKey: .envelope)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(headerRange, forKey: .headerRange)
        try c.encode(bodyRange, forKey: .bodyRange)
        try c.encode(contentType, forKey: .contentType)
        if !parameters.isEmpty { try c.encode(parameters, forKey: .parameters) }
        try c.encode(transferEncoding, forKey: .transferEncoding)
        if !children.isEmpty { try c.encode(children, forKey: .children) }
        try c.encode(lines, forKey: .lines)
        try c.encodeBytes(contentID, forKey: .contentID)
        try c.encodeBytes(contentDescription, forKey: .contentDescription)
        try c.encodeBytes(contentMD5, forKey: .contentMD5)
        try c.encodeIfPresent(disposition, forKey: .disposition)
        if !language.isEmpty { try c.encode(language, forKey: .language) }
        try c.encodeBytes(location, forKey: .location)
        try c.encodeIfPresent(envelope, forKey: .envelope)
    }
}
