import Foundation
import Testing

@testable import GatewayConfig

@Suite("Gateway configuration: files")
struct ConfigurationFileTests {
    /// The defaults, plus the one policy that gives every account the CRM folders.
    @Test func committedFileYieldsExactlyTheDefaults() throws {
        let path = try Self.committedFilePath()
        let policy = GatewayConfiguration.Policy(summarySubjects: ["opportunities": "{name} — {account} · {stage} · {amount} · closes {closeDate}"])
        #expect(try GatewayConfiguration.load(from: path) == GatewayConfiguration(policies: [policy]))
    }

    /// Every key the decoder knows appears in the committed file, each after a comment line.
    @Test func committedFileListsEveryKeyWithAComment() throws {
        let text = try String(contentsOfFile: try Self.committedFilePath(), encoding: .utf8)
        let document = try TOMLDocument.parse(text).root
        let expectedKeys: [String: [String]] = [
            "imap": [
                "host", "port", "tls_port", "allow_plaintext_auth", "max_line_bytes", "max_message_bytes",
                "unauthenticated_timeout", "idle_timeout", "failed_login_delay_ms", "max_failed_logins",
                "failed_login_window", "max_connections", "quota_mb", "quota_messages",
            ],
            "tls": ["cert", "key"],
            "storage": ["path"],
            "web": ["host", "port", "public_url", "metrics", "admins"],
            "crm": ["kind", "name", "poll_interval", "retry_limit"],
            "log": ["level", "format", "output"],
        ]
        #expect(document.keys == ["imap", "tls", "storage", "web", "crm", "log", "policy"])
        guard case .array(let policies) = document["policy"], case .table(let policy) = policies.first else {
            Issue.record("missing [[policy]]")
            return
        }
        #expect(policy.keys == ["name", "users", "master_folder", "drop_modules", "display_modules", "create_email_folder",
                                "create_record_folder", "assign_to_folder", "assign_to_template", "scope", "time_zone", "updated_summaries_unread", "summary_subjects",
                                "after_processing", "flag_failed_drops", "resolved_reports", "must_match", "match_leads", "create_contacts", "generic_domains", "blocked",
                                "skip_internal", "conversation_follow", "contacts_sync", "leads_sync", "address_book",
                                "leads_address_book", "category", "conflict", "dav_deletes_crm", "sync_interval", "sync_scope",
                                "first_sync_since", "first_sync_max", "events_sync", "tasks_sync", "calendar", "task_list",
                                "default_calendar", "calendar_color", "calendar_past_days", "calendar_future_days",
                                "calendar_require_category", "task_completion_to_dav", "crm_deleted_events", "private_items",
                                "crm_recurrence"])
        for (section, keys) in expectedKeys {
            guard case .table(let table) = document[section] else {
                Issue.record("missing section [\(section)]")
                continue
            }
            #expect(table.keys == keys, "keys of [\(section)]")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() where line.contains(" = ") && !line.hasPrefix("#") {
            #expect(number > 0 && lines[number - 1].hasPrefix("# "), "line \(number + 1) needs a comment above it")
        }
        #expect(text.contains("Relative paths are resolved against the directory crmgate is started in"))
        #expect(text.contains("crmgate serve --config FILE"))
    }

    @Test func missingFileIsAnErrorNamingIt() {
        #expect(
            throws: ConfigurationError(
                file: "/nonexistent/crmgate.toml",
                message: "the configuration file does not exist; create it, or pick another with crmgate serve --config FILE")
        ) {
            try GatewayConfiguration.load(from: "/nonexistent/crmgate.toml")
        }
    }

    @Test func missingRelativeFileNamesTheWorkingDirectory() {
        do {
            _ = try GatewayConfiguration.load(from: "no-such-dir/crmgate.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "no-such-dir/crmgate.toml")
            #expect(error.message.contains(FileManager.default.currentDirectoryPath))
        }
    }

    @Test func directoryIsNotAConfigurationFile() {
        #expect(
            throws: ConfigurationError(
                file: NSTemporaryDirectory(), message: "this is a directory; name the TOML configuration file inside it")
        ) {
            try GatewayConfiguration.load(from: NSTemporaryDirectory())
        }
    }

    @Test func loadsAFileAndNamesItInErrors() throws {
        let path = NSTemporaryDirectory() + "crmgate-config-\(UUID().uuidString).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "[imap]\nport = 2143\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try GatewayConfiguration.load(from: path).imap.port == 2143)

        try "[imap]\nport = -2\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            throws: ConfigurationError(
                file: path, key: "imap.port", line: 2, message: "expected an integer from 0 to 65535, got -2")
        ) { try GatewayConfiguration.load(from: path) }
    }

    @Test func rejectsAFileThatIsNotUTF8() throws {
        let path = NSTemporaryDirectory() + "crmgate-config-\(UUID().uuidString).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x61, 0x20, 0x3D, 0x20, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: path))
        #expect(
            throws: ConfigurationError(file: path, message: "the file is not valid UTF-8 text; save it as UTF-8")
        ) { try GatewayConfiguration.load(from: path) }
    }

    /// `conf/crmgate.toml` of the repository: found by walking up from this file,
    /// first as the compiler names it, then with symbolic links resolved.
    static func committedFilePath(sourceFile: String = #filePath) throws -> String {
        let start = URL(fileURLWithPath: sourceFile)
        for candidate in [start, start.resolvingSymlinksInPath()] {
            var directory = candidate.deletingLastPathComponent()
            while directory.path != "/" {
                let file = directory.appendingPathComponent("conf/crmgate.toml")
                if FileManager.default.fileExists(atPath: file.path) { return file.path }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw CommittedFileNotFound(sourceFile: sourceFile)
    }

    struct CommittedFileNotFound: Error {
        var sourceFile: String
    }
}
