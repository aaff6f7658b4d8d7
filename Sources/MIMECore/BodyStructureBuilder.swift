import IMAPCore

/// Turns a `MessagePart` tree into IMAP BODYSTRUCTURE (RFC 9051 §7.5.2, `body`).
///
/// Type, subtype, encoding and parameter names are upper-cased as in the RFC's examples;
/// parameters are sorted by name so the output is stable.
enum BodyStructureBuilder {
    static func build(_ part: MessagePart) -> BodyStructure {
        if part.isMultipart {
            // A multipart without parts (no boundary, or no delimiter found) still needs one body:
            // report an empty text/plain part, as other servers do.
            let parts = part.children.isEmpty ? [emptyTextPart] : part.children.map(build)
            return .multipart(BodyStructure.MultiPart(
                parts: parts,
                subtype: part.mediaSubtype.uppercased(),
                parameters: parameters(part.parameters),
                disposition: disposition(part.disposition),
                language: part.language,
                location: part.location
            ))
        }
        let fields = BodyStructure.Fields(
            parameters: parameters(part.parameters),
            id: part.contentID,
            description: part.contentDescription,
            encoding: part.transferEncoding.uppercased(),
            octets: part.bodyRange.count
        )
        let ext = BodyStructure.SinglePartExtension(
            md5: part.contentMD5, disposition: disposition(part.disposition),
            language: part.language, location: part.location
        )
        let kind: BodyStructure.Kind
        if part.mediaType == "text" {
            kind = .text(subtype: part.mediaSubtype.uppercased(), lines: part.lines)
        } else if part.isEncapsulatedMessage, let inner = part.children.first {
            kind = .message(
                subtype: part.mediaSubtype.uppercased(),
                envelope: (inner.envelope ?? MessageEnvelope()).envelope,
                body: build(inner),
                lines: part.lines
            )
        } else {
            kind = .basic(type: part.mediaType.uppercased(), subtype: part.mediaSubtype.uppercased())
        }
        return .singlepart(BodyStructure.SinglePart(kind: kind, fields: fields, ext: ext))
    }

    private static let emptyTextPart = BodyStructure.singlepart(BodyStructure.SinglePart(
        kind: .text(subtype: "PLAIN", lines: 0),
        fields: BodyStructure.Fields(parameters: [BodyStructure.Parameter("CHARSET", Array("us-ascii".utf8))], octets: 0)
    ))

    private static func parameters(_ parameters: [String: String]) -> [BodyStructure.Parameter] {
        parameters.sorted { $0.key < $1.key }.map { BodyStructure.Parameter($0.key.uppercased(), Array($0.value.utf8)) }
    }

    private static func disposition(_ disposition: ContentDisposition?) -> BodyStructure.Disposition? {
        disposition.map { BodyStructure.Disposition(kind: $0.kind.uppercased(), parameters: parameters($0.parameters)) }
    }
}
