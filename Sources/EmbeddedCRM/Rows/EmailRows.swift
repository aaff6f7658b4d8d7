import Foundation
import GRDB

/// An archived email activity (table `email`); `archiveKey` makes archiving idempotent.
struct EmailRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "email"
    var id: Int64?
    var archiveKey: String
    var messageId: String?
    var subject: String
    var fromName: String?
    var fromAddress: String?
    var toJSON: String
    var ccJSON: String
    var date: Date
    var textBody: String?
    var htmlBody: String?
    var rawMessage: Data
    var ownerId: Int64
    var archivedAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A file attached to an archived email (table `emailAttachment`).
struct AttachmentRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "emailAttachment"
    var id: Int64?
    var emailId: Int64
    var position: Int
    var filename: String
    var contentType: String
    var size: Int
    var data: Data

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let emailId = Column(CodingKeys.emailId)
        static let position = Column(CodingKeys.position)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// What an archived email relates to (table `emailRelation`): a person or a record,
/// pointing at either a record row or a user row.
struct EmailRelationRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "emailRelation"

    enum Role: String, Codable { case person, record }

    var emailId: Int64
    var role: Role
    var position: Int
    var recordId: Int64?
    var userId: Int64?
}
