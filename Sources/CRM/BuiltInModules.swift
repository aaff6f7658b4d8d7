/// The modules every connector maps: people and companies, the record modules that get
/// CRM folders, and the calendar modules of the sync bridge.
extension ModuleDefinition {
    public static let accounts = ModuleDefinition(
        key: .accounts, singular: "Account", plural: "Accounts", nameField: "name",
        fields: [
            FieldDefinition("name", "Name", .text, required: true),
            FieldDefinition("domains", "Web and email domains", .textList),
            FieldDefinition("website", "Website", .url),
            FieldDefinition("phone", "Phone", .phone),
            FieldDefinition("industry", "Industry", .text),
        ], visibility: .all)

    public static let contacts = ModuleDefinition(
        key: .contacts, singular: "Contact", plural: "Contacts", nameField: "name",
        fields: [
            FieldDefinition("firstName", "First name", .text),
            FieldDefinition("lastName", "Last name", .text, required: true),
            FieldDefinition("emails", "Email addresses", .textList),
            FieldDefinition("title", "Title", .text),
            FieldDefinition("phone", "Phone", .phone),
            FieldDefinition("mobile", "Mobile", .phone),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("address", "Address", .longText),
            FieldDefinition("description", "Description", .longText),
        ], visibility: .all)

    public static let leads = ModuleDefinition(
        key: .leads, singular: "Lead", plural: "Leads", nameField: "name",
        fields: [
            FieldDefinition("firstName", "First name", .text),
            FieldDefinition("lastName", "Last name", .text, required: true),
            FieldDefinition("emails", "Email addresses", .textList),
            FieldDefinition("company", "Company", .text),
            FieldDefinition("title", "Title", .text),
            FieldDefinition("status", "Status", .choice(["New", "Contacted", "Qualified", "Converted", "Lost"])),
            FieldDefinition("phone", "Phone", .phone),
            FieldDefinition("mobile", "Mobile", .phone),
            FieldDefinition("address", "Address", .longText),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: ClosedRule(builtIn: "status", "Converted|Lost"), visibility: .all)

    public static let opportunities = ModuleDefinition(
        key: .opportunities, singular: "Opportunity", plural: "Opportunities", nameField: "name", numberPrefix: "OPP",
        fields: [
            FieldDefinition("name", "Name", .text, required: true),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("contact", "Contact", .reference(.contacts)),
            FieldDefinition("stage", "Stage", .choice(["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]), required: true),
            FieldDefinition("amount", "Amount", .money),
            FieldDefinition("currency", "Currency", .text),
            FieldDefinition("closeDate", "Close date", .date),
            FieldDefinition("probability", "Probability", .percent),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: ClosedRule(builtIn: "stage", "Closed Won|Closed Lost"))

    public static let cases = ModuleDefinition(
        key: .cases, singular: "Case", plural: "Cases", nameField: "subject", numberPrefix: "CASE",
        fields: [
            FieldDefinition("subject", "Subject", .text, required: true),
            FieldDefinition("status", "Status", .choice(["New", "Open", "Pending", "Resolved", "Closed"]), required: true),
            FieldDefinition("priority", "Priority", .choice(["Low", "Normal", "High", "Urgent"])),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("contact", "Contact", .reference(.contacts)),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: ClosedRule(builtIn: "status", "Resolved|Closed"))

    public static let quotes = ModuleDefinition(
        key: .quotes, singular: "Quote", plural: "Quotes", nameField: "name", numberPrefix: "QUO",
        fields: [
            FieldDefinition("name", "Name", .text, required: true),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("opportunity", "Opportunity", .reference(.opportunities)),
            FieldDefinition("stage", "Stage", .choice(["Draft", "Sent", "Accepted", "Rejected"]), required: true),
            FieldDefinition("total", "Total", .money),
            FieldDefinition("currency", "Currency", .text),
            FieldDefinition("validUntil", "Valid until", .date),
        ], closedRule: ClosedRule(builtIn: "stage", "Accepted|Rejected"))

    public static let projects = ModuleDefinition(
        key: .projects, singular: "Project", plural: "Projects", nameField: "name", numberPrefix: "PRJ",
        fields: [
            FieldDefinition("name", "Name", .text, required: true),
            FieldDefinition("account", "Account", .reference(.accounts)),
            FieldDefinition("status", "Status", .choice(["Planned", "Active", "On Hold", "Completed", "Cancelled"]), required: true),
            FieldDefinition("startDate", "Start", .date),
            FieldDefinition("endDate", "End", .date),
            FieldDefinition("description", "Description", .longText),
        ], closedRule: ClosedRule(builtIn: "status", "Completed|Cancelled"))

    public static let tasks = ModuleDefinition(
        key: .tasks, singular: "Task", plural: "Tasks", nameField: "subject",
        fields: [
            FieldDefinition("subject", "Subject", .text, required: true),
            FieldDefinition("dueDate", "Due", .date),
            FieldDefinition("status", "Status", .choice(["Not Started", "In Progress", "Waiting", "Completed"]), required: true),
            FieldDefinition("priority", "Priority", .choice(["Low", "Normal", "High"])),
            FieldDefinition("related", "Related to", .reference(nil)),
            FieldDefinition("description", "Description", .longText),
            FieldDefinition("completedAt", "Completed", .dateTime),
            FieldDefinition("private", "Private", .bool),
            FieldDefinition("reminderMinutes", "Reminder (minutes before due)", .number),
        ], closedRule: ClosedRule(builtIn: "status", "Completed"))

    public static let events = ModuleDefinition(
        key: .events, singular: "Event", plural: "Events", nameField: "subject",
        fields: [
            FieldDefinition("subject", "Subject", .text, required: true),
            FieldDefinition("start", "Start", .dateTime, required: true),
            FieldDefinition("end", "End", .dateTime, required: true),
            FieldDefinition("allDay", "All day", .bool),
            FieldDefinition("timeZone", "Time zone", .text),
            FieldDefinition("location", "Location", .text),
            FieldDefinition("related", "Related to", .reference(nil)),
            FieldDefinition("description", "Description", .longText),
            FieldDefinition("attendees", "Attendees (email addresses)", .textList),
            FieldDefinition("recurrence", "Repeats (RRULE)", .text),
            FieldDefinition("private", "Private", .bool),
            FieldDefinition("reminderMinutes", "Reminder (minutes before)", .number),
        ])

    /// Every built-in module except users and archived emails, which have their own types.
    public static let builtIns: [ModuleDefinition] = [
        .accounts, .contacts, .leads, .opportunities, .cases, .quotes, .projects, .tasks, .events,
    ]
}

extension ModuleDefinition {
    /// The modules every connector must offer: people and companies for matching, the
    /// record modules of the CRM folders. The others (quotes, projects, tasks, events) are
    /// offered where the CRM has them, and crmgate shows only what is offered.
    public static let coreKeys: [ModuleKey] = [.accounts, .contacts, .leads, .opportunities, .cases]

    /// The fields crmgate itself reads or writes in each module, which a connector offering
    /// the module must map; every other built-in field is optional.
    public static let coreFields: [ModuleKey: [String]] = [
        .accounts: ["name", "domains", "website"],
        .contacts: ["firstName", "lastName", "emails", "account"],
        .leads: ["firstName", "lastName", "emails", "status"],
        .opportunities: ["name", "stage", "description"],
        .cases: ["subject", "status", "description"],
        .tasks: ["subject", "status", "dueDate", "description"],
        .events: ["subject", "start", "end", "description"],
    ]
}
