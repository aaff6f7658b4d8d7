import CSystemMemory
import Logging
import ServiceLifecycle

/// Gives memory the server freed back to the system. glibc keeps freed memory in its heap
/// for reuse and returns it only from the top of the heap; after a burst (thousands of TLS
/// handshakes, the answers of a 100,000-message mailbox) the freed pages would stay
/// resident for good, looking like memory the connections or views still need.
///
/// Every two seconds it compares the process's resident anonymous memory with what the heap
/// has in use: the difference is freed memory still resident (plus stacks and mapped buffers,
/// which the lowest difference seen stands for). When it has grown by more than `threshold`
/// over that, `malloc_trim` hands the free pages back. Counting resident pages rather than
/// the heap's free total matters: a trimmed page that a later burst writes and frees again
/// is resident again while the free total has not changed. A check costs microseconds; a
/// trim a few milliseconds, and it happens only after such a burst.
public struct MemoryTrimmer: Service {
    var interval: Duration = .seconds(2)
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Keeps glibc from holding big freed blocks: blocks of 256 KiB and more (a 100,000-entry
    /// array, a big answer's pieces) are mapped on their own and unmapped when freed, and a
    /// free heap top over 1 MiB is handed back at once. glibc's own thresholds start there
    /// too but rise with the first big block freed, to 32 and 64 MiB; after a big mailbox's
    /// commands a thread's heap then kept up to 25 MiB of free top resident, which
    /// `malloc_trim` leaves alone. Called once at start-up, before the services run.
    public static func limitHeapRetention() {
        crmgate_heap_limit_retention(256 << 10, 1 << 20)
    }

    /// Resident memory the heap does not use, and the least of it seen: what a trim could give back.
    struct Slack {
        let threshold: Int
        private(set) var baseline: Int

        /// Starts from the process's memory now, a time without a burst.
        init(threshold: Int = 8 << 20) {
            self.threshold = threshold
            self.baseline = Self.measure()
        }

        static func measure() -> Int {
            max(0, Int(crmgate_resident_anonymous_bytes()) - Int(crmgate_heap_in_use_bytes()))
        }

        /// Trims when the slack grew by more than the threshold; returns the slack before the
        /// trim when it did.
        mutating func trimIfGrown() -> Int? {
            let slack = Self.measure()
            baseline = min(baseline, slack)
            guard slack - baseline > threshold else { return nil }
            crmgate_heap_trim()
            baseline = Self.measure()  // what the trim could not give back counts from here
            return slack
        }
    }

    public func run() async throws {
        var slack = Slack()
        let clock = ContinuousClock()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isShuttingDownGracefully else { return }
            let started = clock.now
            if let before = slack.trimIfGrown() {
                logger.debug("returned freed memory to the system", metadata: [
                    "unused-mib": "\(before >> 20)", "left-mib": "\(slack.baseline >> 20)", "took": "\(clock.now - started)"])
            }
        }
    }
}
