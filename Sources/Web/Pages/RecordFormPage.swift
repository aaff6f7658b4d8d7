import CRM
import EmbeddedCRM
import Hummingbird

/// `/<module>/new` and `/<module>/<id>/edit`: a form with an input per field (by its
/// type), the owner, and the messages of a failed save next to the fields they concern,
/// with what the user typed kept.
struct RecordFormPage: Sendable {
    var module: ModuleDefinition
    /// The record being edited; nil for a new one.
    var record: CRMRecord?
    var values: [String: String]
    /// Messages by field key; `owner` for the owner, `""` for the form as a whole.
    var errors: [String: String]
    var users: [CRMUser]
    var references: [String: ReferenceChoice]
    var names: [RecordRef: String]

    /// Reference fields offer a select up to this many records; beyond, an id input.
    static let selectLimit = 200

    /// Loads what the form offers: users, and the records in the user's scope each reference
    /// field can point to.
    static func load(_ module: ModuleDefinition, record: CRMRecord?, values: [String: String], errors: [String: String],
                     crm scoped: ScopedCRM, data: PageData) async throws -> RecordFormPage {
        var references: [String: ReferenceChoice] = [:]
        let modules = try await data.crm.modules()
        for field in module.fields {
            guard case .reference(let target) = field.type else { continue }
            guard let target, let targetModule = modules.first(where: { $0.key == target }) else {
                references[field.key] = .idInput
                continue
            }
            let page = try await scoped.records(in: targetModule, matching: RecordQuery(state: .all, limit: selectLimit + 1))
            guard page.total <= selectLimit else { references[field.key] = .idInput; continue }
            let options = page.records.map { (id: $0.ref.id.rawValue, label: $0.name(in: targetModule)) }
                .sorted { $0.label.localizedCaseInsensitiveCompare($1.label) == .orderedAscending }
            references[field.key] = .options(options)
        }
        return RecordFormPage(module: module, record: record, values: values, errors: errors, users: try await data.users(),
                              references: references, names: try await data.referenceNames(in: record.map { [$0] } ?? [], for: scoped))
    }

    var title: String {
        record.map { "Edit \($0.name(in: module))" } ?? "New \(module.singular.lowercased())"
    }

    func render(_ environment: PageEnvironment) -> String {
        let action = record.map { PagePaths.edit($0.ref) } ?? PagePaths.new(module.key)
        let cancel = record.map { PagePaths.view($0.ref) } ?? PagePaths.list(module.key)
        let summary = errors.isEmpty ? "" : """
            <div class="alert" role="alert">\(HTML.escape(errors[""] ?? "The \(module.singular.lowercased()) was not saved. Correct the marked fields and save again."))</div>
            """
        let inputs = module.fields.map { field in
            let current = record?.fields[field.key]?.reference
            return FieldInput(field: field, text: values[field.key] ?? "", error: errors[field.key],
                              reference: references[field.key], referenceName: current.flatMap { names[$0] },
                              timeZone: environment.formatter.timeZone).render()
        }
        return """
            <p class="crumbs"><a href="\(HTML.escape(PagePaths.list(module.key)))">\(HTML.escape(module.plural))</a></p>
            <h1>\(HTML.escape(title))</h1>
            \(summary)
            <form class="record-form" method="post" action="\(HTML.escape(action))" novalidate>
            \(environment.csrfInput)
            \(inputs.joined(separator: "\n"))
            \(ownerSelect(default: environment.identity?.crmUser.id))
            <div class="actions"><button type="submit">\(record == nil ? "Create" : "Save")</button>
            <a href="\(HTML.escape(cancel))">Cancel</a></div>
            </form>
            """
    }

    private func ownerSelect(default user: CRMUserID?) -> String {
        let selected = values["owner"] ?? user?.rawValue ?? ""
        let options = users.filter { $0.active || $0.id.rawValue == selected }.map { user in
            "<option value=\"\(HTML.escape(user.id.rawValue))\"\(user.id.rawValue == selected ? " selected" : "")>\(HTML.escape(user.name))</option>"
        }
        let error = errors["owner"].map { "<p class=\"field-error\" id=\"f-owner-error\">\(HTML.escape($0))</p>" } ?? ""
        return """
            <div class="field\(error.isEmpty ? "" : " invalid")"><label for="f-owner">Owner</label>
            <select id="f-owner" name="owner">\(options.joined())</select>\(error)</div>
            """
    }
}
