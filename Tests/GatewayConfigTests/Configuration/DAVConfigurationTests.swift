import Testing

@testable import GatewayConfig

@Suite("Gateway configuration: [dav] and the policy's contacts options")
struct DAVConfigurationTests {
    @Test func withoutTheSectionNothingSyncs() throws {
        #expect(try GatewayConfiguration.parse("[imap]\n", source: "t").dav == nil)
    }

    @Test func templatesFillInTheAccountAndItsOwnSettingsWin() throws {
        let text = """
            [dav]
            url = "https://dav.example.com/{local}/"
            username = "{user}"
            password_file = "conf/dav-password"

            [[dav.account]]
            user = "Bob@Example.com"
            url = "https://other.example.com/"
            password_file = "conf/bob"
            """
        let dav = try #require(try GatewayConfiguration.parse(text, source: "t").dav)
        #expect(dav.endpoint(for: "alice@example.com") == .init(url: "https://dav.example.com/alice/", username: "alice@example.com",
                                                                 passwordFile: "conf/dav-password", password: ""))
        #expect(dav.endpoint(for: "bob@example.com") == .init(url: "https://other.example.com/", username: "bob@example.com",
                                                               passwordFile: "conf/bob", password: ""))
        #expect(dav.timeout == 30 && dav.caFile.isEmpty)
    }

    @Test func policyDefaultsAreRivasAndEveryOptionReads() throws {
        let defaults = GatewayConfiguration.Policy()
        #expect(defaults.syncDirection(of: "contacts") == "two-way" && defaults.syncDirection(of: "leads") == "two-way")
        #expect(defaults.syncDirection(of: "opportunities") == nil)
        #expect(defaults.conflict == "newest" && !defaults.davDeletesCRM && defaults.syncScope == "owned" && defaults.syncInterval == 300)
        let text = """
            [[policy]]
            name = "sales"
            users = ["*"]
            contacts_sync = "crm-to-dav"
            leads_sync = "off"
            address_book = "CRM contacts"
            leads_address_book = "CRM leads"
            category = "CRM"
            conflict = "dav"
            dav_deletes_crm = true
            sync_interval = 60
            sync_scope = "visible"
            first_sync_since = "2026-01-01"
            first_sync_max = 500
            """
        let policy = try #require(try GatewayConfiguration.parse(text, source: "t").policies.first)
        #expect(policy.syncDirection(of: "contacts") == "crm-to-dav" && policy.syncDirection(of: "leads") == nil)
        #expect(policy.addressBook == "CRM contacts" && policy.leadsAddressBook == "CRM leads" && policy.category == "CRM")
        #expect(policy.conflict == "dav" && policy.davDeletesCRM && policy.syncInterval == 60 && policy.syncScope == "visible")
        #expect(policy.firstSyncSince == "2026-01-01" && policy.firstSyncMax == 500)
    }

    @Test func calendarDefaultsAreRivasAndEveryOptionReads() throws {
        let defaults = GatewayConfiguration.Policy()
        #expect(defaults.syncDirection(of: "events") == "two-way" && defaults.syncDirection(of: "tasks") == "two-way")
        #expect(defaults.calendarPastDays == 45 && defaults.calendarFutureDays == 400 && defaults.calendarRequireCategory)
        #expect(!defaults.taskCompletionToDAV && defaults.crmDeletedEvents == "remove" && defaults.privateItems == "sync")
        #expect(defaults.calendarColor == "darkorange" && defaults.crmRecurrence && !defaults.defaultCalendar)
        let text = """
            [[policy]]
            name = "sales"
            users = ["*"]
            events_sync = "crm-to-dav"
            tasks_sync = "off"
            calendar = "CRM"
            task_list = "CRM tasks"
            default_calendar = true
            calendar_color = "SteelBlue"
            calendar_past_days = 10
            calendar_future_days = 30
            calendar_require_category = false
            task_completion_to_dav = true
            crm_deleted_events = "cancel"
            private_items = "skip"
            crm_recurrence = false
            """
        let policy = try #require(try GatewayConfiguration.parse(text, source: "t").policies.first)
        #expect(policy.syncDirection(of: "events") == "crm-to-dav" && policy.syncDirection(of: "tasks") == nil)
        #expect(policy.calendar == "CRM" && policy.taskList == "CRM tasks" && policy.defaultCalendar && policy.calendarColor == "SteelBlue")
        #expect(policy.calendarPastDays == 10 && policy.calendarFutureDays == 30 && !policy.calendarRequireCategory)
        #expect(policy.taskCompletionToDAV && policy.crmDeletedEvents == "cancel" && policy.privateItems == "skip" && !policy.crmRecurrence)
    }

    @Test(arguments: [
        ("[dav]\nusername = \"x\"\n", "dav.url", "name the CardDAV server"),
        ("[dav]\nurl = \"dav.example.com\"\npassword = \"x\"\n", "dav.url", "not an http:// or https:// URL"),
        ("[dav]\nurl = \"https://dav.example.com/\"\n", "dav.password_file", "holds the DAV password"),
        ("[dav]\nurl = \"https://d.example.com/\"\n[[dav.account]]\nuser = \"a@example.com\"\n", "dav.account[1].password_file", "a@example.com's DAV password"),
        ("[dav]\nurl = \"https://d.example.com/\"\npassword = \"x\"\n[[dav.account]]\nurl = \"https://e.example.com/\"\n", "dav.account[1].user", "name the crmgate account"),
        ("[dav]\nurl = \"https://d.example.com/\"\npassword = \"x\"\npasword_file = \"f\"\n", "dav.pasword_file", "did you mean password_file?"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\ncontacts_sync = \"both\"\n", "policy[1].contacts_sync", "two-way, crm-to-dav, dav-to-crm, off"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\nconflict = \"latest\"\n", "policy[1].conflict", "newest, crm, dav"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\nfirst_sync_since = \"01/02/2026\"\n", "policy[1].first_sync_since", "YYYY-MM-DD"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\nsync_interval = 0\n", "policy[1].sync_interval", "positive"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\ncalendar_color = \"#ff8800\"\n", "policy[1].calendar_color", "CSS colour name"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\ncrm_deleted_events = \"trash\"\n", "policy[1].crm_deleted_events", "remove, cancel"),
        ("[[policy]]\nname = \"p\"\nusers = [\"*\"]\nprivate_items = \"hide\"\n", "policy[1].private_items", "sync, skip"),
    ])
    func mistakesNameTheKeyAndSayWhatToDo(_ text: String, _ key: String, _ advice: String) {
        #expect {
            try GatewayConfiguration.parse(text, source: "crmgate.toml")
        } throws: { error in
            let error = error as! ConfigurationError
            return error.key == key && "\(error)".contains(advice)
        }
    }
}
