import CRM
import EmbeddedCRM

/// `/`: every module, built-in and custom, with the number of open records the user sees
/// under the module's visibility rule (their own, or everyone's).
struct HomePage: Sendable {
    struct Entry: Sendable {
        var module: ModuleDefinition
        var openCount: Int
    }

    var entries: [Entry]

    static func load(crm: EmbeddedCRM, user: CRMUserID) async throws -> HomePage {
        var entries: [Entry] = []
        for module in try await crm.modules() {
            let query = RecordQuery(state: .open, owner: module.visibility == .owned ? user : nil, limit: 0)
            entries.append(Entry(module: module, openCount: try await crm.records(in: module.key, matching: query).total))
        }
        return HomePage(entries: entries)
    }

    func render(_ environment: PageEnvironment) -> String {
        let cards = entries.map { entry in
            let scope = entry.module.visibility == .owned ? "open, yours" : "open"
            let custom = entry.module.isCustom ? " <span class=\"badge\">custom</span>" : ""
            return """
                <li><a class="card" href="\(HTML.escape(PagePaths.list(entry.module.key)))">
                <span class="count">\(entry.openCount)</span>
                <span class="card-title">\(HTML.escape(entry.module.plural))\(custom)</span>
                <span class="muted">\(scope)</span></a></li>
                """
        }
        return """
            <h1>Overview</h1>
            <ul class="cards">\(cards.joined(separator: "\n"))</ul>
            """
    }
}
