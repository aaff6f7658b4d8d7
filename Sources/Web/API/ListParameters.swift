import EmbeddedCRM
import Foundation

/// The query parameters of a list request, checked:
/// `limit` (1–500, default 50), `offset` or `page` (from 1), `modified_since` (ISO 8601),
/// `state` (open, closed, all), `q` (text in the name, number or a text field), `owner` (user id, email or `me`),
/// `sort` (a column: `modified`, `name`, `number`, `owner` or a field key; `-` in front for
/// descending; `-modified`, the newest change first, by default).
struct ListParameters: Equatable {
    static let defaultLimit = 50
    static let maxLimit = 500
    static let known = ["limit", "offset", "page", "modified_since", "state", "q", "owner", "sort"]

    var limit = defaultLimit
    var offset = 0
    var modifiedSince: Date?
    var state: RecordQuery.State = .all
    var search: String?
    /// As given; resolved to a user by the route.
    var owner: String?
    var order = ListOrder.newestFirst

    /// Beyond this an offset is refused: no list is that long, and sums with it cannot overflow.
    static let maxOffset = 1_000_000_000

    /// Parses `parameters` (name → value, already percent-decoded); `known` narrows the
    /// parameters taken (a record's emails take only `limit`, `offset` and `page`).
    init(_ parameters: [(name: String, value: String)], known: [String] = Self.known) throws(APIError) {
        let seen = try Self.values(of: parameters, known: known, takes: "this list takes")
        if let text = seen["limit"] {
            guard let limit = Int(text), limit >= 1 else {
                throw APIError(.badRequest, "limit must be a whole number from 1 to \(Self.maxLimit), not \"\(text)\"", field: "limit")
            }
            self.limit = min(limit, Self.maxLimit)
        }
        if seen["offset"] != nil, seen["page"] != nil {
            throw APIError(.badRequest, "give either offset or page, not both", field: "page")
        }
        if let text = seen["offset"] {
            guard let offset = Int(text), offset >= 0, offset <= Self.maxOffset else {
                throw APIError(.badRequest, "offset must be a whole number from 0 to \(Self.maxOffset), not \"\(text)\"", field: "offset")
            }
            self.offset = offset
        }
        if let text = seen["page"] {
            guard let page = Int(text), page >= 1, page - 1 <= Self.maxOffset / limit else {
                throw APIError(.badRequest, "page must be a whole number from 1 (the first page), not \"\(text)\"", field: "page")
            }
            self.offset = (page - 1) * limit
        }
        if let text = seen["modified_since"] {
            guard let date = APIDates.parseFilter(text) else {
                throw APIError(.badRequest, "modified_since must be an ISO 8601 date-time such as 2026-04-30T14:00:00Z (or a date 2026-04-30), not \"\(text)\"", field: "modified_since")
            }
            modifiedSince = date
        }
        if let text = seen["state"] {
            guard let state = RecordQuery.State(rawValue: text.lowercased()) else {
                throw APIError(.badRequest, "state must be open, closed or all, not \"\(text)\"", field: "state")
            }
            self.state = state
        }
        if let text = seen["sort"] {
            guard let order = ListOrder(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw APIError(.badRequest, "sort must be a column such as name, or -name for descending (-modified, the newest change first, is the default), not \"\(text)\"", field: "sort")
            }
            self.order = order
        }
        if let text = seen["q"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty { search = text }
        if let text = seen["owner"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty { owner = text }
    }
}

extension ListParameters {
    /// Each parameter's value by name; a name outside `known` or given twice is refused
    /// (400 naming it; the message says "unknown …; <takes> <known>").
    static func values(of parameters: [(name: String, value: String)], known: [String], takes: String) throws(APIError) -> [String: String] {
        var seen: [String: String] = [:]
        for (name, value) in parameters {
            guard known.contains(name) else {
                throw APIError(.badRequest, "unknown query parameter \"\(name)\"; \(takes) \(known.joined(separator: ", "))", field: name)
            }
            guard seen.updateValue(value, forKey: name) == nil else {
                throw APIError(.badRequest, "the query parameter \"\(name)\" is given twice; give it once", field: name)
            }
        }
        return seen
    }
}
