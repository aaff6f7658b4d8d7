import CRM
import GRDB

extension EmbeddedCRM {
    /// The cursor is the sequence number of the last change returned, as text.
    public func changes(in key: ModuleKey, since cursor: ChangeCursor?, limit: Int) async throws -> ChangeBatch {
        _ = try definition(key)
        guard limit > 0 else {
            throw CRMError(.permanent, "a change batch needs a limit of at least 1, not \(limit)")
        }
        var after: Int64 = 0
        if let cursor {
            guard let seq = Int64(cursor.rawValue), seq >= 0 else {
                throw CRMError(.permanent, "the change cursor \"\(cursor.rawValue)\" was not issued by the embedded CRM; read the changes again from the beginning")
            }
            after = seq
        }
        return try await read { [after] db in
            let rows = try ChangeRow
                .filter(ChangeRow.Columns.module == key.rawValue && ChangeRow.Columns.seq > after)
                .order(ChangeRow.Columns.seq)
                .limit(limit + 1)
                .fetchAll(db)
            let batch = rows.prefix(limit)
            let ids = Set(batch.map(\.recordId))
            let live = try RecordRow
                .filter(ids.contains(RecordRow.Columns.id) && RecordRow.Columns.deleted == false)
                .fetchAll(db)
            var current: [Int64: CRMRecord] = [:]
            for row in live { if let id = row.id { current[id] = try row.record() } }
            let changes = batch.map { row in
                RecordChange(kind: Self.kind(of: row), ref: RecordRef(key, RecordID(rowID: row.recordId)), record: current[row.recordId])
            }
            let last = batch.last?.seq ?? after
            return ChangeBatch(changes: changes, cursor: ChangeCursor(String(last)), hasMore: rows.count > limit)
        }
    }

    private static func kind(of row: ChangeRow) -> RecordChange.Kind {
        switch row.kind {
        case .created: .created
        case .changed: .changed
        case .closed: .closed
        case .deleted: .deleted
        case .reassigned: .reassigned(from: row.previousOwnerId.map(CRMUserID.init(rowID:)))
        case .activity: .activity
        }
    }
}
