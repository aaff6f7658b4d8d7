import CRM
import Foundation

/// One BottleCRM module as crmgate sees it: where it lives in the API, its crmgate
/// definition, and how each field is kept (the table in docs/CONNECTORS.md).
struct ModuleMapping: Sendable {
    var definition: ModuleDefinition
    /// `/api/leads/`.
    var path: String
    /// The model name custom fields are defined on (`Lead`).
    var model: String
    /// The key that wraps a record in a detail answer (`lead_obj`).
    var detailKey: String
    /// Where the rows of a list answer are: one or more paths of keys (leads and accounts
    /// list their closed or inactive records apart).
    var listPaths: [[String]]
    /// The interaction field that links an email to a record of this module; nil when
    /// emails cannot be archived to it.
    var interactionLink: String?
    /// True when list rows leave out fields (tasks): changed rows are read whole.
    var slimList: Bool
    var fields: [(key: String, mapping: FieldMapping)]
    /// Fields BottleCRM takes only in a create.
    var createOnly: Set<String> = []

    var key: ModuleKey { definition.key }

    func mapping(_ field: String) -> FieldMapping? { fields.first { $0.key == field }?.mapping }

    /// The custom fields this module needs in BottleCRM.
    var customFieldKeys: [String] { [BottleCRMConnector.referenceField] + fields.compactMap(\.mapping.customFieldKey) }

    /// The rows of one list answer.
    func rows(in answer: JSONValue) -> [[JSONValue]] {
        listPaths.map { path in
            var node: JSONValue? = answer
            for key in path { node = node?[key] }
            return node?.array ?? []
        }
    }

    /// crmgate's fields of a record in BottleCRM's JSON.
    func fields(of json: JSONValue) -> [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        for (key, mapping) in fields { values[key] = mapping.read(json) }
        return values
    }

    static let all: [ModuleMapping] = [accounts, contacts, leads, opportunities, cases, tasks]

    static func choices(_ labels: [String], codes: [String]? = nil) -> [(label: String, code: String)] {
        Array(zip(labels, codes ?? labels))
    }

    static let accounts = ModuleMapping(
        definition: ModuleDefinition(key: .accounts, singular: "Account", plural: "Accounts", nameField: "name", fields: [
            FieldDefinition("name", "Name", .text, required: true),
            FieldDefinition("domains", "Web and email domains", .textList),
            FieldDefinition("website", "Website", .url),
            FieldDefinition("phone", "Phone", .phone),
        ], visibility: .owned),
        path: "/api/accounts/", model: "Account", detailKey: "account_obj",
        listPaths: [["active_accounts", "open_accounts"], ["closed_accounts", "close_accounts"]],
        interactionLink: "account", slimList: false,
        fields: [("name", .text("name")), ("domains", .customList("crmgate_domains")),
                 ("website", .text("website")), ("phone", .text("phone"))])

    static let contacts = ModuleMapping(
        definition: ModuleDefinition(key: .contacts, singular: "Contact", plural: "Contacts", nameField: "name", fields: [
            FieldDefinition("firstName", "First name", .text, required: true),
            FieldDefinition("lastName", "Last name", .text, required: true),
            FieldDefinition("emails", "Email addresses", .textList),
            FieldDefinition("title", "Title", .text),
            FieldDefinition("phone", "Phone", .phone),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("address", "Address", .longText),
            FieldDefinition("description", "Description", .longText),
        ], visibility: .owned),
        path: "/api/contacts/", model: "Contact", detailKey: "contact_obj", listPaths: [["results"]],
        interactionLink: "contact", slimList: false,
        fields: [("firstName", .text("first_name")), ("lastName", .text("last_name")),
                 ("emails", .emails("email", extra: "crmgate_emails")), ("title", .text("title")), ("phone", .text("phone")),
                 ("account", .reference("account", .accounts)), ("address", .text("address_line")),
                 ("description", .text("description"))])

    static let leads = ModuleMapping(
        definition: ModuleDefinition(key: .leads, singular: "Lead", plural: "Leads", nameField: "name", fields: [
            FieldDefinition("firstName", "First name", .text),
            FieldDefinition("lastName", "Last name", .text, required: true),
            FieldDefinition("emails", "Email addresses", .textList),
            FieldDefinition("company", "Company", .text),
            FieldDefinition("title", "Title", .text),
            FieldDefinition("status", "Status", .choice(["Assigned", "In Process", "Recycled", "Closed"])),
            FieldDefinition("phone", "Phone", .phone),
            FieldDefinition("address", "Address", .longText),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: try? ClosedRule(field: "status", pattern: "Closed|Converted"), visibility: .owned),
        path: "/api/leads/", model: "Lead", detailKey: "lead_obj",
        listPaths: [["open_leads", "open_leads"], ["close_leads", "close_leads"]],
        interactionLink: "lead", slimList: false,
        fields: [("firstName", .text("first_name")), ("lastName", .text("last_name")),
                 ("emails", .emails("email", extra: "crmgate_emails")), ("company", .text("company_name")),
                 ("title", .text("job_title")),
                 ("status", .choice("status", choices(["Assigned", "In Process", "Recycled", "Closed", "Converted"],
                                                      codes: ["assigned", "in process", "recycled", "closed", "converted"]))),
                 ("phone", .text("phone")), ("address", .text("address_line")), ("description", .text("description"))])

    static let stages = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]

    static let opportunities = ModuleMapping(
        definition: ModuleDefinition(key: .opportunities, singular: "Opportunity", plural: "Opportunities", nameField: "name", fields: [
            FieldDefinition("name", "Name", .text, required: true),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("contact", "Contact", .reference(.contacts)),
            FieldDefinition("stage", "Stage", .choice(stages), required: true),
            FieldDefinition("amount", "Amount", .money),
            FieldDefinition("closeDate", "Close date", .date),
            FieldDefinition("probability", "Probability", .percent),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: try? ClosedRule(field: "stage", pattern: "Closed Won|Closed Lost"), visibility: .owned),
        path: "/api/opportunities/", model: "Opportunity", detailKey: "opportunity_obj", listPaths: [["opportunities"]],
        interactionLink: "opportunity", slimList: false,
        fields: [("name", .text("name")), ("account", .reference("account", .accounts)), ("contact", .firstOf("contacts", .contacts)),
                 ("stage", .choice("stage", choices(stages, codes: stages.map { $0.uppercased().replacingOccurrences(of: " ", with: "_") }))),
                 ("amount", .decimal("amount")), ("closeDate", .date("closed_on")),
                 ("probability", .integer("probability")), ("description", .text("description"))])

    static let cases = ModuleMapping(
        definition: ModuleDefinition(key: .cases, singular: "Case", plural: "Cases", nameField: "subject", fields: [
            FieldDefinition("subject", "Subject", .text, required: true),
            FieldDefinition("status", "Status", .choice(["New", "Assigned", "Pending", "Closed", "Rejected", "Duplicate"]), required: true),
            FieldDefinition("priority", "Priority", .choice(["Normal", "Low", "High", "Urgent"]), required: true),
            FieldDefinition("description", "Description", .longText),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("contact", "Contact", .reference(.contacts)),
        ], closedRule: try? ClosedRule(field: "status", pattern: "Closed|Rejected|Duplicate"), visibility: .owned),
        path: "/api/cases/", model: "Case", detailKey: "cases_obj", listPaths: [["cases"]],
        interactionLink: "case", slimList: false,
        fields: [("subject", .text("name")),
                 ("status", .choice("status", choices(["New", "Assigned", "Pending", "Closed", "Rejected", "Duplicate"]))),
                 ("priority", .choice("priority", choices(["Normal", "Low", "High", "Urgent"]))),
                 ("description", .text("description")), ("account", .reference("account", .accounts)),
                 ("contact", .firstOf("contacts", .contacts))],
        createOnly: ["account"])

    static let tasks = ModuleMapping(
        definition: ModuleDefinition(key: .tasks, singular: "Task", plural: "Tasks", nameField: "subject", fields: [
            FieldDefinition("subject", "Subject", .text, required: true),
            FieldDefinition("dueDate", "Due", .date),
            FieldDefinition("status", "Status", .choice(["New", "In Progress", "Completed"]), required: true),
            FieldDefinition("priority", "Priority", .choice(["Medium", "Low", "High"]), required: true),
            FieldDefinition("related", "Related to", .reference(nil)),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: try? ClosedRule(field: "status", pattern: "Completed"), visibility: .owned),
        path: "/api/tasks/", model: "Task", detailKey: "task_obj", listPaths: [["tasks"]],
        interactionLink: nil, slimList: true,
        fields: [("subject", .text("title")), ("dueDate", .date("due_date")),
                 ("status", .choice("status", choices(["New", "In Progress", "Completed"]))),
                 ("priority", .choice("priority", choices(["Medium", "Low", "High"]))),
                 ("related", .related), ("description", .text("description"))])
}
