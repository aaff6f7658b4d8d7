import CRM
import Foundation

/// Everything the embedded CRM keeps of an archived email, for its web UI's record pages:
/// the headers and bodies, and what is attached (the bytes are fetched one by one).
public struct ArchivedEmailContent: Hashable, Sendable {
    public var summary: ArchivedEmail
    public var from: EmailAddress?
    public var to: [EmailAddress]
    public var cc: [EmailAddress]
    public var textBody: String?
    public var htmlBody: String?
    public var owner: CRMUserID
    public var archivedAt: Date
    /// The size of the raw message in bytes.
    public var rawSize: Int
    public var attachments: [ArchivedAttachment]
}

/// A file attached to an archived email, without its bytes; `id` fetches them.
public struct ArchivedAttachment: Hashable, Sendable {
    public var id: Int64
    public var filename: String
    public var contentType: String
    public var size: Int
}
