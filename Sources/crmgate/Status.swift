import ArgumentParser
import Foundation
import MailStore
import Sync

/// `crmgate status`: how the drops of each account stand.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, per account, the drops pending, done and failed, and how their contacts and calendar sync stands.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let (summaries, returns) = try await withStore(options.config) { store in
            (try await store.dropSummaries(), try await store.pendingUpstreamReturns())
        }
        printDrops(summaries, returns)
        printSync(try await openSyncState(try loadConfiguration(options.config)).status())
    }

    private func printDrops(_ summaries: [DropSummary], _ returns: [String: (count: Int, lastError: String?)]) {
        guard !summaries.isEmpty else {
            print("No drops yet.")
            return
        }
        let width = max(7, summaries.map(\.email.count).max() ?? 0)
        print("account".padding(toLength: width, withPad: " ", startingAt: 0) + "  pending  done  failed")
        for summary in summaries {
            print(summary.email.padding(toLength: width, withPad: " ", startingAt: 0)
                  + "  " + pad(summary.pending, 7) + "  " + pad(summary.done, 4) + "  " + pad(summary.failed, 6))
            if let retrying = summary.retrying {
                let next = retrying.nextAttempt.map { " (next try \($0.formatted(date: .omitted, time: .standard)))" } ?? ""
                print("    \(retrying.count) waiting to be tried again\(next): \(retrying.lastError)")
            }
            for reason in summary.recentFailures { print("    failed: \(reason)") }
            if let waiting = returns[summary.email] {
                // Proxy mode: done, but not yet back on the mail server (no login to do it with, or it is down).
                print("    \(waiting.count) done, waiting to go back to the mail server"
                      + (waiting.lastError.map { "; last try: \($0)" } ?? " until the user next logs in"))
            }
        }
    }

    /// Per account and scope (its CRM folders, its contacts, leads, events and tasks): the last sync, what
    /// it did, the CRM changes waiting, the last error.
    private func printSync(_ scopes: [SyncScopeStatus]) {
        guard !scopes.isEmpty else { return }
        print("")
        print("Sync (CRM folders, address books and calendars):")
        let formatter = ISO8601DateFormatter()
        for status in scopes {
            let last = status.lastRunAt.map { "last sync \(formatter.string(from: $0))" } ?? "never synced"
            let counts = status.counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("  \(status.scope.user) \(status.scope.module): \(last), \(status.linked) linked, backlog \(status.backlog)"
                  + (counts.isEmpty ? "" : "; last run: " + counts.joined(separator: ", ")))
            if let error = status.lastError {
                print("    failing since \(status.lastErrorAt.map { formatter.string(from: $0) } ?? "?"): \(error)")
            }
        }
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
