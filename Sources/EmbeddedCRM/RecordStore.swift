import CRM
import Foundation
import GRDB

/// The invariant-keeping steps of record writes, run inside one write transaction:
/// numbering, the derived columns (name, closed), the look-up tables and the change log.
enum RecordStore {
    /// Gives out the next auto number of `prefix` (`OPP-0001`, `OPP-0002`, …).
    static func nextNumber(_ prefix: String?, _ db: Database) throws -> String? {
        guard let prefix else { return nil }
        try db.cachedStatement(sql: """
            INSERT INTO numberSequence(prefix, lastValue) VALUES (?, 1)
            ON CONFLICT(prefix) DO UPDATE SET lastValue = lastValue + 1
            """).execute(arguments: [prefix])
        let value = try Int64.fetchOne(db.cachedStatement(sql: "SELECT lastValue FROM numberSequence WHERE prefix = ?"), arguments: [prefix]) ?? 1
        let digits = String(value)
        return prefix + "-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Sets the fields and the columns derived from them: the display name and the closed flag.
    static func apply(_ fields: [String: FieldValue], to row: inout RecordRow, module: ModuleDefinition) throws {
        let record = CRMRecord(ref: RecordRef(module.key, RecordID(rowID: row.id ?? 0)), number: row.number,
                               owner: row.ownerId.map(CRMUserID.init(rowID:)), fields: fields,
                               createdAt: row.createdAt, modifiedAt: row.modifiedAt)
        row.fields = try StoredFields.encode(fields)
        row.name = record.name(in: module)
        row.closed = module.closedRule?.isClosed(record) ?? false
    }

    /// Rewrites the look-up rows of a record: its email addresses (contacts, leads), its
    /// domains (accounts) and its references to other records.
    static func index(_ recordId: Int64, module: ModuleDefinition, fields: [String: FieldValue], _ db: Database) throws {
        try unindex(recordId, db)
        try db.cachedStatement(sql: "DELETE FROM recordReference WHERE recordId = ?").execute(arguments: [recordId])
        if module.key == .contacts || module.key == .leads {
            for email in normalized(fields["emails"]?.list) {
                try RecordEmailRow(recordId: recordId, email: email).insert(db)
            }
        }
        if module.key == .accounts {
            for domain in normalized(fields["domains"]?.list) {
                try AccountDomainRow(recordId: recordId, domain: domain).insert(db)
            }
        }
        for field in module.fields {
            guard case .reference = field.type, let target = fields[field.key]?.reference?.id.rowID else { continue }
            try RecordReferenceRow(recordId: recordId, field: field.key, targetId: target).insert(db)
        }
    }

    /// Removes a deleted record from the look-up tables, so that matching no longer finds it.
    static func unindex(_ recordId: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM recordEmail WHERE recordId = ?").execute(arguments: [recordId])
        try db.cachedStatement(sql: "DELETE FROM accountDomain WHERE recordId = ?").execute(arguments: [recordId])
    }

    static func log(_ kind: ChangeRow.Kind, _ row: RecordRow, previousOwner: Int64? = nil, at date: Date, _ db: Database) throws {
        guard let id = row.id else { return }
        var change = ChangeRow(seq: nil, module: row.module, recordId: id, kind: kind, previousOwnerId: previousOwner, at: date)
        try change.insert(db)
    }

    /// Trimmed, lower-cased, without blanks or repeats, in their first order.
    static func normalized(_ values: [String]?) -> [String] {
        var seen = Set<String>()
        return (values ?? [])
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
