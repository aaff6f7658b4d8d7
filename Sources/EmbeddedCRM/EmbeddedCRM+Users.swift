import CRM
import GRDB

extension EmbeddedCRM {
    public func user(email: String) async throws -> CRMUser? {
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await read { db in
            try UserRow.find(db, email: address)?.user
        }
    }

    public func user(id: CRMUserID) async throws -> CRMUser? {
        try await read { db in
            guard let rowID = id.rowID else { return nil }
            return try UserRow.find(db, id: rowID)?.user
        }
    }

    // MARK: Administration (not part of the connector protocol, not affected by outages)

    /// Adds a CRM user. The email address must be new to the CRM (ignoring case).
    public func createUser(name: String, email: String) async throws -> CRMUser {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else {
            throw CRMError(.permanent, "a CRM user needs a name", field: "name")
        }
        guard RecordValidator.looksLikeEmail(email) else {
            throw CRMError(.permanent, "\"\(email)\" is not an email address; give the user an address like name@example.com", field: "email")
        }
        return try await write(gated: false) { db in
            if try UserRow.filter(UserRow.Columns.email == email).fetchCount(db) > 0 {
                throw CRMError(.permanent, "the CRM already has a user with the email address \(email); use that user or another address", field: "email")
            }
            var row = UserRow(id: nil, name: name, email: email, active: true)
            try row.insert(db)
            return row.user
        }
    }

    /// Every CRM user, in the order they were added.
    public func users() async throws -> [CRMUser] {
        try await read(gated: false) { db in
            try UserRow.order(UserRow.Columns.id).fetchAll(db).map(\.user)
        }
    }
}
