import CRM
import Foundation
import GRDB

/// A filtered, paged listing of one module, for the web UI's lists and the JSON API.
public struct RecordQuery: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case open, closed, all }

    /// Case-insensitive text in the record's name or number.
    public var search: String?
    public var state: State
    /// Only records of this owner.
    public var owner: CRMUserID?
    /// Only records changed after this instant.
    public var modifiedSince: Date?
    public var offset: Int
    public var limit: Int

    public init(search: String? = nil, state: State = .all, owner: CRMUserID? = nil, modifiedSince: Date? = nil,
                offset: Int = 0, limit: Int = 50) {
        self.search = search; self.state = state; self.owner = owner; self.modifiedSince = modifiedSince
        self.offset = offset; self.limit = limit
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
        _ = try definition(key)
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
                request = request.filter(sql: "(name LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\')", arguments: [pattern, pattern])
            }
            let total = try request.fetchCount(db)
            let rows = try request.order(Column("modifiedAt").desc, RecordRow.Columns.id.desc)
                .limit(max(query.limit, 0), offset: max(query.offset, 0)).fetchAll(db)
            return RecordPage(records: try rows.map { try $0.record() }, total: total)
        }
    }
}
