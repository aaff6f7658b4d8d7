import ArgumentParser
import MailStore

/// `crmgate status`: how the drops of each account stand.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, per account, the drops pending, done and failed, with the reasons of recent failures.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let (summaries, returns) = try await withStore(options.config) { store in
            (try await store.dropSummaries(), try await store.pendingUpstreamReturns())
        }
        guard !summaries.isEmpty else {
            print("No drops yet.")
            return
        }
        let width = max(7, summaries.map(\.email.count).max() ?? 0)
        print("account".padding(toLength: width, withPad: " ", startingAt: 0) + "  pending  done  failed")
        for summary in summaries {
            print(summary.email.padding(toLength: width, withPad: " ", startingAt: 0)
                  + "  " + pad(summary.pending, 7) + "  " + pad(summary.done, 4) + "  " + pad(summary.failed, 6))
            for reason in summary.recentFailures { print("    failed: \(reason)") }
            if let waiting = returns[summary.email] {
                // Proxy mode: done, but not yet back on the mail server (no login to do it with, or it is down).
                print("    \(waiting.count) done, waiting to go back to the mail server"
                      + (waiting.lastError.map { "; last try: \($0)" } ?? " until the user next logs in"))
            }
        }
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
