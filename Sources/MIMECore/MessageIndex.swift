import Foundation
import IMAPCore

/// Everything the IMAP server needs from one message, computed once at APPEND so FETCH and
/// SEARCH read byte ranges of the stored message instead of parsing it again.
///
/// Persisted beside the raw bytes (`stored`, MessageIndex+Stored.swift). Offsets refer to exactly those bytes.
/// RFC 5322 (message format), RFC 2045–2047 and 2231 (MIME), RFC 9051 §6.4.5 and §7.5.2 (IMAP).
public struct MessageIndex: Codable, Hashable, Sendable {
    /// The message as a MIME tree; `root.headerRange` is the message header.
    public var root: MessagePart
    /// Size of the raw message in octets (RFC822.SIZE).
    public var size: Int
    /// The Date header, parsed; nil when absent or unreadable.
    public var sentDate: Date?
    /// The first msg-id of Message-ID, with angle brackets (`<id@host>`).
    public var messageID: String?
    /// The first msg-id of In-Reply-To, with angle brackets.
    public var inReplyTo: String?
    /// The msg-ids of References, oldest first, with angle brackets.
    public var references: [String]

    public init(root: MessagePart, size: Int, sentDate: Date? = nil, messageID: String? = nil, inReplyTo: String? = nil, references: [String] = []) {
        self.root = root
        self.size = size
        self.sentDate = sentDate
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
    }

    /// Parses a message. Never fails and never traps: broken input yields a best-effort tree.
    /// Linear in the size of the message; bodies are scanned, never turned into strings.
    public static func parse(_ raw: [UInt8], limits: MIMELimits = .init()) -> MessageIndex {
        raw.withUnsafeBufferPointer { buffer in
            var parser = EntityParser(buffer: buffer, limits: limits)
            let (root, header) = parser.parseMessage()
            let values = header.values(["date", "message-id", "in-reply-to", "references"], in: buffer)
            return MessageIndex(
                root: root,
                size: buffer.count,
                sentDate: values["date"].flatMap(DateParser.parse),
                messageID: values["message-id"].flatMap(MessageIDs.first),
                inReplyTo: values["in-reply-to"].flatMap { MessageIDs.all($0).first },
                references: values["references"].map(MessageIDs.all) ?? []
            )
        }
    }

    /// The Message-IDs of the conversation this message answers: In-Reply-To, then
    /// References newest first, without repeats.
    public var threadIDs: [String] {
        var seen = Set<String>()
        return ([inReplyTo].compactMap { $0 } + references.reversed()).filter { seen.insert($0).inserted }
    }

    /// ENVELOPE of the message (RFC 9051 §7.5.2).
    public var envelope: Envelope { (root.envelope ?? MessageEnvelope()).envelope }

    /// BODYSTRUCTURE of the message, with extension data (RFC 9051 §7.5.2).
    public var bodyStructure: BodyStructure { BodyStructureBuilder.build(root) }

    /// The part an IMAP section part number names (RFC 9051 §6.4.5).
    ///
    /// `[]` is the whole message. `[1]` is the first part of a multipart, or the body of a
    /// non-multipart message. The parts of an encapsulated message/rfc822 are numbered through it:
    /// for a message/rfc822 part `2`, `[2, 1]` is the first part of the message inside.
    public func part(at path: [Int]) -> MessagePart? {
        var node = root
        var isMessage = true
        for (position, number) in path.enumerated() {
            if node.isMultipart {
                guard number >= 1, number <= node.children.count else { return nil }
                node = node.children[number - 1]
            } else if isMessage, number == 1 {
                // The body of a non-multipart message is its part 1.
            } else {
                return nil
            }
            isMessage = false
            if position < path.count - 1, node.isEncapsulatedMessage, let inner = node.children.first {
                node = inner
                isMessage = true
            }
        }
        return node
    }

    /// The message whose HEADER / TEXT a section with this part number addresses:
    /// the whole message for `[]`, else the message inside a message/rfc822 part.
    func message(at path: [Int]) -> MessagePart? {
        guard !path.isEmpty else { return root }
        guard let part = part(at: path), part.isEncapsulatedMessage else { return nil }
        return part.children.first
    }
}
