import Testing

@testable import GatewayConfig

@Suite("Gateway configuration: [upstream] (proxy mode)")
struct UpstreamConfigurationTests {
    @Test func withoutTheSectionEverythingIsLocal() throws {
        #expect(try GatewayConfiguration.parse("[imap]\n", source: "test.toml").upstream == nil)
    }

    @Test func readsEveryKeyWithDefaultsForTheRest() throws {
        let minimal = try #require(try GatewayConfiguration.parse("[upstream]\nhost = \"mail.example.com\"\n", source: "t").upstream)
        #expect(minimal == .init(host: "mail.example.com"))
        #expect(minimal.security == .imaps && minimal.effectivePort == 993 && minimal.verify && minimal.connectTimeout == 10)
        let text = """
            [upstream]
            host = "mail.example.com"
            port = 1143
            tls = "starttls"
            ca_file = "certs/ca.pem"
            verify = false
            connect_timeout = 3
            users = ["alice@example.com"]
            """
        let upstream = try #require(try GatewayConfiguration.parse(text, source: "t").upstream)
        #expect(upstream == .init(host: "mail.example.com", port: 1143, security: .starttls, caFile: "certs/ca.pem",
                                  verify: false, connectTimeout: 3, users: ["alice@example.com"]))
        #expect(upstream.serves("Alice@Example.com") && !upstream.serves("bob@example.com"))
    }

    @Test func standardPortFollowsTheTLSMode() {
        #expect(GatewayConfiguration.Upstream(host: "h", security: .starttls).effectivePort == 143)
        #expect(GatewayConfiguration.Upstream(host: "h", security: .none).effectivePort == 143)
        #expect(GatewayConfiguration.Upstream(host: "h", port: 10993).effectivePort == 10993)
    }

    @Test(arguments: [
        ("[upstream]\nport = 993\n", "upstream.host", "name the upstream IMAP server"),
        ("[upstream]\nhost = \"m\"\ntls = \"ssl\"\n", "upstream.tls", "imaps, starttls, none"),
        ("[upstream]\nhost = \"mail.example.com\"\ntls = \"none\"\n", "upstream.tls", "allow_plaintext = true"),
        ("[upstream]\nhost = \"m\"\nconnect_timeout = 0\n", "upstream.connect_timeout", "positive"),
        ("[upstream]\nhost = \"m\"\nmaster = \"x\"\n", "upstream.master", "unknown key"),
    ])
    func mistakesNameTheKeyAndSayWhatToDo(_ text: String, _ key: String, _ advice: String) {
        #expect {
            try GatewayConfiguration.parse(text, source: "crmgate.toml")
        } throws: { error in
            let error = error as! ConfigurationError
            return error.key == key && "\(error)".contains(advice)
        }
    }

    @Test(arguments: ["127.0.0.1", "localhost", "::1"])
    func plaintextToLoopbackNeedsNoPermission(_ host: String) throws {
        let upstream = try GatewayConfiguration.parse("[upstream]\nhost = \"\(host)\"\ntls = \"none\"\n", source: "t").upstream
        #expect(upstream?.security == GatewayConfiguration.Upstream.Security.none)
    }

    @Test func plaintextElsewhereWithExplicitPermission() throws {
        let text = "[upstream]\nhost = \"10.1.2.3\"\ntls = \"none\"\nallow_plaintext = true\n"
        #expect(try GatewayConfiguration.parse(text, source: "t").upstream?.allowPlaintext == true)
    }
}
