import CRM
import EmbeddedCRM

/// `/`: every module, built-in and custom, with the number of open records the user sees
/// in their scope (their own, or everyone's).
struct HomePage: Sendable {
    struct Entry: Sendable {
        var module: ModuleDefinition
        var openCount: Int
    }

    var entries: [Entry]

    var identity: Identity

    static func load(crm: ScopedCRM) async throws -> HomePage {
        var entries: [Entry] = []
        for module in try await crm.crm.modules() {
            let count = try await crm.records(in: module, matching: RecordQuery(state: .open, limit: 0)).total
            entries.append(Entry(module: module, openCount: count))
        }
        return HomePage(entries: entries, identity: crm.identity)
    }

    func render(_ environment: PageEnvironment) -> String {
        let cards = entries.map { entry in
            let scope = identity.requiredOwner(in: entry.module) != nil ? "open, yours" : "open"
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
