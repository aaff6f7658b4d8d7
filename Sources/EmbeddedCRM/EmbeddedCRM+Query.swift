import CRM
import Foundation
import GRDB

/// A filtered, paged listing of one module, for the web UI's lists and the JSON API.
public struct RecordQuery: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case open, closed, all }

    /// Case-insensitive text in the record's name, number, or any of its text and list
    /// fields (an account's industry, a contact's email address, a case's description).
    public var search: String?
    public var state: State
    /// Only records of this owner.
    public var owner: CRMUserID?
    /// Only records changed after this instant.
    public var modifiedSince: Date?
    public var offset: Int
    public var limit: Int
    /// The order; ties keep one order (by id), so pages never overlap.
    public var sort: RecordSort

    public init(search: String? = nil, state: State = .all, owner: CRMUserID? = nil, modifiedSince: Date? = nil,
                offset: Int = 0, limit: Int = 50, sort: RecordSort = RecordSort()) {
        self.search = search; self.state = state; self.owner = owner; self.modifiedSince = modifiedSince
        self.offset = offset; self.limit = limit; self.sort = sort
    }
}

/// What a listing is ordered by: the last change (the default, newest first), the name,
/// the number, the owner's name, or one of the module's fields (by its value: text without
/// regard to case, numbers and amounts as numbers, dates in time, references by the name
/// of the record they name); records without a value come last.
public struct RecordSort: Sendable, Equatable {
    public enum Key: Sendable, Equatable {
        case modified, name, number, owner
        case field(String)
    }

    public var key: Key
    public var descending: Bool

    public init(_ key: Key = .modified, descending: Bool = true) {
        self.key = key
        self.descending = descending
    }
}

/// One page of a listing and the number of records matching in all.
public struct RecordPage: Sendable {
    public var records: [CRMRecord]
    public var total: Int
}

extension EmbeddedCRM {
    /// Records of a module (deleted ones never), filtered and paged, newest change first.
    public func records(in key: ModuleKey, matching query: RecordQuery) async throws -> RecordPage {
        let module = try definition(key)
        let value = try Self.sortValue(query.sort.key, in: module)
        return try await read(gated: false) { db in
            var request = RecordRow.filter(RecordRow.Columns.module == key.rawValue && RecordRow.Columns.deleted == false)
            switch query.state {
            case .open: request = request.filter(RecordRow.Columns.closed == false)
            case .closed: request = request.filter(RecordRow.Columns.closed == true)
            case .all: break
            }
            if let owner = query.owner {
                request = request.filter(RecordRow.Columns.ownerId == (owner.rowID ?? -1))
            }
            if let since = query.modifiedSince {
                request = request.filter(Column("modifiedAt") > since)
            }
            if let search = query.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
                let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                request = request.filter(sql: """
                    (name LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM json_each(record.fields) f
                     WHERE json_extract(f.value, '$.text') LIKE ? ESCAPE '\\' OR json_extract(f.value, '$.list') LIKE ? ESCAPE '\\'))
                    """, arguments: [pattern, pattern, pattern, pattern])
            }
            let total = try request.fetchCount(db)
            let direction = query.sort.descending ? "DESC" : "ASC"
            // Empty values last either way, then the value, then the id for a stable order.
            let rows = try request.order(sql: "(\(value)) IS NULL, \(value) \(direction), id \(direction)")
                .limit(max(query.limit, 0), offset: max(query.offset, 0)).fetchAll(db)
            return RecordPage(records: try rows.map { try $0.record() }, total: total)
        }
    }

    /// The SQL value a listing is ordered by (on table `record`).
    static func sortValue(_ key: RecordSort.Key, in module: ModuleDefinition) throws -> String {
        switch key {
        case .modified: return "modifiedAt"
        case .name: return "name COLLATE NOCASE"
        case .number: return "number"
        case .owner: return "(SELECT u.name FROM user u WHERE u.id = record.ownerId) COLLATE NOCASE"
        case .field(let name):
            guard let field = module.field(name), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw CRMError(.permanent, "\(module.plural) cannot be sorted by \"\(name)\": it is not one of their fields", field: "sort")
            }
            let path = "'$.\"\(name)\"'"
            switch field.type {
            case .number, .money, .percent: return "CAST(json_extract(fields, \(path) || '.number') AS REAL)"
            case .date: return "json_extract(fields, \(path) || '.date')"
            case .dateTime: return "json_extract(fields, \(path) || '.dateTime')"
            case .bool: return "json_extract(fields, \(path) || '.bool')"
            case .textList: return "json_extract(fields, \(path) || '.list[0]') COLLATE NOCASE"
            case .reference:
                return "(SELECT r.name FROM record r WHERE r.id = CAST(json_extract(record.fields, \(path) || '.reference[1]') AS INTEGER)) COLLATE NOCASE"
            default: return "json_extract(fields, \(path) || '.text') COLLATE NOCASE"
            }
        }
    }
}
