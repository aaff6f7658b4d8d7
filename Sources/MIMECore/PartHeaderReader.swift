/// Reads the MIME header fields of one entity into a `MessagePart` (ranges are filled in later).
///
/// Content-Type (RFC 2045 §5), Content-Transfer-Encoding (§6), Content-ID (§7),
/// Content-Description (§8), Content-Disposition (RFC 2183), Content-Language (RFC 3282),
/// Content-Location (RFC 2557), Content-MD5 (RFC 1864).
enum PartHeaderReader {
    static func read(_ header: HeaderBlock, in buffer: UnsafeBufferPointer<UInt8>, defaultType: String, isMessage: Bool) -> MessagePart {
        var part = MessagePart(headerRange: header.range, bodyRange: header.bodyStart..<header.bodyStart)
        let values = header.values(isMessage ? mimeFields.union(MessageEnvelope.fieldNames) : mimeFields, in: buffer)

        // Default: "Content-type: text/plain; charset=us-ascii"  (RFC 2045 §5.2)
        if let value = values["content-type"], let parsed = ContentTypeParser.contentType(value) {
            part.contentType = parsed.type + "/" + parsed.subtype
            part.parameters = parsed.parameters
        } else if defaultType == "text/plain" {
            part.contentType = "text/plain"
            part.parameters = ["charset": "us-ascii"]
        } else {
            part.contentType = defaultType
        }

        if let value = values["content-transfer-encoding"] {
            var index = 0
            ContentTypeParser.skipCFWS(value, &index)
            part.transferEncoding = ContentTypeParser.token(value, &index) ?? "7bit"
        }
        part.contentID = nonEmpty(values["content-id"])
        part.contentDescription = nonEmpty(values["content-description"])
        part.contentMD5 = nonEmpty(values["content-md5"])
        part.location = nonEmpty(values["content-location"]?.filter { !ASCII.isLineSpace($0) })
        if let value = values["content-disposition"], let parsed = ContentTypeParser.disposition(value) {
            part.disposition = ContentDisposition(kind: parsed.kind, parameters: parsed.parameters)
        }
        if let value = values["content-language"] {
            part.language = languageTags(value)
        }
        if isMessage {
            part.envelope = MessageEnvelope.build(values)
        }
        return part
    }

    private static let mimeFields: Set<String> = [
        "content-type", "content-transfer-encoding", "content-id", "content-description",
        "content-md5", "content-location", "content-disposition", "content-language",
    ]

    // Content-Language = Language-List ; Language-List = Language-Tag [CFWS] *("," [CFWS] Language-Tag [CFWS])
    private static func languageTags(_ value: [UInt8]) -> [String] {
        var tags: [String] = []
        var index = 0
        while index < value.count {
            ContentTypeParser.skipCFWS(value, &index)
            let start = index
            while index < value.count, value[index] != ASCII.comma, value[index] != ASCII.openParen, !ASCII.isLineSpace(value[index]) {
                index += 1
            }
            if index > start { tags.append(String(decoding: value[start..<index], as: UTF8.self)) }
            ContentTypeParser.skipCFWS(value, &index)
            if index < value.count, value[index] == ASCII.comma { index += 1 }
            else if index < value.count, index == start { index += 1 }
        }
        return tags
    }

    private static func nonEmpty(_ value: [UInt8]?) -> [UInt8]? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
