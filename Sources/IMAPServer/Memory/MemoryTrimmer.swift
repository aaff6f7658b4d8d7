import CSystemMemory
import Logging
import ServiceLifecycle

/// Gives memory the server freed back to the system. glibc keeps freed memory in its heap
/// for reuse and returns it only from the top of the heap; after a burst (thousands of TLS
/// handshakes, the answers of a 100,000-message mailbox) the freed pages would stay
/// resident for good, looking like memory the connections or views still need. Every two
/// seconds, when the heap's free memory has grown by more than `threshold` since the last
/// trim, `malloc_trim` hands its free pages back (they stay free in the heap's books, so
/// the growth is counted from there). A check costs microseconds; a trim a few
/// milliseconds, and it happens only after such a burst.
public struct MemoryTrimmer: Service {
    var interval: Duration = .seconds(2)
    var threshold = 8 << 20
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func run() async throws {
        var trimmedAt = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isShuttingDownGracefully else { return }
            let free = crmgate_heap_free_bytes()
            trimmedAt = min(trimmedAt, free)  // reused since: later growth counts from here
            guard free - trimmedAt > threshold else { continue }
            let clock = ContinuousClock()
            let started = clock.now
            crmgate_heap_trim()
            trimmedAt = free
            logger.debug("returned freed memory to the system", metadata: [
                "heap-free-mib": "\(free >> 20)", "took": "\(clock.now - started)"])
        }
    }
}
