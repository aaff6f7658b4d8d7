import Foundation

extension GatewayConfiguration {
    /// `[[policy]]`: which users see the CRM in their mailbox, and how.
    ///
    /// A user follows the policy that lists their address, or else the one listing `"*"`.
    public struct Policy: Sendable, Equatable {
        public static let scopes = ["owned", "visible"]
        public static let afterProcessingChoices = ["return", "keep", "delete"]
        /// How a module is kept in step with the address book (or calendar).
        public static let syncDirections = ["two-way", "crm-to-dav", "dav-to-crm", "off"]
        /// Who wins when a record and its card both changed: the newer change, the CRM, or the DAV side.
        public static let conflictRules = ["newest", "crm", "dav"]
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
        /// `time_zone`: the zone summary emails and the web UI show times in (an IANA name such
        /// as "Europe/Berlin"), unless the account has its own (`crmgate user timezone`);
        /// empty means the server's.
        public var timeZone: String
        /// `updated_summaries_unread`: a summary refreshed because its record changed arrives
        /// unread again; false keeps the \Seen (and always the \Flagged) of the one it replaces.
        public var updatedSummariesUnread: Bool
        /// `summary_subjects`: per module, the subject of its summary emails, e.g.
        /// `{ opportunities = "{name} · {stage} · {amount}" }`; modules not named keep the default.
        public var summarySubjects: [String: String]
        /// `after_processing`: a dropped mail, once done, goes back where it came from
        /// ("return", INBOX when unknown), stays in the drop folder ("keep"), or is deleted.
        public var afterProcessing: String
        /// `flag_failed_drops`: a mail whose drop failed is also flagged (`\Flagged`, and
        /// Thunderbird's red "Important" tag `$label1`), so that clients which show no keywords
        /// (Apple Mail, Outlook, phones) show it; the flag goes once the drop works.
        public var flagFailedDrops: Bool
        /// `resolved_reports`: when a mail whose drop failed is dropped again and succeeds, its
        /// error reports are deleted ("delete"), or deleted and followed by a short note that
        /// it worked ("note"). Reports already on the upstream server (proxy mode) always get the note.
        public var resolvedReports: String
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

        // MARK: The contacts bridge (with `[dav]`)

        /// `contacts_sync`, `leads_sync`: two-way, crm-to-dav, dav-to-crm or off.
        public var contactsSync: String
        public var leadsSync: String
        /// `address_book`: the display name of the address book the CRM's contacts go to
        /// (created when missing); empty means the CRM's name.
        public var addressBook: String
        /// `leads_address_book`: a separate address book for leads; empty puts them in `address_book`.
        public var leadsAddressBook: String
        /// `category`: the CATEGORIES value every synced card carries; a new card with it
        /// becomes a CRM contact. Empty means the CRM's name.
        public var category: String
        /// `conflict`: newest, crm or dav.
        public var conflict: String
        /// `dav_deletes_crm`: a card deleted in the address book deletes its CRM record; by
        /// default the record stays and its card comes back when the record changes.
        public var davDeletesCRM: Bool
        /// `sync_interval`: seconds between looks at the address book (CRM changes sync at once).
        public var syncInterval: Int
        /// `sync_scope`: "owned" syncs the records the user owns, "visible" all they may see.
        public var syncScope: String
        /// `first_sync_since`: a first sync copies records modified on or after this date
        /// (YYYY-MM-DD); empty copies them all.
        public var firstSyncSince: String
        /// `first_sync_max`: at most this many records per module in a first sync, the most
        /// recently modified; 0 means no limit.
        public var firstSyncMax: Int

        // MARK: The calendar bridge (with `[dav]`)

        /// `events_sync`, `tasks_sync`: two-way, crm-to-dav, dav-to-crm or off.
        public var eventsSync: String
        public var tasksSync: String
        /// `calendar`: the display name of the calendar CRM events go to (created when
        /// missing); empty means the CRM's name.
        public var calendar: String
        /// `task_list`: the calendar CRM tasks go to; empty means `calendar` (one calendar
        /// created for events and tasks).
        public var taskList: String
        /// `default_calendar`: use the user's first calendar that takes events (and tasks)
        /// instead of one of the CRM's name.
        public var defaultCalendar: Bool
        /// `calendar_color`: the colour synced events and tasks show in (RFC 7986 COLOR, a
        /// CSS colour name); empty: none.
        public var calendarColor: String
        /// `calendar_past_days`, `calendar_future_days`: the window of events a first sync
        /// copies, and in which series made in the calendar become CRM events.
        public var calendarPastDays: Int
        public var calendarFutureDays: Int
        /// `calendar_require_category`: a new calendar event or task becomes a CRM record only
        /// with the category; false takes every new one.
        public var calendarRequireCategory: Bool
        /// `task_completion_to_dav`: a task completed in the CRM is completed in the calendar
        /// too (the calendar's completion always reaches the CRM).
        public var taskCompletionToDAV: Bool
        /// `crm_deleted_events`: "remove" deletes the calendar event of a deleted CRM event;
        /// "cancel" keeps it, marked cancelled.
        public var crmDeletedEvents: String
        /// `private_items`: "sync" private events and tasks as private, or "skip" them.
        public var privateItems: String
        /// `crm_recurrence`: a repeating CRM event is a series in the calendar; false writes
        /// only its first occurrence.
        public var crmRecurrence: Bool

        public init(name: String = "everyone", users: [String] = ["*"], masterFolder: String = "",
                    dropModules: [String] = ["opportunities", "cases"],
                    displayModules: [String] = ["opportunities", "cases", "quotes", "projects"],
                    createEmailFolder: String = "- Create New Email", createRecordFolder: String = "- Create New {module}",
                    assignToFolder: String = "Assign To", assignToTemplate: String = "{name} ({number})", scope: String = "owned",
                    timeZone: String = "", updatedSummariesUnread: Bool = false, summarySubjects: [String: String] = [:], afterProcessing: String = "return", flagFailedDrops: Bool = true, resolvedReports: String = "delete",
                    mustMatch: Bool = true,
                    matchLeads: Bool = true, createContacts: Bool = true, genericDomains: [String] = Policy.defaultGenericDomains,
                    blocked: [String] = [], skipInternal: Bool = true, conversationFollow: Bool = true,
                    contactsSync: String = "two-way", leadsSync: String = "two-way", addressBook: String = "", leadsAddressBook: String = "",
                    category: String = "", conflict: String = "newest", davDeletesCRM: Bool = false, syncInterval: Int = 300,
                    syncScope: String = "owned", firstSyncSince: String = "", firstSyncMax: Int = 0,
                    eventsSync: String = "two-way", tasksSync: String = "two-way", calendar: String = "", taskList: String = "",
                    defaultCalendar: Bool = false, calendarColor: String = "darkorange", calendarPastDays: Int = 45,
                    calendarFutureDays: Int = 400, calendarRequireCategory: Bool = true, taskCompletionToDAV: Bool = false,
                    crmDeletedEvents: String = "remove", privateItems: String = "sync", crmRecurrence: Bool = true) {
            self.name = name; self.users = users; self.masterFolder = masterFolder
            self.dropModules = dropModules; self.displayModules = displayModules
            self.createEmailFolder = createEmailFolder; self.createRecordFolder = createRecordFolder
            self.assignToFolder = assignToFolder; self.assignToTemplate = assignToTemplate; self.scope = scope
            self.timeZone = timeZone; self.updatedSummariesUnread = updatedSummariesUnread
            self.summarySubjects = summarySubjects
            self.afterProcessing = afterProcessing; self.flagFailedDrops = flagFailedDrops; self.resolvedReports = resolvedReports; self.mustMatch = mustMatch; self.matchLeads = matchLeads
            self.createContacts = createContacts; self.genericDomains = genericDomains; self.blocked = blocked
            self.skipInternal = skipInternal; self.conversationFollow = conversationFollow
            self.contactsSync = contactsSync; self.leadsSync = leadsSync; self.addressBook = addressBook
            self.leadsAddressBook = leadsAddressBook; self.category = category; self.conflict = conflict
            self.davDeletesCRM = davDeletesCRM; self.syncInterval = syncInterval; self.syncScope = syncScope
            self.firstSyncSince = firstSyncSince; self.firstSyncMax = firstSyncMax
            self.eventsSync = eventsSync; self.tasksSync = tasksSync; self.calendar = calendar; self.taskList = taskList
            self.defaultCalendar = defaultCalendar; self.calendarColor = calendarColor; self.calendarPastDays = calendarPastDays
            self.calendarFutureDays = calendarFutureDays; self.calendarRequireCategory = calendarRequireCategory
            self.taskCompletionToDAV = taskCompletionToDAV; self.crmDeletedEvents = crmDeletedEvents; self.privateItems = privateItems
            self.crmRecurrence = crmRecurrence
        }

        /// The direction `module` (contacts, leads, events, tasks) is synced in, or nil when it is not.
        public func syncDirection(of module: String) -> String? {
            let direction = switch module {
            case "contacts": contactsSync
            case "leads": leadsSync
            case "events": eventsSync
            case "tasks": tasksSync
            default: "off"
            }
            return direction == "off" ? nil : direction
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
    /// `YYYY-MM-DD` with a real month and day.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let month = Int(parts[1]), let day = Int(parts[2]), Int(parts[0]) != nil else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    static let sectionName = "policy"

    /// The CSS3 colour names RFC 7986 COLOR takes.
    static let cssColors: Set<String> = Set("""
        aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood cadetblue
        chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey
        darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray
        darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen
        fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender
        lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey
        lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen
        magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
        mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab orange
        orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple
        rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray
        slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("name", into: &name, .nonEmpty("a name for the policy"))
        table.read("users", into: &users, .nonEmpty("an email address or \"*\""))
        table.read("master_folder", into: &masterFolder, .any)
        table.read("drop_modules", into: &dropModules, .nonEmpty("a module key such as \"opportunities\""))
        table.read("display_modules", into: &displayModules, .nonEmpty("a module key such as \"opportunities\""))
        table.read("create_email_folder", into: &createEmailFolder, .nonEmpty("a folder name"))
        table.read("create_record_folder", into: &createRecordFolder, .nonEmpty("a folder name"))
        table.read("assign_to_folder", into: &assignToFolder, .nonEmpty("a folder name"))
        table.read("assign_to_template", into: &assignToTemplate, .nonEmpty("a folder name template"))
        table.read("scope", into: &scope, .oneOf(noun: "scope", Self.scopes))
        table.read("time_zone", into: &timeZone, .any)
        table.read("updated_summaries_unread", into: &updatedSummariesUnread)
        table.read("summary_subjects", into: &summarySubjects, .nonEmpty("a subject template such as \"{name} · {stage}\""))
        table.read("after_processing", into: &afterProcessing, .oneOf(noun: "after_processing choice", Self.afterProcessingChoices))
        table.read("flag_failed_drops", into: &flagFailedDrops)
        table.read("resolved_reports", into: &resolvedReports, .oneOf(noun: "resolved_reports choice", ["delete", "note"]))
        table.read("must_match", into: &mustMatch)
        table.read("match_leads", into: &matchLeads)
        table.read("create_contacts", into: &createContacts)
        table.read("generic_domains", into: &genericDomains, .nonEmpty("a domain such as \"gmail.com\""))
        table.read("blocked", into: &blocked, .nonEmpty("a regular expression for addresses or domains"))
        table.read("skip_internal", into: &skipInternal)
        table.read("conversation_follow", into: &conversationFollow)
        table.read("contacts_sync", into: &contactsSync, .oneOf(noun: "direction", Self.syncDirections))
        table.read("leads_sync", into: &leadsSync, .oneOf(noun: "direction", Self.syncDirections))
        table.read("address_book", into: &addressBook, .any)
        table.read("leads_address_book", into: &leadsAddressBook, .any)
        table.read("category", into: &category, .any)
        table.read("conflict", into: &conflict, .oneOf(noun: "conflict rule", Self.conflictRules))
        table.read("dav_deletes_crm", into: &davDeletesCRM)
        table.read("sync_interval", into: &syncInterval, .positive("seconds"))
        table.read("sync_scope", into: &syncScope, .oneOf(noun: "scope", Self.scopes))
        table.read("first_sync_since", into: &firstSyncSince, .any)
        table.read("first_sync_max", into: &firstSyncMax, .nonNegative("records"))
        table.read("events_sync", into: &eventsSync, .oneOf(noun: "direction", Self.syncDirections))
        table.read("tasks_sync", into: &tasksSync, .oneOf(noun: "direction", Self.syncDirections))
        table.read("calendar", into: &calendar, .any)
        table.read("task_list", into: &taskList, .any)
        table.read("default_calendar", into: &defaultCalendar)
        table.read("calendar_color", into: &calendarColor, .any)
        table.read("calendar_past_days", into: &calendarPastDays, .nonNegative("days"))
        table.read("calendar_future_days", into: &calendarFutureDays, .positive("days"))
        table.read("calendar_require_category", into: &calendarRequireCategory)
        table.read("task_completion_to_dav", into: &taskCompletionToDAV)
        table.read("crm_deleted_events", into: &crmDeletedEvents, .oneOf(noun: "choice", ["remove", "cancel"]))
        table.read("private_items", into: &privateItems, .oneOf(noun: "choice", ["sync", "skip"]))
        table.read("crm_recurrence", into: &crmRecurrence)
        if !calendarColor.isEmpty, !Self.cssColors.contains(calendarColor.lowercased()) {
            throw table.error("calendar_color", "\"\(calendarColor)\" is not a CSS colour name (RFC 7986 COLOR), e.g. \"darkorange\" or \"steelblue\"")
        }
        if !timeZone.isEmpty, TimeZone(identifier: timeZone) == nil {
            throw table.error("time_zone", "\"\(timeZone)\" is not a time zone; use an IANA name such as \"Europe/Berlin\" or \"America/New_York\"")
        }
        if !firstSyncSince.isEmpty, !Self.isDate(firstSyncSince) {
            throw table.error("first_sync_since", "\"\(firstSyncSince)\" is not a date; write it as YYYY-MM-DD, e.g. \"2026-01-01\"")
        }
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
