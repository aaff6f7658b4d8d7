import CRM

/// The key fields a module's list shows between the name and the owner: the ones people
/// scan a list for (an opportunity's stage, amount and close date).
enum ListColumns {
    private static let builtIn: [ModuleKey: [String]] = [
        .accounts: ["industry", "domains", "phone"],
        .contacts: ["account", "title", "emails"],
        .leads: ["company", "status", "emails"],
        .opportunities: ["stage", "amount", "closeDate"],
        .cases: ["status", "priority", "account"],
        .quotes: ["stage", "total", "validUntil"],
        .projects: ["status", "account", "endDate"],
        .tasks: ["status", "dueDate", "priority"],
        .events: ["start", "location", "related"],
    ]

    /// At most three fields; for custom modules the first short fields after the name.
    static func fields(of module: ModuleDefinition) -> [FieldDefinition] {
        if let keys = builtIn[module.key], !module.isCustom {
            return keys.compactMap(module.field)
        }
        return Array(module.fields.filter { field in
            guard field.key != module.nameField else { return false }
            if case .longText = field.type { return false }
            return true
        }.prefix(3))
    }
}
