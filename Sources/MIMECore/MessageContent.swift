/// A file attached to a message, decoded.
public struct MessageAttachment: Hashable, Sendable {
    public var filename: String
    public var contentType: String
    public var data: [UInt8]
}

extension MessageIndex {
    /// The first text/plain and the first text/html body of the message (outside
    /// attachments), decoded from their transfer encoding and charset.
    public func bodies(in raw: [UInt8]) -> (plain: String?, html: String?) {
        var plain: String?
        var html: String?
        func visit(_ part: MessagePart) {
            if !part.children.isEmpty {
                if part.isEncapsulatedMessage { return }
                for child in part.children { visit(child) }
                return
            }
            guard part.disposition?.kind.lowercased() != "attachment", part.mediaType == "text" else { return }
            let text = decodedText(of: part, in: raw)
            if part.contentType == "text/plain", plain == nil { plain = text }
            if part.contentType == "text/html", html == nil { html = text }
        }
        visit(root)
        return (plain, html)
    }

    /// Every part that is an attachment (a disposition of attachment, or a file name,
    /// or a non-text leaf), decoded; encapsulated messages are attached whole.
    public func attachments(in raw: [UInt8]) -> [MessageAttachment] {
        var out: [MessageAttachment] = []
        func visit(_ part: MessagePart, isRoot: Bool) {
            let filename = part.disposition?.parameters["filename"] ?? part.parameters["name"]
            if part.isEncapsulatedMessage, !isRoot {
                out.append(MessageAttachment(filename: filename ?? "message.eml", contentType: part.contentType,
                                             data: Array(raw[clamp(part.bodyRange, raw.count)])))
                return
            }
            if !part.children.isEmpty {
                for child in part.children { visit(child, isRoot: false) }
                return
            }
            let isAttachment = part.disposition?.kind.lowercased() == "attachment" || filename != nil
                || (!isRoot && part.mediaType != "text" && part.mediaType != "multipart")
            guard isAttachment else { return }
            out.append(MessageAttachment(filename: filename ?? "attachment-\(out.count + 1)", contentType: part.contentType,
                                         data: decodedData(of: part, in: raw)))
        }
        visit(root, isRoot: true)
        return out
    }
}
