import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore
import Logging
import NIOConcurrencyHelpers

/// Scenario (c): many authenticated connections idling on one INBOX, as phones and desktop
/// clients keep them all day, then one APPEND that every one of them must hear about.
struct IdleConnections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Hold N connections in IDLE on one INBOX, then time how soon one APPEND reaches all of them.",
        discussion: """
            Every connection logs in as the first of --users, selects INBOX and starts IDLE (up to --concurrency \
            being set up at once). When all are idling the tool prints "idle: N connections" on standard error \
            (the moment to measure the server's memory) and waits --hold seconds; then one more connection \
            APPENDs a message to that INBOX and the tool times, for each idling connection, the interval from \
            sending the APPEND to reading its "* n EXISTS". What an idling connection hears before the APPEND is \
            read, counted ("responses while idle") and passed over. A connection not told within --timeout \
            seconds, or one that fails to set up, is a protocol error (exit status 2).
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "Connections to hold in IDLE.") var connections = 10_000
    @Option(help: "Connections being set up at once.") var concurrency = 64
    @Option(help: "Seconds to hold all of them idle before the APPEND.") var hold = 5.0
    @Option(help: "Seconds to wait for every notification.") var timeout = 10.0

    func validate() throws {
        guard connections > 0, concurrency > 0, hold >= 0, timeout > 0 else {
            throw ValidationError("--connections, --concurrency and --timeout must be positive, --hold not negative")
        }
    }

    /// A connection handed from the task that set it up to the one that waits on it; one
    /// task at a time drives it.
    private struct Idler: @unchecked Sendable {
        let connection: IMAPClientConnection
        let tag: String
    }

    func run() async throws {
        let logger = Logger(label: "crmgate-bench")
        FileDescriptorLimit.raise(logger: logger)
        let target = try server.target()
        var recorder = Recorder()
        let started = ContinuousClock.now
        // Per connection: when it heard of the APPEND. `sent`: when the APPEND went out.
        let told = NIOLockedValueBox<[Duration?]>(Array(repeating: nil, count: connections))
        let sent = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let heardBefore = NIOLockedValueBox(0)
        let limit = Duration.milliseconds(Int(timeout * 1000))
        var idlers: [Idler] = []
        idlers.reserveCapacity(connections)

        await withTaskGroup(of: Void.self) { readers in
            // Set up: connect, log in, SELECT INBOX, IDLE to the server's "+". Each idling
            // connection then reads on: a server may speak to idlers (Dovecot does, hibernating
            // ones the more), and unread, that piled up here (gigabytes with 10,000 of them).
            await withTaskGroup(of: Result<(Idler, Recorder), CheckFailed>.self) { group in
                func add(_ number: Int) {
                    group.addTask {
                        var recorder = Recorder()
                        do {
                            let c = try await recorder.time("CONNECT") { try await IMAPClientConnection.connect(target.configuration, tls: target.tls, logger: logger) }
                            try await recorder.time("LOGIN") { try await c.login(user: target.users[0], password: target.password) }
                            try await recorder.time("SELECT") { _ = try await c.execute(.select(MailboxName("INBOX"), SelectParameters())) }
                            let tag = c.nextTag()
                            let started = try await recorder.time("IDLE") {
                                try await c.sendHead(Array("\(tag) IDLE\r\n".utf8), tag: tag, waitForContinuation: true) { _ in }
                            }
                            guard started else { return .failure(CheckFailed(description: "connection \(number): IDLE refused")) }
                            return .success((Idler(connection: c, tag: tag), recorder))
                        } catch {
                            return .failure(CheckFailed(description: "connection \(number): \(error)"))
                        }
                    }
                }
                var next = 0
                while next < min(concurrency, connections) { add(next); next += 1 }
                for await result in group {
                    switch result {
                    case .success(let (idler, r)):
                        let index = idlers.count
                        idlers.append(idler)
                        recorder.merge(r)
                        // Until the APPEND, whatever comes is read and passed over; then the first
                        // EXISTS is its news. It ends there, or with an error once closed below.
                        readers.addTask {
                            while let frame = try? await idler.connection.nextFrame() {
                                guard case .line(let line, true, _) = frame else { continue }
                                guard let at = sent.withLockedValue({ $0 }) else {
                                    heardBefore.withLockedValue { $0 += 1 }
                                    continue
                                }
                                if Self.isExists(line) {
                                    told.withLockedValue { $0[index] = ContinuousClock.now - at }
                                    return
                                }
                            }
                        }
                    case .failure(let failure): recorder.fail(failure.description)
                    }
                    if next < connections { add(next); next += 1 }
                }
            }
            recorder.figures["connections idle"] = Double(idlers.count)
            recorder.figures["set-up seconds"] = (ContinuousClock.now - started).seconds
            FileHandle.standardError.write(Data("idle: \(idlers.count) connections\n".utf8))
            try? await Task.sleep(for: .milliseconds(Int(hold * 1000)))

            // One APPEND; every idling connection waits for its EXISTS.
            do {
                let c = try await IMAPClientConnection.connect(target.configuration, tls: target.tls, logger: logger)
                try await c.login(user: target.users[0], password: target.password)
                let message = MixedClient.message(token: "idle-\(UInt32.random(in: 0...UInt32.max))", to: target.users[0])
                sent.withLockedValue { $0 = ContinuousClock.now }
                try await c.execute(.append(MailboxName("INBOX"), AppendMessage(data: message)))
                await c.logout()
            } catch {
                recorder.fail("APPEND failed: \(error)")
            }
            // Whoever has not heard by the deadline is cut off, which ends its reading.
            let deadline = ContinuousClock.now + limit
            let count = idlers.count
            while ContinuousClock.now < deadline, told.withLockedValue({ $0.prefix(count).contains(nil) }) {
                try? await Task.sleep(for: .milliseconds(20))
            }
            for idler in idlers { idler.connection.close() }
        }
        var late = 0
        for elapsed in told.withLockedValue({ $0.prefix(idlers.count) }) {
            guard let elapsed, elapsed <= limit else { late += 1; continue }
            recorder.record("NOTIFY", elapsed)
        }
        if late > 0 { recorder.fail("\(late) of \(idlers.count) idling connections were not told of the APPEND within \(timeout) s") }
        recorder.figures["told within 1 s"] = Double(told.withLockedValue { $0.filter { $0.map { $0 <= .seconds(1) } ?? false }.count })
        recorder.figures["responses while idle"] = Double(heardBefore.withLockedValue { $0 })
        try server.report(recorder.summary(seconds: (ContinuousClock.now - started).seconds, clients: connections))
    }

    /// `* n EXISTS`.
    static func isExists(_ line: [UInt8]) -> Bool {
        guard line.starts(with: Array("* ".utf8)) else { return false }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: " ")
        return parts.count == 3 && Int(parts[1]) != nil && parts[2].uppercased() == "EXISTS"
    }
}
