import Foundation
import GRDB

/// One entry of the change log (table `changeLog`); `seq` orders all changes and is the cursor.
struct ChangeRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "changeLog"

    enum Kind: String, Codable {
        case created, changed, closed, deleted, reassigned, activity
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

// Written with every record change: converts by hand, like RecordRow.
extension ChangeRow {
    init(row: Row) throws {
        guard let kind = Kind(rawValue: row["kind"]) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "unknown change kind \(String(describing: row["kind"] as String?))")
        }
        seq = row["seq"]; module = row["module"]; recordId = row["recordId"]; self.kind = kind
        previousOwnerId = row["previousOwnerId"]; at = row["at"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["seq"] = seq; container["module"] = module; container["recordId"] = recordId; container["kind"] = kind.rawValue
        container["previousOwnerId"] = previousOwnerId; container["at"] = at
    }
}
