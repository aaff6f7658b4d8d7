import CRM
import EmbeddedCRM
import Foundation

/// Renders archived emails (the activities the drop folders create) as the API's JSON:
///
/// ```json
/// {"id": "12", "messageId": "<m1@globex.example>", "subject": "Order", "date": "2026-03-01T09:30:00Z",
///  "from": {"name": "Ines Fischer", "email": "ines@globex.example"}, "to": [{"name": null, "email": "alice@example.com"}], "cc": [],
///  "people": [{"module": "contacts", "id": "5"}], "records": [{"module": "opportunities", "id": "26"}],
///  "attachments": [{"id": "7", "filename": "items.csv", "contentType": "text/csv", "size": 17}]}
/// ```
///
/// An attachment's `contentType` is the one its download is served with.
enum EmailJSON {
    static func render(_ email: ArchivedEmailContent) -> JSONValue {
        [
            "id": .string(email.summary.id.rawValue),
            "messageId": .optional(email.summary.messageID),
            "subject": .string(email.summary.subject),
            "date": .string(APIDates.format(email.summary.date)),
            "from": email.from.map(address) ?? .null,
            "to": .array(email.to.map(address)),
            "cc": .array(email.cc.map(address)),
            "people": .array(email.summary.people.map(reference)),
            "records": .array(email.summary.records.map(reference)),
            "attachments": .array(email.attachments.map(attachment)),
        ]
    }

    static func address(_ address: EmailAddress) -> JSONValue {
        ["name": .optional(address.name), "email": .string(address.address)]
    }

    /// A person or record the email relates to; people may be CRM users (`"module": "users"`).
    static func reference(_ ref: RecordRef) -> JSONValue {
        ["module": .string(ref.module.rawValue), "id": .string(ref.id.rawValue)]
    }

    static func attachment(_ attachment: ArchivedAttachment) -> JSONValue {
        [
            "id": .string(String(attachment.id)),
            "filename": .string(attachment.filename),
            "contentType": .string(EmailDownloads.safeContentType(attachment.contentType)),
            "size": .number(Decimal(attachment.size)),
        ]
    }
}
