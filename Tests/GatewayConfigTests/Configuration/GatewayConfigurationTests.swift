import Testing

@testable import GatewayConfig

/// One key set in a configuration file and the field it must change.
struct KeyOverride: Sendable, CustomTestStringConvertible {
    var toml: String
    var apply: @Sendable (inout GatewayConfiguration) -> Void

    init(_ toml: String, _ apply: @escaping @Sendable (inout GatewayConfiguration) -> Void) {
        self.toml = toml
        self.apply = apply
    }

    var testDescription: String { toml.replacingNewlines }
}

@Suite("Gateway configuration: defaults and keys")
struct GatewayConfigurationTests {
    @Test func defaultsMatchTheDocumentedValues() {
        let imap = GatewayConfiguration().imap
        #expect(imap.host == "127.0.0.1")
        #expect(imap.port == 1143)
        #expect(imap.tlsPort == 1993)
        #expect(imap.allowPlaintextAuth == false)
        #expect(imap.maxLineBytes == 65_536)
        #expect(imap.maxMessageBytes == 52_428_800)
        #expect(imap.unauthenticatedTimeout == 60)
        #expect(imap.idleTimeout == 1800)
        #expect(imap.failedLoginDelayMilliseconds == 1500)
        #expect(imap.maxFailedLogins == 10)
        #expect(imap.failedLoginWindow == 300)
        #expect(imap.maxConnections == 1000)
        #expect(GatewayConfiguration().tls == .init(cert: "certs/dev.crt", key: "certs/dev.key"))
        #expect(GatewayConfiguration().storage.path == "data")
        #expect(GatewayConfiguration().log.level == "info")
    }

    @Test(arguments: ["", "# nothing but a comment\n", "[imap]\n[tls]\n[storage]\n[log]\n"])
    func emptyDocumentsYieldTheDefaults(_ text: String) throws {
        #expect(try GatewayConfiguration.parse(text, source: "test.toml") == GatewayConfiguration())
    }

    static let overrides: [KeyOverride] = [
        KeyOverride("[imap]\nhost = \"0.0.0.0\"") { $0.imap.host = "0.0.0.0" },
        KeyOverride("[imap]\nport = 143") { $0.imap.port = 143 },
        KeyOverride("[imap]\nport = 0") { $0.imap.port = 0 },
        KeyOverride("[imap]\ntls_port = 993") { $0.imap.tlsPort = 993 },
        KeyOverride("[imap]\ntls_port = 0") { $0.imap.tlsPort = 0 },
        KeyOverride("[imap]\nallow_plaintext_auth = true") { $0.imap.allowPlaintextAuth = true },
        KeyOverride("[imap]\nmax_line_bytes = 8192") { $0.imap.maxLineBytes = 8192 },
        KeyOverride("[imap]\nmax_message_bytes = 0x100000") { $0.imap.maxMessageBytes = 1_048_576 },
        KeyOverride("[imap]\nunauthenticated_timeout = 30") { $0.imap.unauthenticatedTimeout = 30 },
        KeyOverride("[imap]\nidle_timeout = 3_600") { $0.imap.idleTimeout = 3600 },
        KeyOverride("[imap]\nfailed_login_delay_ms = 0") { $0.imap.failedLoginDelayMilliseconds = 0 },
        KeyOverride("[imap]\nmax_failed_logins = 3") { $0.imap.maxFailedLogins = 3 },
        KeyOverride("[imap]\nfailed_login_window = 60") { $0.imap.failedLoginWindow = 60 },
        KeyOverride("[imap]\nmax_connections = 50") { $0.imap.maxConnections = 50 },
        KeyOverride("[tls]\ncert = \"/etc/crmgate/server.pem\"") { $0.tls.cert = "/etc/crmgate/server.pem" },
        KeyOverride("[tls]\nkey = '../keys/server.key'") { $0.tls.key = "../keys/server.key" },
        KeyOverride("[storage]\npath = \"/var/lib/crmgate\"") { $0.storage.path = "/var/lib/crmgate" },
        KeyOverride("[log]\nlevel = \"debug\"") { $0.log.level = "debug" },
        KeyOverride("[web]\nhost = \"0.0.0.0\"") { $0.web.host = "0.0.0.0" },
        KeyOverride("[web]\nport = 0") { $0.web.port = 0 },
        KeyOverride("[web]\npublic_url = \"https://crm.example.com/\"") { $0.web.publicURL = "https://crm.example.com" },
        KeyOverride("[crm]\nname = \"Acme CRM\"") { $0.crm.name = "Acme CRM" },
        KeyOverride("[crm]\npoll_interval = 5") { $0.crm.pollInterval = 5 },
        KeyOverride("[crm]\nretry_limit = 3") { $0.crm.retryLimit = 3 },
        KeyOverride("[crm]\nkind = \"bottlecrm\"\nurl = \"https://crm.example.com\"\ntoken_file = \"/etc/crmgate/bottlecrm.token\"\nca_file = \"ca.pem\"\ntimeout = 10\nwebhook_secret = \"whsec_x\"") {
            $0.crm = GatewayConfiguration.CRM(kind: "bottlecrm", name: "BottleCRM", url: "https://crm.example.com",
                                              tokenFile: "/etc/crmgate/bottlecrm.token", caFile: "ca.pem", timeout: 10, webhookSecret: "whsec_x")
        },
        KeyOverride("[crm]\nkind = \"bottlecrm\"\nname = \"Sales CRM\"\nurl = \"http://127.0.0.1:8000\"\ntoken = \"bcrm_pat_x\"") {
            $0.crm = GatewayConfiguration.CRM(kind: "bottlecrm", name: "Sales CRM", url: "http://127.0.0.1:8000", token: "bcrm_pat_x")
        },
        KeyOverride("[web]\nmetrics = false") { $0.web.metrics = false },
        KeyOverride("[[policy]]\nconversation_follow = false") { $0.policies = [GatewayConfiguration.Policy(conversationFollow: false)] },
        KeyOverride("[[policy]]\nafter_processing = \"keep\"\nmust_match = false\nblocked = [\".*@spam\\\\.example\"]\ngeneric_domains = [\"mail.example\"]") {
            $0.policies = [GatewayConfiguration.Policy(afterProcessing: "keep", mustMatch: false, genericDomains: ["mail.example"],
                                                       blocked: [".*@spam\\.example"])]
        },
        KeyOverride("[[policy]]\nname = \"sales\"\nusers = [\"a@example.com\"]\ndrop_modules = []\nscope = \"visible\"") {
            $0.policies = [GatewayConfiguration.Policy(name: "sales", users: ["a@example.com"], dropModules: [], scope: "visible")]
        },
        KeyOverride("imap.port = 2143\nlog = { level = \"trace\" }") {
            $0.imap.port = 2143
            $0.log.level = "trace"
        },
    ]

    @Test(arguments: overrides)
    func eachKeyOverridesItsField(_ override: KeyOverride) throws {
        var expected = GatewayConfiguration()
        override.apply(&expected)
        #expect(try GatewayConfiguration.parse(override.toml, source: "test.toml") == expected)
    }

    @Test(arguments: GatewayConfiguration.Log.levels)
    func acceptsEveryLogLevel(_ level: String) throws {
        let configuration = try GatewayConfiguration.parse("[log]\nlevel = \"\(level)\"", source: "test.toml")
        #expect(configuration.log.level == level)
    }

    @Test func relativePathsAreKeptAsWritten() throws {
        let configuration = try GatewayConfiguration.parse(
            "[tls]\ncert = \"./a/../b.crt\"\n[storage]\npath = \"data/../mail\"", source: "test.toml")
        #expect(configuration.tls.cert == "./a/../b.crt")
        #expect(configuration.storage.path == "data/../mail")
    }
}

extension String {
    var replacingNewlines: String { split(separator: "\n").joined(separator: " ⏎ ") }
}

@Suite("Gateway configuration: policies")
struct PolicySelectionTests {
    @Test func accountFollowsThePolicyListingItElseTheWildcard() throws {
        let config = try GatewayConfiguration.parse("""
            [[policy]]
            name = "all"
            users = ["*"]
            [[policy]]
            name = "sales"
            users = ["Alice@Example.com"]
            """, source: "t.toml")
        #expect(config.policy(for: "alice@example.com")?.name == "sales")
        #expect(config.policy(for: "bob@example.com")?.name == "all")
        #expect(GatewayConfiguration().policy(for: "bob@example.com") == nil)
    }

    @Test func policyNamesMustDiffer() {
        #expect(throws: ConfigurationError(file: "t.toml", key: "policy[2].name", line: 5, message: "two policies are called a; give each its own name")) {
            try GatewayConfiguration.parse("[[policy]]\nname = \"a\"\nusers = [\"x@e.com\"]\n[[policy]]\nname = \"a\"\nusers = [\"y@e.com\"]", source: "t.toml")
        }
    }
}

@Suite("Gateway configuration: custom modules")
struct CustomModuleTests {
    static let contracts = """
        [[module]]
        key = "contracts"
        singular = "Contract"
        plural = "Contracts"
        number_prefix = "CON"
        visibility = "all"
        closed_field = "status"
        closed_pattern = "Expired|Terminated"
        fields = [
          { key = "name", label = "Name", type = "text", required = true },
          { key = "status", label = "Status", type = "choice", choices = ["Draft", "Active", "Expired"] },
          { key = "account", label = "Account", type = "reference", module = "accounts" },
        ]
        """

    @Test func moduleWithFieldsIsRead() throws {
        let config = try GatewayConfiguration.parse(Self.contracts, source: "t.toml")
        let module = try #require(config.modules.first)
        #expect(module.key == "contracts" && module.numberPrefix == "CON" && module.visibility == "all")
        #expect(module.fields.map(\.type) == ["text", "choice", "reference"])
        #expect(module.fields[1].choices == ["Draft", "Active", "Expired"] && module.fields[2].module == "accounts")
        #expect(module.fields[0].required && !module.fields[1].required)
    }

    @Test(arguments: [
        ("[[module]]\nkey = \"Contracts\"\nsingular = \"C\"\nplural = \"Cs\"\nfields = [{ key = \"name\" }]",
         "t.toml: line 2: module[1].key: \"Contracts\" must be lower-case letters, digits and _ (it appears in URLs)"),
        ("[[module]]\nkey = \"c\"\nsingular = \"C\"\nplural = \"Cs\"",
         "t.toml: line 1: module[1].fields: a module needs at least one field"),
        ("[[module]]\nkey = \"c\"\nsingular = \"C\"\nplural = \"Cs\"\nfields = [{ key = \"title\" }]",
         "t.toml: line 1: module[1].name_field: \"name\" is not one of the module's fields"),
        ("[[module]]\nkey = \"c\"\nsingular = \"C\"\nplural = \"Cs\"\nfields = [{ key = \"name\", type = \"blob\" }]",
         "t.toml: line 1: module[1].fields[1].type: unknown field type \"blob\"; use one of text, long_text, text_list, email, url, phone, number, money, percent, bool, date, datetime, choice, reference"),
        ("[[module]]\nkey = \"c\"\nsingular = \"C\"\nplural = \"Cs\"\nfields = [{ key = \"name\", type = \"choice\" }]",
         "t.toml: line 1: module[1].fields[1].choices: a choice field needs its choices"),
        ("[[module]]\nkey = \"c\"\nsingular = \"C\"\nplural = \"Cs\"\nclosed_field = \"name\"\nfields = [{ key = \"name\" }]",
         "t.toml: line 1: module[1].closed_pattern: set closed_field and closed_pattern together, or neither"),
    ])
    func mistakesNameTheModuleAndKey(_ text: String, _ message: String) {
        #expect(throws: (any Error).self) { try GatewayConfiguration.parse(text, source: "t.toml") }
        do {
            _ = try GatewayConfiguration.parse(text, source: "t.toml")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite("Gateway configuration: secrets stay out of descriptions")
struct SecretDescriptionTests {
    @Test func tokensAndPasswordsAreRedactedWhereverTheConfigurationIsDescribed() {
        var configuration = GatewayConfiguration()
        configuration.crm = GatewayConfiguration.CRM(kind: "bottlecrm", url: "https://crm.example.com", token: "bcrm_pat_secret1",
                                                      webhookSecret: "whsec_secret2")
        var dav = GatewayConfiguration.DAV()
        dav.password = "dav-secret3"
        configuration.dav = dav
        for text in ["\(configuration)", String(reflecting: configuration), "\(configuration.crm)", "\(dav)"] {
            #expect(!text.contains("secret1") && !text.contains("secret2") && !text.contains("secret3"), "\(text)")
        }
        #expect("\(configuration.crm)".contains("token: <redacted>"))
        #expect("\(configuration.crm)".contains("url: \"https://crm.example.com\""))
    }
}
