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
