import GRDB

/// A lower-cased email address of a contact or lead (table `recordEmail`).
struct RecordEmailRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "recordEmail"
    var recordId: Int64
    var email: String
}

/// A lower-cased web or email domain of an account (table `accountDomain`).
struct AccountDomainRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "accountDomain"
    var recordId: Int64
    var domain: String
}

/// A reference from a record's field to another record (table `recordReference`).
struct RecordReferenceRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "recordReference"
    var recordId: Int64
    var field: String
    var targetId: Int64
}
