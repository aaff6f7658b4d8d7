import CRM
import GRDB

/// A CRM user (table `user`).
struct UserRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "user"
    var id: Int64?
    var name: String
    var email: String
    var active: Bool

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let email = Column(CodingKeys.email)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The user with this row id, read with a statement prepared once per connection.
    static func find(_ db: Database, id: Int64) throws -> UserRow? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM user WHERE id = ?"), arguments: [id])
    }

    /// The user with this address (compared without case).
    static func find(_ db: Database, email: String) throws -> UserRow? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM user WHERE email = ?"), arguments: [email])
    }

    var user: CRMUser {
        CRMUser(id: CRMUserID(String(id ?? 0)), name: name, email: email, active: active)
    }
}

extension CRMUserID {
    /// The row id behind an embedded user id; nil for ids this CRM never issued.
    var rowID: Int64? { Int64(rawValue) }
    init(rowID: Int64) { self.init(String(rowID)) }
}

extension RecordID {
    /// The row id behind an embedded record id; nil for ids this CRM never issued.
    var rowID: Int64? { Int64(rawValue) }
    init(rowID: Int64) { self.init(String(rowID)) }
}

// Read on every drop: converts by hand, like RecordRow.
extension UserRow {
    init(row: Row) throws {
        id = row["id"]; name = row["name"]; email = row["email"]; active = row["active"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["name"] = name; container["email"] = email; container["active"] = active
    }
}
