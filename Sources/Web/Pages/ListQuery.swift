import CRM
import EmbeddedCRM

/// The filters of a module list as the URL carries them: `q` (search), `state`
/// (open/closed/all), `owner` (me/all), `sort` (`ListOrder`) and `page`. Unknown values
/// fall back to defaults.
struct ListQuery: Sendable, Equatable {
    enum Owner: String, Sendable, CaseIterable { case me, all }

    static let pageSize = 25

    var search: String
    var state: RecordQuery.State
    var owner: Owner
    var order: ListOrder
    var page: Int

    /// Defaults: open records; the user's own when the module shows users only their own.
    init(_ query: FormValues, module: ModuleDefinition) {
        search = query.trimmed("q") ?? ""
        state = query["state"].flatMap(RecordQuery.State.init(rawValue:)) ?? .open
        owner = query["owner"].flatMap(Owner.init(rawValue:)) ?? (module.visibility == .owned ? .me : .all)
        order = query["sort"].flatMap(ListOrder.init(rawValue:)).flatMap { $0.recordSort(in: module) == nil ? nil : $0 } ?? .newestFirst
        page = max(1, min(query["page"].flatMap { Int($0) } ?? 1, Int.max / Self.pageSize))
    }

    func recordQuery(for user: CRMUserID) -> RecordQuery {
        RecordQuery(search: search.isEmpty ? nil : search, state: state, owner: owner == .me ? user : nil,
                    offset: (page - 1) * Self.pageSize, limit: Self.pageSize)
    }

    /// The list URL with these filters on another page.
    func path(_ module: ModuleKey, page: Int) -> String {
        PagePaths.list(module) + "?" + URLText.query([
            ("q", search.isEmpty ? nil : search), ("state", state.rawValue), ("owner", owner.rawValue),
            ("sort", order == .newestFirst ? nil : order.rawValue), ("page", String(page)),
        ])
    }

    /// The list URL with these filters in `order`, from its first page.
    func path(_ module: ModuleKey, order: ListOrder) -> String {
        var query = self
        query.order = order
        return query.path(module, page: 1)
    }
}
