import Testing

@testable import GatewayConfig

/// One faulty configuration and the exact error an administrator must read.
struct FaultyConfiguration: Sendable, CustomTestStringConvertible {
    var toml: String
    var description: String

    init(_ toml: String, _ description: String) {
        self.toml = toml
        self.description = description
    }

    var testDescription: String { description }
}

@Suite("Gateway configuration: errors")
struct ConfigurationErrorTests {
    static let faults: [FaultyConfiguration] = [
        // TOML syntax, with line and column
        FaultyConfiguration(
            "[imap]\nhost = \"x\"\nport 1143",
            #"conf/crmgate.toml: line 3, column 6: key-value pair: expected '=', saw '1'"#),
        // Unknown sections and keys
        FaultyConfiguration(
            "[imap]\ntls_prot = 993",
            "conf/crmgate.toml: line 2: imap.tls_prot: unknown key imap.tls_prot — did you mean tls_port?"),
        FaultyConfiguration(
            "[imap]\nbanner = \"hi\"",
            "conf/crmgate.toml: line 2: imap.banner: unknown key imap.banner — the keys of [imap] are host, port, tls_port, "
                + "allow_plaintext_auth, max_line_bytes, max_message_bytes, unauthenticated_timeout, idle_timeout, "
                + "failed_login_delay_ms, max_failed_logins, failed_login_window, max_connections, quota_mb, quota_messages"),
        FaultyConfiguration(
            "[imapp]\nport = 143",
            "conf/crmgate.toml: line 1: imapp: unknown section [imapp] — did you mean [imap]?"),
        FaultyConfiguration(
            "[database]\nurl = \"x\"",
            "conf/crmgate.toml: line 1: database: unknown section [database] — the sections are [imap], [tls], [storage], [web], [crm], [log], [upstream], [dav], [policy], [module]"),
        FaultyConfiguration(
            "port = 143",
            "conf/crmgate.toml: line 1: port: unknown key port — every key belongs in a section: [imap], [tls], [storage], [web], [crm], [log], [upstream], [dav], [policy], [module]"),
        FaultyConfiguration(
            "[log]\nlevl = \"debug\"",
            "conf/crmgate.toml: line 2: log.levl: unknown key log.levl — did you mean level?"),
        // Wrong types
        FaultyConfiguration(
            "[imap]\nport = \"abc\"",
            #"conf/crmgate.toml: line 2: imap.port: expected an integer from 0 to 65535, got "abc""#),
        FaultyConfiguration(
            "[imap]\nport = 143.0",
            "conf/crmgate.toml: line 2: imap.port: expected an integer from 0 to 65535, got 143.0"),
        FaultyConfiguration(
            "[imap]\nhost = 127",
            "conf/crmgate.toml: line 2: imap.host: expected a host name or IP address to listen on as a quoted string, got 127"),
        FaultyConfiguration(
            "[imap]\nallow_plaintext_auth = \"yes\"",
            #"conf/crmgate.toml: line 2: imap.allow_plaintext_auth: expected true or false, got "yes""#),
        FaultyConfiguration(
            "[imap]\nidle_timeout = [1800]",
            "conf/crmgate.toml: line 2: imap.idle_timeout: expected a positive number of seconds, got an array"),
        FaultyConfiguration(
            "imap = 1143",
            "conf/crmgate.toml: line 1: imap: expected a table [imap], got 1143"),
        FaultyConfiguration(
            "[[imap]]\nport = 1",
            "conf/crmgate.toml: line 1: imap: expected a table [imap], got an array"),
        FaultyConfiguration(
            "[log]\nlevel = 3",
            "conf/crmgate.toml: line 2: log.level: expected a log level (one of trace, debug, info, notice, warning, error, critical) as a quoted string, got 3"),
        // Out of range
        FaultyConfiguration(
            "[imap]\nport = 70000",
            "conf/crmgate.toml: line 2: imap.port: expected an integer from 0 to 65535, got 70000"),
        FaultyConfiguration(
            "[imap]\ntls_port = -1",
            "conf/crmgate.toml: line 2: imap.tls_port: expected an integer from 0 to 65535, got -1"),
        FaultyConfiguration(
            "[imap]\nmax_line_bytes = 0",
            "conf/crmgate.toml: line 2: imap.max_line_bytes: expected a positive number of bytes, got 0"),
        FaultyConfiguration(
            "[imap]\nmax_message_bytes = -5",
            "conf/crmgate.toml: line 2: imap.max_message_bytes: expected a positive number of bytes, got -5"),
        FaultyConfiguration(
            "[imap]\nunauthenticated_timeout = 0",
            "conf/crmgate.toml: line 2: imap.unauthenticated_timeout: expected a positive number of seconds, got 0"),
        FaultyConfiguration(
            "[imap]\nfailed_login_delay_ms = -1",
            "conf/crmgate.toml: line 2: imap.failed_login_delay_ms: expected a number of milliseconds, 0 or more, got -1"),
        FaultyConfiguration(
            "[imap]\nmax_failed_logins = 0",
            "conf/crmgate.toml: line 2: imap.max_failed_logins: expected a positive number of attempts, got 0"),
        FaultyConfiguration(
            "[imap]\nfailed_login_window = 0",
            "conf/crmgate.toml: line 2: imap.failed_login_window: expected a positive number of seconds, got 0"),
        FaultyConfiguration(
            "[imap]\nmax_connections = 0",
            "conf/crmgate.toml: line 2: imap.max_connections: expected a positive number of connections, got 0"),
        // Empty values and unknown words
        FaultyConfiguration(
            "[imap]\nhost = \"\"",
            #"conf/crmgate.toml: line 2: imap.host: expected a host name or IP address to listen on, got """#),
        FaultyConfiguration(
            "[imap]\nhost = \"  \"",
            #"conf/crmgate.toml: line 2: imap.host: expected a host name or IP address to listen on, got "  ""#),
        FaultyConfiguration(
            "[tls]\ncert = \"\"",
            #"conf/crmgate.toml: line 2: tls.cert: expected the path of a PEM certificate file, got """#),
        FaultyConfiguration(
            "[tls]\nkey = \"\"",
            #"conf/crmgate.toml: line 2: tls.key: expected the path of a PEM private key file, got """#),
        FaultyConfiguration(
            "[storage]\npath = \"\"",
            #"conf/crmgate.toml: line 2: storage.path: expected the path of the data directory, got """#),
        FaultyConfiguration(
            "[log]\nlevel = \"verbose\"",
            #"conf/crmgate.toml: line 2: log.level: unknown log level "verbose"; use one of trace, debug, info, notice, warning, error, critical"#),
        // Listeners
        FaultyConfiguration(
            "[imap]\nport = 0\ntls_port = 0",
            "conf/crmgate.toml: line 1: imap: port and tls_port are both 0, which disables every IMAP listener; set at least one of them"),
        FaultyConfiguration(
            "[web]\npublic_url = \"crm.example.com\"",
            #"conf/crmgate.toml: line 2: web.public_url: expected an http:// or https:// URL such as "https://crm.example.com", got "crm.example.com""#),
        FaultyConfiguration(
            "[crm]\nkind = \"sugar\"",
            #"conf/crmgate.toml: line 2: crm.kind: unknown CRM connector "sugar"; use one of embedded, bottlecrm"#),
        FaultyConfiguration(
            "[crm]\nkind = \"bottlecrm\"\ntoken_file = \"t\"",
            #"conf/crmgate.toml: line 1: crm.url: missing; a bottlecrm CRM needs the base URL of its API, e.g. url = "https://crm.example.com""#),
        FaultyConfiguration(
            "[crm]\nkind = \"bottlecrm\"\nurl = \"crm.example.com\"\ntoken_file = \"t\"",
            #"conf/crmgate.toml: line 3: crm.url: "crm.example.com" is not an http:// or https:// URL"#),
        FaultyConfiguration(
            "[crm]\nkind = \"bottlecrm\"\nurl = \"https://crm.example.com\"",
            "conf/crmgate.toml: line 1: crm.token_file: missing; name the file that holds the bottlecrm access token (or give it as token)"),
        FaultyConfiguration(
            "[crm]\nkind = \"bottlecrm\"\nurl = \"https://crm.example.com\"\ntoken = \"bcrm_pat_x\"\ntoken_file = \"t\"",
            "conf/crmgate.toml: line 4: crm.token: given together with token_file; keep one (token_file is preferred)"),
        FaultyConfiguration(
            "[crm]\nkind = \"bottlecrm\"\nurl = \"https://crm.example.com\"\ntoken_file = \"t\"\ntimeout = 0",
            "conf/crmgate.toml: line 5: crm.timeout: expected a positive number of seconds, got 0"),
        // Policies
        FaultyConfiguration(
            "[[policy]]\nname = \"a\"\n[[policy]]\nname = \"b\"",
            #"conf/crmgate.toml: line 3: policy[2].users: "*" (every other account) is in the policies a and b; an account follows one policy"#),
        FaultyConfiguration(
            "[[policy]]\nname = \"a\"\nusers = [\"x@example.com\"]\n[[policy]]\nname = \"b\"\nusers = [\"X@example.com\"]",
            "conf/crmgate.toml: line 6: policy[2].users: x@example.com is in the policies a and b; an account follows one policy"),
        FaultyConfiguration(
            "[[policy]]\nname = \"a\"\nusers = []",
            #"conf/crmgate.toml: line 3: policy[1].users: the policy applies to nobody; list account addresses or "*""#),
        FaultyConfiguration(
            "[[policy]]\nusers = [1]",
            #"conf/crmgate.toml: line 2: policy[1].users: element 1: expected an email address or "*" as a quoted string, got 1"#),
        FaultyConfiguration(
            "[[policy]]\nassign_to_folder = \"Assign/To\"",
            #"conf/crmgate.toml: line 2: policy[1].assign_to_folder: "Assign/To" contains the hierarchy delimiter "/"; use a single folder name"#),
        FaultyConfiguration(
            "[[policy]]\nblocked = [\"(unclosed\"]",
            #"conf/crmgate.toml: line 2: policy[1].blocked: "(unclosed" is not a valid regular expression"#),
        FaultyConfiguration(
            "[[policy]]\nafter_processing = \"archive\"",
            #"conf/crmgate.toml: line 2: policy[1].after_processing: unknown after_processing choice "archive"; use one of return, keep, delete"#),
        FaultyConfiguration(
            "[[policy]]\ntime_zone = \"Mars/Olympus\"",
            #"conf/crmgate.toml: line 2: policy[1].time_zone: "Mars/Olympus" is not a time zone; use an IANA name such as "Europe/Berlin" or "America/New_York""#),
        FaultyConfiguration(
            "[[policy]]\nscope = \"everything\"",
            #"conf/crmgate.toml: line 2: policy[1].scope: unknown scope "everything"; use one of owned, visible"#),
        FaultyConfiguration(
            "[[policy]]\nfolders = 1",
            "conf/crmgate.toml: line 2: policy[1].folders: unknown key policy[1].folders — the keys of [policy[1]] are name, users, master_folder, drop_modules, display_modules, create_email_folder, create_record_folder, assign_to_folder, assign_to_template, scope, time_zone, updated_summaries_unread, summary_subjects, after_processing, flag_failed_drops, resolved_reports, must_match, match_leads, create_contacts, generic_domains, blocked, skip_internal, conversation_follow, contacts_sync, leads_sync, address_book, leads_address_book, category, conflict, dav_deletes_crm, sync_interval, sync_scope, first_sync_since, first_sync_max, events_sync, tasks_sync, calendar, task_list, default_calendar, calendar_color, calendar_past_days, calendar_future_days, calendar_require_category, task_completion_to_dav, crm_deleted_events, private_items, crm_recurrence"),
        FaultyConfiguration(
            "[imap]\nport = 993\ntls_port = 993",
            "conf/crmgate.toml: line 3: imap.tls_port: 993 is also imap.port; the STARTTLS and implicit-TLS listeners need different ports"),
    ]

    @Test(arguments: faults)
    func reportsTheFaultWithAdvice(_ fault: FaultyConfiguration) {
        #expect {
            try GatewayConfiguration.parse(fault.toml, source: "conf/crmgate.toml")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            #expect(error.description == fault.description)
            return true
        }
    }

    @Test func syntaxErrorsCarryLineAndColumnAndNoKey() {
        #expect(
            throws: ConfigurationError(
                file: "a.toml", line: 2, column: 10, message: "decimal integer: leading zeroes are prohibited")
        ) {
            try GatewayConfiguration.parse("[imap]\nport = 01", source: "a.toml")
        }
    }

    @Test func valueErrorsCarryTheDottedKeyAndItsLine() {
        #expect(
            throws: ConfigurationError(
                file: "a.toml", key: "imap.port", line: 2, message: "expected an integer from 0 to 65535, got 65536")
        ) {
            try GatewayConfiguration.parse("[imap]\nport = 65536", source: "a.toml")
        }
    }

    @Test func reportsEveryMistakeOfTheFileInLineOrder() {
        let text = """
            [imap]
            port = "abc"
            banner = "hi"

            [[policy]]
            name = "sales"
            scope = "everything"

            [log]
            levl = "debug"
            [crm]
            kind = "bottlecrm"
            """
        #expect {
            try GatewayConfiguration.parse(text, source: "c.toml")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            #expect(error.all.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "2 imap.port", "3 imap.banner", "7 policy[1].scope", "10 log.levl", "11 crm.url",
            ])
            #expect(error.description.split(separator: "\n").count == 5)
            #expect(error.description.hasPrefix(#"c.toml: line 2: imap.port: expected an integer from 0 to 65535, got "abc""#))
            return true
        }
    }

    @Test func aCheckAcrossKeysIsSkippedAfterABadValueInTheSameSection() {
        // tls_port = "x" leaves the default 1993; comparing it with port = 1993 would blame a value never written.
        #expect(throws: ConfigurationError(
            file: "c.toml", key: "imap.tls_port", line: 3, message: #"expected an integer from 0 to 65535, got "x""#)
        ) {
            try GatewayConfiguration.parse("[imap]\nport = 1993\ntls_port = \"x\"", source: "c.toml")
        }
    }

    @Test func suggestsOnlyNamesWithinTwoEdits() {
        #expect(KeySuggestion.closest(to: "tls_prot", among: ["port", "tls_port"]) == "tls_port")
        #expect(KeySuggestion.closest(to: "hots", among: ["host", "port"]) == "host")
        #expect(KeySuggestion.closest(to: "banner", among: ["host", "port"]) == nil)
        #expect(KeySuggestion.editDistance("kitten", "sitting") == 3)
        #expect(KeySuggestion.editDistance("", "abc") == 3)
    }
}
