extension GatewayConfiguration {
    /// `[[policy]]`: which users see the CRM in their mailbox, and how.
    ///
    /// A user follows the policy that lists their address, or else the one listing `"*"`.
    public struct Policy: Sendable, Equatable {
        public static let scopes = ["owned", "visible"]
        public static let afterProcessingChoices = ["return", "keep", "delete"]
        public static let defaultGenericDomains = ["gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
                                                   "yahoo.com", "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de",
                                                   "proton.me", "protonmail.com"]

        /// `name`: shown in logs and `crmgate status`.
        public var name: String
        /// `users`: account addresses, or `"*"` for every account not listed elsewhere.
        public var users: [String]
        /// `master_folder`: name of the CRM's top folder; empty means the `[crm] name`.
        public var masterFolder: String
        /// `drop_modules`: modules with a `- Create New <Module>` folder.
        public var dropModules: [String]
        /// `display_modules`: modules with a folder of summary emails and Assign To folders.
        public var displayModules: [String]
        /// `create_email_folder`: the drop folder that archives mail to the people it involves.
        public var createEmailFolder: String
        /// `create_record_folder`: name of the Create New folders; `{module}` is the module's singular name.
        public var createRecordFolder: String
        /// `assign_to_folder`: the parent of the per-record drop folders in each display module.
        public var assignToFolder: String
        /// `assign_to_template`: name of an Assign To folder: `{name}`, `{number}` or a field key.
        public var assignToTemplate: String
        /// `scope`: "owned" shows the records the user owns; "visible" every record the CRM lets them see.
        public var scope: String
        /// `summary_subjects`: per module, the subject of its summary emails, e.g.
        /// `{ opportunities = "{name} · {stage} · {amount}" }`; modules not named keep the default.
        public var summarySubjects: [String: String]
        /// `after_processing`: a dropped mail, once done, goes back where it came from
        /// ("return", INBOX when unknown), stays in the drop folder ("keep"), or is deleted.
        public var afterProcessing: String
        /// `must_match`: a mail none of whose addresses matches (or could be created) is an error.
        public var mustMatch: Bool
        /// `match_leads`: match leads when no contact has the address.
        public var matchLeads: Bool
        /// `create_contacts`: create a contact (and its account from the domain) for an unmatched address.
        public var createContacts: Bool
        /// `generic_domains`: webmail domains that never become accounts.
        public var genericDomains: [String]
        /// `blocked`: addresses or domains (regular expressions) never matched or created.
        public var blocked: [String]
        /// `skip_internal`: a mail whose every address is a CRM user is not archived.
        public var skipInternal: Bool
        /// `conversation_follow`: a later mail of a conversation a drop archived (its In-Reply-To
        /// or References name the archived mail) is archived to the same records when it
        /// arrives in, or is moved to, any folder of the user.
        public var conversationFollow: Bool

        public init(name: String = "everyone", users: [String] = ["*"], masterFolder: String = "",
                    dropModules: [String] = ["opportunities", "cases"],
                    displayModules: [String] = ["opportunities", "cases", "quotes", "projects"],
                    createEmailFolder: String = "- Create New Email", createRecordFolder: String = "- Create New {module}",
                    assignToFolder: String = "Assign To", assignToTemplate: String = "{name} ({number})", scope: String = "owned",
                    summarySubjects: [String: String] = [:], afterProcessing: String = "return", mustMatch: Bool = true,
                    matchLeads: Bool = true, createContacts: Bool = true, genericDomains: [String] = Policy.defaultGenericDomains,
                    blocked: [String] = [], skipInternal: Bool = true, conversationFollow: Bool = true) {
            self.name = name; self.users = users; self.masterFolder = masterFolder
            self.dropModules = dropModules; self.displayModules = displayModules
            self.createEmailFolder = createEmailFolder; self.createRecordFolder = createRecordFolder
            self.assignToFolder = assignToFolder; self.assignToTemplate = assignToTemplate; self.scope = scope
            self.summarySubjects = summarySubjects
            self.afterProcessing = afterProcessing; self.mustMatch = mustMatch; self.matchLeads = matchLeads
            self.createContacts = createContacts; self.genericDomains = genericDomains; self.blocked = blocked
            self.skipInternal = skipInternal; self.conversationFollow = conversationFollow
        }

        /// Whether the policy names this account explicitly (not through `"*"`).
        public func lists(_ email: String) -> Bool {
            users.contains { $0.lowercased() == email.lowercased() }
        }
    }

    /// The policy an account follows, if any.
    public func policy(for email: String) -> Policy? {
        policies.first { $0.lists(email) } ?? policies.first { $0.users.contains("*") }
    }
}

extension GatewayConfiguration.Policy: ConfigurationSection {
    static let sectionName = "policy"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        try table.read("name", into: &name, .nonEmpty("a name for the policy"))
        try table.read("users", into: &users, .nonEmpty("an email address or \"*\""))
        try table.read("master_folder", into: &masterFolder, .any)
        try table.read("drop_modules", into: &dropModules, .nonEmpty("a module key such as \"opportunities\""))
        try table.read("display_modules", into: &displayModules, .nonEmpty("a module key such as \"opportunities\""))
        try table.read("create_email_folder", into: &createEmailFolder, .nonEmpty("a folder name"))
        try table.read("create_record_folder", into: &createRecordFolder, .nonEmpty("a folder name"))
        try table.read("assign_to_folder", into: &assignToFolder, .nonEmpty("a folder name"))
        try table.read("assign_to_template", into: &assignToTemplate, .nonEmpty("a folder name template"))
        try table.read("scope", into: &scope, .oneOf(noun: "scope", Self.scopes))
        try table.read("summary_subjects", into: &summarySubjects, .nonEmpty("a subject template such as \"{name} · {stage}\""))
        try table.read("after_processing", into: &afterProcessing, .oneOf(noun: "after_processing choice", Self.afterProcessingChoices))
        try table.read("must_match", into: &mustMatch)
        try table.read("match_leads", into: &matchLeads)
        try table.read("create_contacts", into: &createContacts)
        try table.read("generic_domains", into: &genericDomains, .nonEmpty("a domain such as \"gmail.com\""))
        try table.read("blocked", into: &blocked, .nonEmpty("a regular expression for addresses or domains"))
        try table.read("skip_internal", into: &skipInternal)
        try table.read("conversation_follow", into: &conversationFollow)
        for pattern in blocked where (try? Regex(pattern)) == nil {
            throw table.error("blocked", "\"\(pattern)\" is not a valid regular expression")
        }
        if users.isEmpty {
            throw table.error("users", "the policy applies to nobody; list account addresses or \"*\"")
        }
        for (key, folder) in [("create_email_folder", createEmailFolder), ("create_record_folder", createRecordFolder),
                              ("assign_to_folder", assignToFolder), ("master_folder", masterFolder)] where folder.contains("/") {
            throw table.error(key, "\"\(folder)\" contains the hierarchy delimiter \"/\"; use a single folder name")
        }
    }
}
