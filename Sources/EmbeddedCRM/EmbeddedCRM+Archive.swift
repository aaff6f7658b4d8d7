import CRM
import Foundation
import GRDB

extension EmbeddedCRM {
    /// Idempotent by `email.key`: the key is UNIQUE in the schema, and the insert inside the
    /// write transaction yields to an activity already stored under it (`ON CONFLICT DO
    /// NOTHING`), so repeated or concurrent calls with one key make one activity; a repeat
    /// returns the stored activity as it is, without checking its relations again.
    public func archiveEmail(_ email: EmailArchive) async throws -> ArchivedEmail {
        let key = email.key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw CRMError(.permanent, "an archived email needs a key (its Message-ID or a hash of the message)", field: "key")
        }
        let catalog = self.catalog
        let related = Array(Set((email.records + email.people).map(\.module).filter { $0 != .users }))
        return try await write(notifying: { $0.created ? [.emails] + related : [] }) { db in
            let ownerId = try RecordValidator.checkOwner(email.owner, db)
            let encoder = JSONEncoder()
            var row = EmailRow(
                id: nil, archiveKey: key, messageId: email.messageID, subject: email.subject,
                fromName: email.from?.name, fromAddress: email.from?.address,
                toJSON: String(decoding: try encoder.encode(email.to), as: UTF8.self),
                ccJSON: String(decoding: try encoder.encode(email.cc), as: UTF8.self),
                date: email.date, textBody: email.textBody, htmlBody: email.htmlBody,
                rawMessage: Data(email.rawMessage), ownerId: ownerId, archivedAt: Date())
            guard let id = try ArchiveStore.insertUnlessKeyExists(&row, db) else {
                guard let existing = try ArchiveStore.row(archiveKey: key, db) else {
                    throw CRMError(.transient, "the embedded CRM could not archive the email under key \(key); try again")
                }
                return try ArchiveStore.summary(of: existing, created: false, db)
            }
            // A missing person or record throws here and rolls the new activity back.
            let people = try ArchiveStore.resolve(email.people, role: .person, catalog: catalog, db)
            let records = try ArchiveStore.resolve(email.records, role: .record, catalog: catalog, db)
            for (position, attachment) in email.attachments.enumerated() {
                var attachmentRow = AttachmentRow(
                    id: nil, emailId: id, position: position, filename: attachment.filename,
                    contentType: attachment.contentType, size: attachment.data.count, data: Data(attachment.data))
                try attachmentRow.insert(db)
            }
            for (position, target) in people.enumerated() {
                try EmailRelationRow(emailId: id, role: .person, position: position, recordId: target.recordId, userId: target.userId).insert(db)
            }
            for (position, target) in records.enumerated() {
                try EmailRelationRow(emailId: id, role: .record, position: position, recordId: target.recordId, userId: target.userId).insert(db)
            }
            // The related records' activities changed: their change feeds say so (a summary shows them).
            for recordId in Set((people + records).compactMap(\.recordId)) {
                try ArchiveStore.logActivity(recordId: recordId, db)
            }
            // Read the date back as stored, so this answer equals every later read.
            row.date = try Date.fetchOne(db.cachedStatement(sql: "SELECT date FROM email WHERE id = ?"), arguments: [id]) ?? row.date
            return try ArchiveStore.summary(of: row, created: true, db)
        }
    }

    public func archivedEmails(relatedTo ref: RecordRef, limit: Int?) async throws -> [ArchivedEmail] {
        if ref.module != .users { _ = try definition(ref.module) }
        return try await read { db in try ArchiveStore.summaries(relatedTo: ref, limit: limit, db) }
    }

    /// One read for all the records (a folder sync shows hundreds).
    public func archivedEmails(relatedTo refs: [RecordRef], limit: Int) async throws -> [RecordRef: [ArchivedEmail]] {
        for module in Set(refs.map(\.module)) where module != .users { _ = try definition(module) }
        return try await read { db in
            var found: [RecordRef: [ArchivedEmail]] = [:]
            for ref in refs where found[ref] == nil {
                found[ref] = try ArchiveStore.summaries(relatedTo: ref, limit: limit, db)
            }
            return found
        }
    }
}
