import CRM
import GRDB

extension EmbeddedCRM {
    public func findPeople(email: String) async throws -> [PersonMatch] {
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !address.isEmpty else { return [] }
        return try await read { db in
            let users = try UserRow.find(db, email: address).map { [$0] } ?? []
            let records = try RecordRow.fetchAll(db.cachedStatement(sql: """
                SELECT record.* FROM record JOIN recordEmail ON recordEmail.recordId = record.id
                WHERE recordEmail.email = ? AND record.deleted = 0 AND record.module IN (?, ?)
                ORDER BY record.module = ? DESC, record.id
                """), arguments: [address, ModuleKey.contacts.rawValue, ModuleKey.leads.rawValue, ModuleKey.contacts.rawValue])
            var matches = users.map { PersonMatch.user($0.user) }
            for row in records {
                let record = try row.record()
                matches.append(row.module == ModuleKey.contacts.rawValue ? .contact(record) : .lead(record))
            }
            return matches
        }
    }

    public func findAccounts(domain: String) async throws -> [CRMRecord] {
        let domain = domain.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !domain.isEmpty else { return [] }
        return try await read { db in
            try RecordRow.fetchAll(db.cachedStatement(sql: """
                SELECT record.* FROM record JOIN accountDomain ON accountDomain.recordId = record.id
                WHERE accountDomain.domain = ? AND record.deleted = 0 AND record.module = ?
                ORDER BY record.id
                """), arguments: [domain, ModuleKey.accounts.rawValue]).map { try $0.record() }
        }
    }
}
