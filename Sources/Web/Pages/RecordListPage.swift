import CRM
import EmbeddedCRM

/// `/<module>`: one page of a module's records with the search, state and owner filters,
/// in columns number, name, key fields, owner, modified.
struct RecordListPage: Sendable {
    var module: ModuleDefinition
    var query: ListQuery
    var page: (records: [CRMRecord], total: Int)
    var users: [CRMUser]
    /// The user sees only their own records of this module (their scope).
    var ownOnly: Bool
    var names: [RecordRef: String]

    static func load(_ module: ModuleDefinition, query: ListQuery, crm: ScopedCRM, data: PageData) async throws -> RecordListPage {
        var query = query
        let ownOnly = crm.identity.requiredOwner(in: module) != nil
        if ownOnly { query.owner = .me }
        let page = try await crm.records(in: module, matching: query.recordQuery(for: crm.identity.crmUser.id), order: query.order)
        return RecordListPage(module: module, query: query, page: page, users: try await data.users(), ownOnly: ownOnly,
                              names: try await data.referenceNames(in: page.records,
                                                                   fields: Set(ListColumns.fields(of: module).map(\.key)), for: crm))
    }

    func render(_ environment: PageEnvironment) -> String {
        """
        <div class="title-row"><h1>\(HTML.escape(module.plural))</h1>
        <a class="button" href="\(HTML.escape(PagePaths.new(module.key)))">New \(HTML.escape(module.singular.lowercased()))</a></div>
        \(filters)
        \(page.records.isEmpty ? empty : table(environment.formatter))
        \(pager)
        """
    }

    private var filters: String {
        func option<T: RawRepresentable>(_ value: T, _ label: String, selected: T) -> String where T.RawValue == String, T: Equatable {
            "<option value=\"\(value.rawValue)\"\(value == selected ? " selected" : "")>\(label)</option>"
        }
        return """
            <form class="toolbar" method="get" action="\(HTML.escape(PagePaths.list(module.key)))" role="search">
            <label>Search<input type="search" name="q" value="\(HTML.escape(query.search))" placeholder="Name, number, email, any text"></label>
            <label>State<select name="state">\(option(RecordQuery.State.open, "Open", selected: query.state))\(option(RecordQuery.State.closed, "Closed", selected: query.state))\(option(RecordQuery.State.all, "All", selected: query.state))</select></label>
            <label>Owner<select name="owner">\(option(ListQuery.Owner.me, "Mine", selected: query.owner))\(ownOnly ? "" : option(ListQuery.Owner.all, "Everyone", selected: query.owner))</select></label>
            \(query.order == .newestFirst ? "" : "<input type=\"hidden\" name=\"sort\" value=\"\(query.order.rawValue)\">")<button type="submit">Filter</button>
            </form>
            """
    }

    private var empty: String {
        let search = query.search.isEmpty ? "" : " matching \u{201C}\(query.search)\u{201D}"
        let state = query.state == .all ? "" : query.state.rawValue + " "
        let owner = query.owner == .me ? " of yours" : ""
        return "<p class=\"empty\">No \(HTML.escape(state + module.plural.lowercased() + owner + search)).</p>"
    }

    private func table(_ formatter: FieldFormatter) -> String {
        let columns = ListColumns.fields(of: module)
        let numbered = module.numberPrefix != nil
        let owners = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let head = ((numbered ? [("number", "Number")] : []) + [("name", "Name")] + columns.map { ($0.key, $0.label) }
                    + [("owner", "Owner"), ("modified", "Modified")]).map(header)
        let rows = page.records.map { record in
            let link = "<a href=\"\(HTML.escape(PagePaths.view(record.ref)))\">\(HTML.escape(record.name(in: module)))</a>"
            let closed = module.closedRule?.isClosed(record) == true ? " <span class=\"badge\">closed</span>" : ""
            var cells = numbered ? ["<td class=\"nowrap\">\(HTML.escape(record.number ?? ""))</td>"] : []
            cells.append("<td>\(link)\(closed)</td>")
            cells += columns.map { "<td\(Self.keepsOnOneLine($0.type) ? " class=\"nowrap\"" : "")>\(formatter.html($0, of: record, names: names))</td>" }
            cells.append("<td>\(HTML.escape(record.owner.flatMap { owners[$0] } ?? "—"))</td>")
            cells.append("<td class=\"nowrap\">\(HTML.escape(formatter.dateTime(record.modifiedAt)))</td>")
            return "<tr>\(cells.joined())</tr>"
        }
        return """
            <table class="list"><thead><tr>\(head.joined())</tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """
    }

    /// A column's header: a link that sorts by it (ascending; the last change newest first),
    /// or flips the order when the list is sorted by it already, saying which way it goes.
    private func header(_ column: (key: String, label: String)) -> String {
        let current = query.order.key == column.key
        let next = current ? query.order.reversed : ListOrder(key: column.key, descending: column.key == "modified")
        let arrow = current ? (query.order.descending ? " ↓" : " ↑") : ""
        let sort = current ? " aria-sort=\"\(query.order.descending ? "descending" : "ascending")\"" : ""
        let title = "Sort by \(column.label.lowercased()), \(next.descending ? "descending" : "ascending")"
        return "<th scope=\"col\"\(sort)><a href=\"\(HTML.escape(query.path(module.key, order: next)))\" title=\"\(HTML.escape(title))\">"
            + "\(HTML.escape(column.label))\(arrow)</a></th>"
    }

    /// Dates and amounts read badly when wrapped.
    private static func keepsOnOneLine(_ type: FieldType) -> Bool {
        switch type {
        case .date, .dateTime, .money, .number, .percent: true
        default: false
        }
    }

    private var pager: String {
        guard page.total > 0 else { return "" }
        let first = (query.page - 1) * ListQuery.pageSize + 1
        let last = min(page.total, first + page.records.count - 1)
        let previous = query.page > 1
            ? "<a rel=\"prev\" href=\"\(HTML.escape(query.path(module.key, page: query.page - 1)))\">← Previous</a>" : ""
        let next = last < page.total
            ? "<a rel=\"next\" href=\"\(HTML.escape(query.path(module.key, page: query.page + 1)))\">Next →</a>" : ""
        let range = page.records.isEmpty ? "\(page.total) in all" : "\(first)–\(last) of \(page.total)"
        return "<nav class=\"pager\" aria-label=\"Pages\">\(previous)<span class=\"muted\">\(range)</span>\(next)</nav>"
    }
}
