import CRM
import Foundation
import GRDB

/// Reads of archived emails beyond the connector protocol, for the embedded web UI.
/// Like the admin API they ignore the outage switch: the web UI is part of this CRM.
extension EmbeddedCRM {
    /// The archived email with this id, or nil.
    public func archivedEmail(id: RecordID) async throws -> ArchivedEmailContent? {
        try await read(gated: false) { db in
            guard let rowID = id.rowID, let row = try EmailRow.fetchOne(db, key: rowID) else { return nil }
            let attachments = try AttachmentRow
                .select(AttachmentRow.Columns.id, Column("filename"), Column("contentType"), Column("size"))
                .filter(AttachmentRow.Columns.emailId == rowID)
                .order(AttachmentRow.Columns.position)
                .asRequest(of: Row.self)
                .fetchAll(db)
                .map { ArchivedAttachment(id: $0["id"], filename: $0["filename"], contentType: $0["contentType"], size: $0["size"]) }
            let rawSize = try Int.fetchOne(db, sql: "SELECT length(rawMessage) FROM email WHERE id = ?", arguments: [rowID]) ?? 0
            let decoder = JSONDecoder()
            return ArchivedEmailContent(
                summary: try ArchiveStore.summary(of: row, created: false, db),
                from: row.fromAddress.map { EmailAddress(name: row.fromName, address: $0) },
                to: try decoder.decode([EmailAddress].self, from: Data(row.toJSON.utf8)),
                cc: try decoder.decode([EmailAddress].self, from: Data(row.ccJSON.utf8)),
                textBody: row.textBody, htmlBody: row.htmlBody, owner: CRMUserID(rowID: row.ownerId),
                archivedAt: row.archivedAt, rawSize: rawSize, attachments: attachments)
        }
    }

    /// The raw RFC 5322 message of an archived email, or nil when there is no such email.
    public func rawMessage(ofEmail id: RecordID) async throws -> [UInt8]? {
        try await read(gated: false) { db in
            guard let rowID = id.rowID else { return nil }
            return try Data.fetchOne(db, sql: "SELECT rawMessage FROM email WHERE id = ?", arguments: [rowID]).map { [UInt8]($0) }
        }
    }

    /// An attachment with its bytes, or nil when there is no such attachment.
    public func attachment(id: Int64) async throws -> EmailAttachment? {
        try await read(gated: false) { db in
            try AttachmentRow.fetchOne(db, key: id).map {
                EmailAttachment(filename: $0.filename, contentType: $0.contentType, data: [UInt8]($0.data))
            }
        }
    }
}
