import Foundation
import GRDB

/// One entry of the change log (table `changeLog`); `seq` orders all changes and is the cursor.
struct ChangeRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "changeLog"

    enum Kind: String, Codable {
        case created, changed, closed, deleted, reassigned
    }

    var seq: Int64?
    var module: String
    var recordId: Int64
    var kind: Kind
    /// The owner before a `reassigned` change.
    var previousOwnerId: Int64?
    var at: Date

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let module = Column(CodingKeys.module)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}
