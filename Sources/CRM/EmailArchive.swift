import Foundation

/// An email address with its display name.
public struct EmailAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) { self.name = name; self.address = address }
    public var description: String { name.map { "\($0) <\(address)>" } ?? address }
}

/// A file attached to an archived email.
public struct EmailAttachment: Hashable, Sendable {
    public var filename: String
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String, data: [UInt8]) {
        self.filename = filename; self.contentType = contentType; self.data = data
    }
}

/// An email to archive in the CRM as an activity, related to people and records.
///
/// `key` makes archiving idempotent: the drop processor derives it from the Message-ID
/// (or a hash of the raw message) and the target, so a repeated or resumed drop finds
/// the activity it already created instead of making a second one.
public struct EmailArchive: Sendable {
    public var key: String
    public var messageID: String?
    public var subject: String
    public var from: EmailAddress?
    public var to: [EmailAddress]
    public var cc: [EmailAddress]
    public var date: Date
    public var textBody: String?
    public var htmlBody: String?
    public var rawMessage: [UInt8]
    public var attachments: [EmailAttachment]
    /// Contacts, leads (and users) the mail involves.
    public var people: [RecordRef]
    /// Accounts and records (opportunities, cases, …) the mail belongs to.
    public var records: [RecordRef]
    public var owner: CRMUserID

    public init(key: String, messageID: String?, subject: String, from: EmailAddress?, to: [EmailAddress] = [],
                cc: [EmailAddress] = [], date: Date, textBody: String?, htmlBody: String? = nil, rawMessage: [UInt8],
                attachments: [EmailAttachment] = [], people: [RecordRef] = [], records: [RecordRef] = [], owner: CRMUserID) {
        self.key = key; self.messageID = messageID; self.subject = subject; self.from = from; self.to = to; self.cc = cc
        self.date = date; self.textBody = textBody; self.htmlBody = htmlBody; self.rawMessage = rawMessage
        self.attachments = attachments; self.people = people; self.records = records; self.owner = owner
    }
}

/// An archived email activity as the CRM keeps it.
public struct ArchivedEmail: Hashable, Sendable {
    public var id: RecordID
    public var key: String
    public var messageID: String?
    public var subject: String
    public var date: Date
    public var people: [RecordRef]
    public var records: [RecordRef]
    public var attachmentNames: [String]
    /// False when `archiveEmail` found the activity already archived under the same key.
    public var created: Bool

    public init(id: RecordID, key: String, messageID: String?, subject: String, date: Date,
                people: [RecordRef], records: [RecordRef], attachmentNames: [String], created: Bool) {
        self.id = id; self.key = key; self.messageID = messageID; self.subject = subject; self.date = date
        self.people = people; self.records = records; self.attachmentNames = attachmentNames; self.created = created
    }
}
