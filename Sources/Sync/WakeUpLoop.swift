import ServiceLifecycle

/// The run loop of a background service: do the work once, then again whenever a signal
/// arrives or `interval` passes; wake-ups that come while the work runs, or within
/// `pause` after it ended, fold into one more run. Ends on graceful shutdown.
public struct WakeUpLoop: Sendable {
    let wakeUps = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init() {}

    /// Asks for one more run.
    public func wake() { wakeUps.continuation.yield() }

    /// `signals` yields whenever the work is due (e.g. a queued drop, a CRM change).
    /// A `pause` bounds how often work whose cost does not shrink with the number of
    /// wake-ups runs under a stream of them (a whole-tree folder sync per CRM change); a
    /// wake-up after a quiet spell still runs the work at once.
    public func run<Signals: AsyncSequence & Sendable>(every interval: Duration, signals: Signals?, pause: Duration = .zero,
                                                 _ work: @escaping @Sendable () async -> Void) async {
        let wakeUps = self.wakeUps
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if let signals {
                    group.addTask {
                        do {
                            for try await _ in signals { wakeUps.continuation.yield() }
                        } catch {}
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        wakeUps.continuation.yield()
                    }
                }
                await work()
                var ended = ContinuousClock.now
                for await _ in wakeUps.stream {
                    let due = ended.advanced(by: pause)
                    if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                    await work()
                    ended = .now
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            wakeUps.continuation.finish()
        }
    }
}
