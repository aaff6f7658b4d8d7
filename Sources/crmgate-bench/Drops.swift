import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore
import Logging
import NIOConcurrencyHelpers

/// Scenario (d): users filing mail into a crmgate drop folder, and how soon each drop is
/// done. crmgate puts a processed drop back into INBOX with `$CRMDone` once the record is
/// in the CRM and the mail archived there, so the interval from the MOVE's OK to that
/// return bounds the time to the record from above, as any IMAP client can see it.
struct Drops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N clients move mail into a crmgate drop folder; time from each MOVE's OK to its return with $CRMDone.",
        discussion: """
            Each client logs in as its account (--users, round robin), APPENDs its share of --drops small messages \
            to INBOX (distinct subjects and Message-IDs, From --from, so that recipient matching finds a known \
            contact). Then one more connection per account, the watcher, stays in IDLE on its INBOX. When every \
            client is ready, each UID MOVEs its messages into --folder one after another, as fast as the server \
            answers (a burst: the queue of drops is part of the figure). A watcher fetches each new INBOX \
            message's Message-ID and flags once, for all the account's clients; a drop is done when it is back \
            with $CRMDone. A drop back with $CRMError, back twice, or not back within --timeout seconds is a \
            protocol error (exit status 2).
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "Messages to drop, in all.") var drops = 1000
    @Option(help: "Concurrent clients.") var clients = 10
    @Option(help: "The drop folder.") var folder = "Embedded CRM/- Create New Opportunity"
    @Option(help: "Sender of the dropped mail: a contact the CRM knows.") var from = "Ines Fischer <ines@globex.example>"
    @Option(help: "Seconds to wait for every drop to come back.") var timeout = 120.0
    @Option(help: "Seconds between one client's MOVEs (0: a burst, each MOVE as soon as the last one's OK).") var interval = 0.0
    @Option(help: "Write each drop's Message-ID and the Unix time of its MOVE's OK here, a line each, tab-separated (to join with the CRM's records).")
    var okTimes: String?

    func validate() throws {
        guard drops > 0, clients > 0, timeout > 0 else { throw ValidationError("--drops, --clients and --timeout must be positive") }
    }

    /// One client's connection and its appended messages (UID, Message-ID).
    private struct Prepared: @unchecked Sendable {
        let number: Int
        let user: String
        let mover: IMAPClientConnection
        let messages: [(uid: UInt32, messageID: String)]
    }

    /// One account's watcher: the Message-IDs of every drop its clients make, and the UID
    /// from which new INBOX messages are theirs coming back. One per account, not per client:
    /// clients of one account would each be told of and fetch every drop that comes back,
    /// which multiplies the server's work by the instrument.
    private struct Watcher: @unchecked Sendable {
        let user: String
        let connection: IMAPClientConnection
        let messageIDs: Set<String>
        let from: UInt32
    }

    /// Per Message-ID: when its MOVE was answered OK and when it came back.
    private typealias Times = NIOLockedValueBox<[String: (ok: ContinuousClock.Instant?, back: ContinuousClock.Instant?)]>

    func run() async throws {
        let logger = Logger(label: "crmgate-bench")
        let target = try server.target()
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var recorder = Recorder()

        var prepared: [Prepared] = []
        await withTaskGroup(of: Result<Prepared, CheckFailed>.self) { group in
            for number in 0..<clients {
                let share = drops / clients + (number < drops % clients ? 1 : 0)
                group.addTask { await prepare(number, share: share, run: run, target: target, logger: logger) }
            }
            for await result in group {
                switch result {
                case .success(let p): prepared.append(p)
                case .failure(let failure): recorder.fail(failure.description)
                }
            }
        }
        var watchers: [Watcher] = []
        if recorder.errors == 0 {
            for (user, clients) in Dictionary(grouping: prepared, by: \.user).sorted(by: { $0.key < $1.key }) {
                let messageIDs = Set(clients.flatMap { $0.messages.map(\.messageID) })
                do {
                    watchers.append(try await watcher(for: user, of: messageIDs, target: target, logger: logger))
                } catch {
                    recorder.fail("watcher of \(user): \(error)")
                }
            }
        }
        guard recorder.errors == 0 else {
            for p in prepared { p.mover.close() }
            for w in watchers { w.connection.close() }
            try server.report(recorder.summary(seconds: 0, clients: clients))
            return
        }

        let times = Times([:])
        let started = ContinuousClock.now
        let startedAt = Date()
        let deadline = started + .milliseconds(Int(timeout * 1000))
        let folder = self.folder
        let pause = Duration.milliseconds(Int(interval * 1000))
        await withTaskGroup(of: Recorder.self) { group in
            for p in prepared { group.addTask { await Self.move(p, into: folder, pause: pause, times: times) } }
            for w in watchers { group.addTask { await Self.watch(w, times: times, until: deadline) } }
            for await r in group { recorder.merge(r) }
        }
        let elapsed = ContinuousClock.now - started
        var missing = 0
        for (_, time) in times.withLockedValue({ $0 }) {
            guard let ok = time.ok else { continue }   // its MOVE failed: already an error
            guard let back = time.back else { missing += 1; continue }
            recorder.record("MOVE OK → $CRMDone", back > ok ? back - ok : .zero)
        }
        if missing > 0 { recorder.fail("\(missing) of \(drops) drops did not come back with $CRMDone within \(timeout) s") }
        recorder.figures["drops/s"] = Double(drops - missing) / elapsed.seconds
        if let okTimes {
            let lines = times.withLockedValue { $0 }.compactMap { messageID, time in
                time.ok.map { "\(messageID)\t\(String(format: "%.6f", startedAt.timeIntervalSince1970 + ($0 - started).seconds))\n" }
            }
            try lines.joined().write(toFile: okTimes, atomically: true, encoding: .utf8)
        }
        for p in prepared { await p.mover.logout() }
        for w in watchers { await w.connection.logout() }
        try server.report(recorder.summary(seconds: elapsed.seconds, clients: clients))
    }

    private func prepare(_ number: Int, share: Int, run: String, target: Target, logger: Logger) async -> Result<Prepared, CheckFailed> {
        let user = target.users[number % target.users.count]
        do {
            let mover = try await IMAPClientConnection.connect(target.configuration, tls: target.tls, logger: logger)
            try await mover.login(user: user, password: target.password)
            var messages: [(UInt32, String)] = []
            for i in 0..<share {
                let messageID = "drop-\(run)-\(number)-\(i)@crmgate-bench"
                let appended = try await mover.execute(.append(MailboxName("INBOX"), AppendMessage(data: message(messageID, to: user))))
                guard case .appendUID(_, let uids)? = appended.code, let uid = uids.ranges.first?.lowerBound else {
                    return .failure(CheckFailed(description: "client \(number): APPEND answered without APPENDUID"))
                }
                messages.append((uid, messageID))
            }
            try await mover.execute(.select(MailboxName("INBOX"), SelectParameters()))
            return .success(Prepared(number: number, user: user, mover: mover, messages: messages))
        } catch {
            return .failure(CheckFailed(description: "client \(number) (\(user)): \(error)"))
        }
    }

    /// Connects an account's watcher once all its clients have appended: what is new in INBOX
    /// from here on has come back.
    private func watcher(for user: String, of messageIDs: Set<String>, target: Target, logger: Logger) async throws -> Watcher {
        let connection = try await IMAPClientConnection.connect(target.configuration, tls: target.tls, logger: logger)
        try await connection.login(user: user, password: target.password)
        var uidNext: UInt32 = 1
        try await connection.execute(.select(MailboxName("INBOX"), SelectParameters())) {
            if case .status(let s) = $0, case .uidNext(let n)? = s.code { uidNext = n }
        }
        return Watcher(user: user, connection: connection, messageIDs: messageIDs, from: uidNext)
    }

    /// UID MOVE of each message, one after another (`pause` apart), noting each OK.
    private static func move(_ p: Prepared, into folder: String, pause: Duration, times: Times) async -> Recorder {
        var recorder = Recorder()
        for (index, (uid, messageID)) in p.messages.enumerated() {
            if index > 0, pause > .zero { try? await Task.sleep(for: pause) }
            do {
                let status = try await recorder.time("MOVE") { try await p.mover.run(.move(SequenceSet(uid...uid), MailboxName(folder), uid: true)) }
                guard status.status == .ok else { throw CheckFailed(description: "\(status.status) \(status.text)") }
                let now = ContinuousClock.now
                times.withLockedValue { $0[messageID, default: (ok: nil, back: nil)].ok = now }
            } catch {
                recorder.fail("client \(p.number): UID MOVE \(uid) to \(folder): \(error)")
            }
        }
        return recorder
    }

    /// IDLE on INBOX; at each EXISTS, DONE and a FETCH of what is new, until every drop of
    /// this account is back or the deadline passes.
    private static func watch(_ w: Watcher, times: Times, until deadline: ContinuousClock.Instant) async -> Recorder {
        var recorder = Recorder()
        let mine = w.messageIDs
        var back = Set<String>()
        var next = w.from
        let c = w.connection
        let cutOff = Task { try await Task.sleep(until: deadline); w.connection.close() }
        defer { cutOff.cancel() }
        do {
            while back.count < mine.count {
                // An EXISTS told during the FETCH may be of a message it did not read: then fetch again
                // rather than wait in IDLE (the server will not tell it twice).
                var toldMore = false
                try await c.execute(.fetch(SequenceSet([SequenceRange(from: .number(next), to: .star)]), [.uid, .flags, .envelope], FetchModifiers(), uid: true)) {
                    if case .exists = $0 { toldMore = true }
                    guard case .fetch(_, let items) = $0 else { return }
                    var uid: UInt32?, flags: [IMAPCore.Flag] = [], messageID: String?
                    for item in items {
                        switch item {
                        case .uid(let u): uid = u
                        case .flags(let f): flags = f
                        case .envelope(let e): messageID = e.messageID.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "<> ")) }
                        default: break
                        }
                    }
                    guard let uid, uid >= next else { return }
                    next = uid + 1
                    guard let messageID, mine.contains(messageID) else { return }
                    let now = ContinuousClock.now
                    if back.contains(messageID) {
                        recorder.fail("drop \(messageID) came back twice")
                    } else if flags.contains(IMAPCore.Flag("$CRMError")) {
                        recorder.fail("drop \(messageID) came back with $CRMError")
                    } else if !flags.contains(IMAPCore.Flag("$CRMDone")) {
                        recorder.fail("drop \(messageID) came back without $CRMDone: \(flags)")
                    }
                    back.insert(messageID)
                    times.withLockedValue { $0[messageID, default: (ok: nil, back: nil)].back = now }
                }
                guard back.count < mine.count else { break }
                if toldMore { continue }
                // Wait in IDLE for the next EXISTS (which the server may send before its "+").
                let tag = c.nextTag()
                var toldAtStart = false
                guard try await c.sendHead(Array("\(tag) IDLE\r\n".utf8), tag: tag, waitForContinuation: true, onFrame: { frame in
                    if case .line(let line, true, _) = frame, IdleConnections.isExists(line) { toldAtStart = true }
                }) else {
                    throw CheckFailed(description: "IDLE refused")
                }
                while !toldAtStart {
                    if case .line(let line, true, _) = try await c.nextFrame(), IdleConnections.isExists(line) { break }
                }
                try await c.write(Array("DONE\r\n".utf8))
                try await c.receive(until: tag) { _ in }
            }
        } catch {
            if ContinuousClock.now < deadline { recorder.fail("\(w.user): watching INBOX: \(error)") }
        }
        return recorder
    }

    /// A request for a quote, as a customer writes it.
    private func message(_ messageID: String, to user: String) -> [UInt8] {
        Array(("From: \(from)\r\nTo: \(user)\r\nSubject: Quote request \(messageID.prefix { $0 != "@" })\r\n"
               + "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <\(messageID)>\r\nMIME-Version: 1.0\r\n"
               + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n\r\nplease send us a quote for 40 licences.\r\n\r\nRegards\r\n").utf8)
    }
}
