import Foundation
import Histogram

/// What one client measured: each command's latencies (microseconds, from sending the
/// command, or from its slot when paced, to reading its tagged completion) and every
/// protocol error. Clients record on their own and are merged at the end, so measuring
/// takes no lock.
struct Recorder: Sendable {
    /// A fixed rate of commands (`mixed --rate`): each command has its slot, one `interval`
    /// after the one before, however late the answer before it came. Its latency counts
    /// from the slot, so that a server falling behind shows its queue in the figures instead
    /// of slowing the load down (coordinated omission).
    struct Pacing: Sendable {
        let interval: Duration
        /// The next command's slot.
        var next: ContinuousClock.Instant
    }
    var pacing: Pacing?
    var latencies: [String: Histogram<UInt64>] = [:]
    var errors = 0
    /// The first few errors as text, to say what went wrong.
    var errorSamples: [String] = []
    var logins = 0
    /// Figures of a scenario besides latencies (e.g. messages seeded per second), by name.
    var figures: [String: Double] = [:]

    /// Times `work` as one `command`; a thrown error or a failed check counts as a protocol
    /// error (and is thrown on, for the client to start over).
    mutating func time<T>(_ command: String, _ work: () async throws -> T) async throws -> T {
        var start = ContinuousClock.now
        if var pacing {
            let slot = pacing.next
            if slot > start { try await Task.sleep(until: slot, clock: .continuous) }
            start = slot
            pacing.next = slot + pacing.interval
            self.pacing = pacing
        }
        let result = try await work()
        record(command, ContinuousClock.now - start)
        return result
    }

    /// Records one latency measured elsewhere (e.g. from a MOVE's OK to the drop's return).
    mutating func record(_ command: String, _ elapsed: Duration) {
        let micros = UInt64(max(1, elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
        latencies[command, default: Histogram(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)]
            .record(micros)
    }

    mutating func fail(_ description: String) {
        errors += 1
        if errorSamples.count < 20 { errorSamples.append(description) }
    }

    mutating func merge(_ other: Recorder) {
        for (command, histogram) in other.latencies {
            if latencies[command] == nil { latencies[command] = histogram } else { latencies[command]!.add(histogram) }
        }
        errors += other.errors
        errorSamples += other.errorSamples.prefix(max(0, 20 - errorSamples.count))
        logins += other.logins
        figures.merge(other.figures) { $1 }
    }

    var commands: UInt64 { latencies.values.reduce(0) { $0 + $1.totalCount } }

    // MARK: - Reports

    struct Summary: Codable {
        struct Command: Codable {
            var count: UInt64
            var perSecond: Double
            var p50: Double, p90: Double, p99: Double, max: Double
        }
        var seconds: Double
        var clients: Int
        var commands: UInt64
        var commandsPerSecond: Double
        var loginsPerSecond: Double
        var errors: Int
        var errorSamples: [String]
        var perCommand: [String: Command]
        var figures: [String: Double]
    }

    func summary(seconds: Double, clients: Int) -> Summary {
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        var perCommand: [String: Summary.Command] = [:]
        for (command, h) in latencies {
            perCommand[command] = .init(count: h.totalCount, perSecond: Double(h.totalCount) / seconds,
                                        p50: ms(h.valueAtPercentile(50)), p90: ms(h.valueAtPercentile(90)),
                                        p99: ms(h.valueAtPercentile(99)), max: ms(h.max))
        }
        return Summary(seconds: seconds, clients: clients, commands: commands, commandsPerSecond: Double(commands) / seconds,
                       loginsPerSecond: Double(logins) / seconds, errors: errors, errorSamples: errorSamples, perCommand: perCommand, figures: figures)
    }
}

extension Recorder.Summary {
    /// A table: one line per command, then the totals and any errors.
    var text: String {
        func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : String(repeating: " ", count: width - s.count) + s }
        func number(_ v: Double) -> String { String(format: "%.2f", v) }
        let width = max(12, perCommand.keys.map(\.count).max() ?? 0)
        var lines = ["command".padding(toLength: width, withPad: " ", startingAt: 0) + "     count      /s    p50 ms    p90 ms    p99 ms    max ms"]
        for (name, c) in perCommand.sorted(by: { $0.key < $1.key }) {
            lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + pad("\(c.count)", 10) + pad(String(format: "%.0f", c.perSecond), 8)
                         + pad(number(c.p50), 10) + pad(number(c.p90), 10) + pad(number(c.p99), 10) + pad(number(c.max), 10))
        }
        lines.append(String(format: "%d clients, %.1f s: %llu commands, %.0f commands/s, %.1f logins/s, %d protocol errors",
                            clients, seconds, commands, commandsPerSecond, loginsPerSecond, errors))
        lines += figures.sorted { $0.key < $1.key }.map { "  \($0.key): " + String(format: "%.2f", $0.value) }
        lines += errorSamples.map { "  error: " + $0 }
        return lines.joined(separator: "\n")
    }
}
