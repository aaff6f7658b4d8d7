import CRM
import Foundation
import GRDB

/// A record of any module (table `record`); `fields` is the JSON of `StoredFields`.
struct RecordRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "record"
    var id: Int64?
    var module: String
    var number: String?
    var ownerId: Int64?
    var name: String
    var fields: String
    /// The module's closed rule matched when the record was last written.
    var closed: Bool
    var deleted: Bool
    var createdAt: Date
    var modifiedAt: Date

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let module = Column(CodingKeys.module)
        static let ownerId = Column(CodingKeys.ownerId)
        static let closed = Column(CodingKeys.closed)
        static let deleted = Column(CodingKeys.deleted)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    func record() throws -> CRMRecord {
        CRMRecord(ref: RecordRef(ModuleKey(module), RecordID(rowID: id ?? 0)), number: number,
                  owner: ownerId.map(CRMUserID.init(rowID:)), fields: try StoredFields.decode(fields),
                  createdAt: createdAt, modifiedAt: modifiedAt)
    }

    /// The live (not deleted) record of `module` with this id, if any.
    static func live(_ id: RecordID, in module: ModuleKey, _ db: Database) throws -> RecordRow? {
        guard let rowID = id.rowID else { return nil }
        return try RecordRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM record WHERE id = ? AND module = ? AND deleted = 0"),
                                      arguments: [rowID, module.rawValue])
    }
}

// Records are read and written on every drop and folder sync: they convert by hand, with
// the column names and representations of their Codable conformance (GRDB's Codable path
// builds a coder per row).
extension RecordRow {
    init(row: Row) throws {
        id = row["id"]; module = row["module"]; number = row["number"]; ownerId = row["ownerId"]; name = row["name"]
        fields = row["fields"]; closed = row["closed"]; deleted = row["deleted"]
        createdAt = row["createdAt"]; modifiedAt = row["modifiedAt"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["module"] = module; container["number"] = number; container["ownerId"] = ownerId
        container["name"] = name; container["fields"] = fields; container["closed"] = closed; container["deleted"] = deleted
        container["createdAt"] = createdAt; container["modifiedAt"] = modifiedAt
    }
}
