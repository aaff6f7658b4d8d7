import CRM
import Foundation
import GRDB

/// Reads of archived emails beyond the connector protocol, for the embedded web UI and
/// the JSON API. Like the admin API they ignore the outage switch: both are part of this CRM.
extension EmbeddedCRM {
    /// The archived email with this id, or nil.
    public func archivedEmail(id: RecordID) async throws -> ArchivedEmailContent? {
        try await read(gated: false) { db in
            guard let rowID = id.rowID, let row = try ArchiveStore.row(id: rowID, db) else { return nil }
            return try ArchiveStore.content(of: row, db)
        }
    }

    /// A page of the archived emails related to a record (as person or as record), newest
    /// first, with their content, and how many there are in all, in one read; like
    /// `archivedEmails(relatedTo:limit:)`.
    public func archivedEmailContents(relatedTo ref: RecordRef, offset: Int = 0, limit: Int? = nil) async throws -> (emails: [ArchivedEmailContent], total: Int) {
        if ref.module != .users { _ = try definition(ref.module) }
        return try await read(gated: false) { db in
            (try ArchiveStore.rows(relatedTo: ref, offset: offset, limit: limit, db).map { try ArchiveStore.content(of: $0, db) },
             try ArchiveStore.count(relatedTo: ref, db))
        }
    }

    /// Every archived email whose Message-ID is exactly `messageID` (with its angle brackets),
    /// in the order they were archived: a drop archives one activity per target.
    public func archivedEmailContents(messageID: String) async throws -> [ArchivedEmailContent] {
        try await read(gated: false) { db in
            try ArchiveStore.rows(messageID: messageID, db).map { try ArchiveStore.content(of: $0, db) }
        }
    }

    /// The raw RFC 5322 message of an archived email, or nil when there is no such email.
    public func rawMessage(ofEmail id: RecordID) async throws -> [UInt8]? {
        try await read(gated: false) { db in
            guard let rowID = id.rowID else { return nil }
            return try Data.fetchOne(db.cachedStatement(sql: "SELECT rawMessage FROM email WHERE id = ?"), arguments: [rowID]).map { [UInt8]($0) }
        }
    }

    /// An attachment of this email with its bytes, or nil when the email has no such attachment.
    public func attachment(id: Int64, ofEmail email: RecordID) async throws -> EmailAttachment? {
        try await read(gated: false) { db in
            guard let emailId = email.rowID else { return nil }
            return try AttachmentRow
                .filter(AttachmentRow.Columns.id == id && AttachmentRow.Columns.emailId == emailId)
                .fetchOne(db)
                .map(Self.emailAttachment)
        }
    }

    private static func emailAttachment(_ row: AttachmentRow) -> EmailAttachment {
        EmailAttachment(filename: row.filename, contentType: row.contentType, data: [UInt8](row.data))
    }
}
