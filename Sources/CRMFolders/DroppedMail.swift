import CRM
import Crypto
import Foundation
import IMAPCore
import MailStore
import MIMECore

/// A mail being archived, read once: its subject, text, archive key and attachments.
struct DroppedMail {
    let raw: [UInt8]
    let index: MessageIndex
    let subject: String
    let bodies: (plain: String?, html: String?)
    /// The Message-ID, or a hash of the raw message when it has none; with the target it
    /// makes the archive key, and with the module the creation key.
    let key: String

    init(raw: [UInt8], index: MessageIndex) {
        self.raw = raw
        self.index = index
        subject = index.headerValues("Subject", in: raw).first ?? ""
        bodies = index.bodies(in: raw)
        key = index.messageID ?? "sha256:" + SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
    }

    /// The text body, or the HTML body rendered to text.
    var text: String? { bodies.plain ?? bodies.html.map(Self.text(fromHTML:)) }

    /// The mail as an email activity for `target`, related to `people` and `records`.
    func archive(to target: String, people: [RecordRef], records: [RecordRef], owner: CRMUserID) -> EmailArchive {
        let envelope = index.envelope
        return EmailArchive(
            key: "\(key)|\(target)", messageID: index.messageID, subject: subject,
            from: envelope.from.compactMap(Self.address).first, to: envelope.to.compactMap(Self.address),
            cc: envelope.cc.compactMap(Self.address), date: index.sentDate ?? Date(), textBody: text, htmlBody: bodies.html,
            rawMessage: raw,
            attachments: index.attachments(in: raw).map { EmailAttachment(filename: $0.filename, contentType: $0.contentType, data: $0.data) },
            people: people, records: records, owner: owner)
    }

    /// What conversation follow remembers of the mail once archived to `target` (nothing
    /// without a Message-ID: no reply can name it).
    func tracking(target: String, records: [RecordRef], people: [RecordRef]) -> [TrackedMessage] {
        guard let messageID = index.messageID else { return [] }
        return [TrackedMessage(messageID: messageID, target: target, records: records.map(\.description), people: people.map(\.description))]
    }

    static func address(_ address: EnvelopeAddress) -> EmailAddress? {
        guard let mailbox = address.mailbox, let host = address.host, !host.isEmpty else { return nil }
        let name = address.name.map { HeaderDecoding.decodeEncodedWords($0) }.flatMap { $0.isEmpty ? nil : $0 }
        return EmailAddress(name: name, address: String(decoding: mailbox, as: UTF8.self) + "@" + String(decoding: host, as: UTF8.self))
    }

    /// Readable text from HTML: tags dropped, breaks and paragraphs as new lines, entities decoded.
    static func text(fromHTML html: String) -> String {
        var text = html.replacingOccurrences(of: #"(?is)<(script|style)[^>]*>.*?</\1>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>"#, with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: #"\n{3,}"#, with: "\n\n", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
