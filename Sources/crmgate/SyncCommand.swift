import ArgumentParser
import DAVBridge
import Foundation
import Sync

/// `crmgate sync`: runs the DAV bridge (contacts, leads, events, tasks) from the command line and says what it did.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync CRM contacts, leads, events and tasks with the users' address books and calendars ([dav]) and print what was done.",
        discussion: """
            Every write is conditional and every run saves its state in one transaction, so this is safe while \
            `crmgate serve` runs too. With --dry-run nothing is written: the plan is printed item by item.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "Only this account (its email address).") var user: String?
    @Flag(help: "One round, then exit (otherwise rounds repeat at the policies' sync_interval until interrupted).") var once = false
    @Flag(name: .customLong("dry-run"), help: "Print what a round would do; write nothing.") var dryRun = false

    func run() async throws {
        let config = try loadConfiguration(options.config)
        guard let dav = config.dav else {
            throw StartupError("no [dav] section in \(options.config): name the CardDAV/CalDAV server there to sync address books and calendars")
        }
        let logger = makeLogger(config.log)
        let store = try openStore(config)
        defer { try? store.close() }
        let opened = try openCRM(config, configPath: options.config, logger: logger)
        let crm = opened.connector
        let state = try openSyncState(config)
        let http = SyncBridge.makeHTTPClient(dav)
        let bridge = SyncBridge(connector: crm, state: state, configuration: config, http: http, logger: logger) {
            try await store.accounts().map(\.email)
        }
        var failed = false
        repeat {
            let outcomes = await bridge.round(only: user, dryRun: dryRun) { scope, done, total in
                if done % 100 == 0 || done == total { print("  \(scope.user) \(scope.module): \(done)/\(total)") }
            }
            if outcomes.isEmpty {
                print(user.map { "\($0) syncs nothing: it is not a crmgate account, follows no policy with contacts, leads, events or tasks on, or is no CRM user." }
                      ?? "Nothing to sync: no account follows a policy with contacts, leads, events or tasks on.")
            }
            for outcome in outcomes {
                failed = failed || outcome.error != nil
                print(Self.describe(outcome, dryRun: dryRun))
            }
            if once || dryRun { break }
            try await Task.sleep(for: .seconds(min(config.policies.map(\.syncInterval).min() ?? 300, 300)))
        } while !Task.isCancelled
        try await http.shutdown()
        await opened.close()
        if failed { throw ExitCode(1) }
    }

    /// Items listed per scope; a first sync of thousands says how many more there were.
    static let itemsShown = 50

    static func describe(_ outcome: SyncBridge.ScopeOutcome, dryRun: Bool) -> String {
        let head = "\(outcome.scope.user) \(outcome.scope.module) (policy \(outcome.scope.policy)): "
        if let error = outcome.error { return head + "failed: " + error }
        guard let report = outcome.report else { return head + "nothing" }
        var counts = report.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if report.heldBack > 0 { counts.append("held back \(report.heldBack) deletions (a side looked empty)") }
        if report.retried > 0 { counts.append("read again \(report.retried)") }
        let traffic = " (\(report.queued) queued CRM changes, \(report.requests) DAV requests)"
        var lines = [head + (counts.isEmpty ? "in step" : (dryRun ? "would do: " : "") + counts.joined(separator: ", ")) + traffic]
        lines += report.actions.prefix(Self.itemsShown).map { "    " + $0 }
        if report.actions.count > Self.itemsShown { lines.append("    … and \(report.actions.count - Self.itemsShown) more") }
        lines += report.failures.map { "    failed: " + $0 }
        return lines.joined(separator: "\n")
    }
}
