import CRM
import Foundation
import GRDB

extension EmbeddedCRM {
    public func activeRecords(in key: ModuleKey, visibleTo user: CRMUserID) async throws -> [CRMRecord] {
        let module = try definition(key)
        return try await read { db in
            guard let userId = user.rowID, try UserRow.find(db, id: userId) != nil else {
                throw CRMError(.permanent, "the CRM has no user \"\(user)\"; the gateway account may be mapped to a user that was removed")
            }
            var request = RecordRow.filter(RecordRow.Columns.module == key.rawValue
                                           && RecordRow.Columns.deleted == false && RecordRow.Columns.closed == false)
            if module.visibility == .owned {
                request = request.filter(RecordRow.Columns.ownerId == userId)
            }
            return try request.order(RecordRow.Columns.id).fetchAll(db).map { try $0.record() }
        }
    }

    public func record(_ ref: RecordRef) async throws -> CRMRecord? {
        _ = try definition(ref.module)
        return try await read { db in try RecordRow.live(ref.id, in: ref.module, db)?.record() }
    }

    public func createRecord(in key: ModuleKey, _ draft: RecordDraft) async throws -> CRMRecord {
        let module = try definition(key)
        let validator = RecordValidator(module: module, catalog: catalog)
        return try await write(notifying: { _ in [key] }) { db in
            if let idempotencyKey = draft.idempotencyKey,
               let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT recordId FROM createKey WHERE key = ?"), arguments: [idempotencyKey]) {
                return try Self.reread(existing, db)
            }
            let fields = try validator.merge(draft, into: [:], db)
            let ownerId = try draft.owner.map { try RecordValidator.checkOwner($0, db) }
            let now = Date()
            var row = RecordRow(id: nil, module: key.rawValue, number: try RecordStore.nextNumber(module.numberPrefix, db),
                                ownerId: ownerId, name: "", fields: "{}", closed: false, deleted: false,
                                createdAt: now, modifiedAt: now)
            try RecordStore.apply(fields, to: &row, module: module)
            try row.insert(db)
            guard let id = row.id else { throw CRMError(.permanent, "the embedded CRM could not store the new record") }
            try RecordStore.index(id, module: module, fields: fields, db)
            try RecordStore.log(.created, row, at: now, db)
            if let idempotencyKey = draft.idempotencyKey {
                try db.cachedStatement(sql: "INSERT INTO createKey(key, recordId) VALUES (?, ?)").execute(arguments: [idempotencyKey, id])
            }
            return try Self.reread(id, db)
        }
    }

    public func updateRecord(_ ref: RecordRef, _ draft: RecordDraft) async throws -> CRMRecord {
        let module = try definition(ref.module)
        let validator = RecordValidator(module: module, catalog: catalog)
        let outcome: (record: CRMRecord, changed: Bool) = try await write(notifying: { $0.changed ? [ref.module] : [] }) { db in
            guard var row = try RecordRow.live(ref.id, in: ref.module, db), let id = row.id else {
                throw CRMError.notFound(ref)
            }
            let current = try StoredFields.decode(row.fields)
            let fields = try validator.merge(draft, into: current, db)
            let newOwner = try draft.owner.map { try RecordValidator.checkOwner($0, db) }
            let previousOwner = row.ownerId
            let ownerChanged = newOwner != nil && newOwner != previousOwner
            let fieldsChanged = fields != current
            guard ownerChanged || fieldsChanged else { return (try row.record(), false) }

            let wasClosed = row.closed
            let now = Date()
            if let newOwner { row.ownerId = newOwner }
            row.modifiedAt = now
            try RecordStore.apply(fields, to: &row, module: module)
            try row.update(db)
            if ownerChanged {
                try RecordStore.log(.reassigned, row, previousOwner: previousOwner, at: now, db)
            }
            if fieldsChanged {
                try RecordStore.index(id, module: module, fields: fields, db)
                try RecordStore.log(row.closed && !wasClosed ? .closed : .changed, row, at: now, db)
            }
            return (try Self.reread(id, db), true)
        }
        return outcome.record
    }

    public func deleteRecord(_ ref: RecordRef) async throws {
        _ = try definition(ref.module)
        try await write(notifying: { _ in [ref.module] }) { db in
            guard var row = try RecordRow.live(ref.id, in: ref.module, db), let id = row.id else {
                throw CRMError.notFound(ref)
            }
            let now = Date()
            row.deleted = true
            row.modifiedAt = now
            try row.update(db)
            try RecordStore.unindex(id, db)
            try RecordStore.log(.deleted, row, at: now, db)
        }
    }

    static func reread(_ id: Int64, _ db: Database) throws -> CRMRecord {
        guard let row = try RecordRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM record WHERE id = ?"), arguments: [id]) else {
            throw CRMError(.transient, "the embedded CRM lost track of record \(id) while writing it; try again")
        }
        return try row.record()
    }
}
