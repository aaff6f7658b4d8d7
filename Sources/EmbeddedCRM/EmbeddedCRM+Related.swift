import CRM
import GRDB

/// Reads of the reference table beyond the connector protocol, for the embedded web UI's
/// record pages ("the contacts of this account", "what refers to this deal"). Like the
/// other web UI reads they ignore the outage switch.
extension EmbeddedCRM {
    /// Live records whose reference fields point at `target`, optionally of one module only,
    /// ordered by name, at most `limit`.
    public func records(referencing target: RecordRef, in module: ModuleKey? = nil, limit: Int = 100) async throws -> [CRMRecord] {
        if let module { _ = try definition(module) }
        return try await read(gated: false) { db in
            guard let targetId = target.id.rowID else { return [] }
            var sql = """
                SELECT DISTINCT record.* FROM record
                JOIN recordReference ON recordReference.recordId = record.id
                JOIN record AS target ON target.id = recordReference.targetId
                WHERE recordReference.targetId = ? AND target.module = ? AND record.deleted = 0
                """
            var arguments: StatementArguments = [targetId, target.module.rawValue]
            if let module {
                sql += " AND record.module = ?"
                arguments += [module.rawValue]
            }
            sql += " ORDER BY record.module, record.name COLLATE NOCASE, record.id LIMIT ?"
            arguments += [max(limit, 0)]
            return try RecordRow.fetchAll(db, sql: sql, arguments: arguments).map { try $0.record() }
        }
    }
}
