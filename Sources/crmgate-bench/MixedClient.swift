import Foundation
import IMAPClient
import IMAPCore
import Logging
import NIOSSL
import Synchronization

/// Where the load goes and as whom.
struct Target: Sendable {
    var configuration: IMAPClientConfiguration
    var tls: NIOSSLContext?
    /// The accounts; client n logs in as `users[n % users.count]`.
    var users: [String]
    var password: String
}

/// The protocol error that ends a client's round: what was expected and what came.
struct CheckFailed: Error, CustomStringConvertible {
    var description: String
}

/// One client of the mixed workload: what a mail client does when checking and filing
/// mail, over and over until the deadline, checking every answer. Each round appends a
/// message with a token of its own, finds it, reads it, flags it and then moves it to the
/// archive or deletes it, so the mailbox stays the size it was seeded with. With
/// `relogin`, each round logs in anew and out again; else one login serves all rounds.
struct MixedClient {
    let number: Int
    let target: Target
    let relogin: Bool
    var recorder = Recorder()
    private var connection: IMAPClientConnection?
    private var round = 0
    private static let logger = Logger(label: "crmgate-bench")

    /// With a fixed rate, the time between this client's commands (see `Recorder.Pacing`).
    let interval: Duration?
    /// Of how many clients this is one: their slots are spread over an interval.
    let clients: Int

    init(number: Int, of clients: Int, target: Target, relogin: Bool, interval: Duration? = nil) {
        self.number = number; self.clients = clients; self.target = target; self.relogin = relogin; self.interval = interval
    }

    /// Runs rounds for `length`. With a `barrier` (one login per client), the client logs in
    /// first and the time starts when every client has: a server slow to log fifty clients
    /// in would otherwise be measured with most of them waiting in LOGIN, carrying a
    /// fraction of the load.
    mutating func run(for length: Duration, after barrier: StartBarrier?) async -> Recorder {
        var start = ContinuousClock.now
        if let barrier {
            do {
                _ = try await connected()
            } catch {
                recorder.fail("client \(number), login: \(error)")
            }
            start = await barrier.arriveAndWait()
        }
        if let interval {
            recorder.pacing = .init(interval: interval, next: start + interval * (Double(number) / Double(clients)))
        }
        let deadline = start + length
        while ContinuousClock.now < deadline {
            do {
                try await oneRound()
            } catch {
                recorder.fail("client \(number), round \(round): \(error)")
                connection?.close()
                connection = nil
                // A server that refuses at once should not be hammered in a tight loop.
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        if let connection { await connection.logout() }
        return recorder
    }

    private var user: String { target.users[number % target.users.count] }

    private mutating func oneRound() async throws {
        round += 1
        let c = try await connected()
        try await ok(c, "NOOP", .noop)
        var exists = 0
        try await ok(c, "SELECT", .select(MailboxName("INBOX"), SelectParameters())) { if case .exists(let n) = $0 { exists = n } }
        guard exists > 0 else { throw CheckFailed(description: "SELECT INBOX: no EXISTS (the mailbox should hold the seeded mail)") }

        var flagged = 0
        try await ok(c, "FETCH-FLAGS", .fetch(.all, [.uid, .flags], FetchModifiers(), uid: false)) { if case .fetch = $0 { flagged += 1 } }
        guard flagged >= exists else { throw CheckFailed(description: "FETCH 1:* (UID FLAGS): \(flagged) answers for \(exists) messages") }

        let first = UInt32(max(1, exists - 9))
        var envelopes = 0
        try await ok(c, "FETCH-ENVELOPE", .fetch(SequenceSet(first...UInt32(exists)), [.uid, .envelope], FetchModifiers(), uid: false)) {
            if case .fetch(_, let items) = $0, items.contains(where: { if case .envelope = $0 { true } else { false } }) { envelopes += 1 }
        }
        guard envelopes == exists - Int(first) + 1 else { throw CheckFailed(description: "FETCH ENVELOPE: \(envelopes) envelopes for \(exists - Int(first) + 1) messages") }

        // A message of this round's own: appended, searched for, read back, flagged, then gone.
        let token = "bench-\(number)-\(round)-\(UInt32.random(in: 0...UInt32.max))"
        let message = Self.message(token: token, to: user)
        let appended = try await ok(c, "APPEND", .append(MailboxName("INBOX"), AppendMessage(data: message)))
        guard case .appendUID(_, let uids)? = appended.code, let uid = uids.ranges.first?.lowerBound else {
            throw CheckFailed(description: "APPEND: no APPENDUID in \(appended)")
        }

        var found: [UInt32] = []
        try await ok(c, "SEARCH", .search(SearchCommand(key: .header(Array("Subject".utf8), Array(token.utf8))), uid: true)) {
            if case .search(let numbers, _) = $0 { found += numbers }
            if case .esearch(let result) = $0 { found += result.all.map { $0.ranges.flatMap { Array($0) } } ?? [] }
        }
        guard found == [uid] else { throw CheckFailed(description: "UID SEARCH HEADER Subject \(token): \(found), expected [\(uid)]") }

        var body: [UInt8]?
        try await ok(c, "FETCH-BODY", .fetch(SequenceSet(uid...uid), [.bodySection(peek: true, section: .complete, partial: nil)], FetchModifiers(), uid: true)) {
            if case .fetch(_, let items) = $0 {
                for case .bodySection(_, _, let data) in items { body = data }
            }
        }
        guard body == message else { throw CheckFailed(description: "UID FETCH \(uid) BODY.PEEK[]: \(body?.count ?? 0) octets, not the \(message.count) appended") }

        var flags: [Flag] = []
        try await ok(c, "STORE", .store(SequenceSet(uid...uid), StoreModifiers(), StoreAction(operation: .add, flags: [.seen, .flagged]), uid: true)) {
            if case .fetch(_, let items) = $0 { for case .flags(let f) in items { flags = f } }
        }
        guard flags.contains(.seen), flags.contains(.flagged) else { throw CheckFailed(description: "UID STORE \(uid) +FLAGS: flags now \(flags)") }

        if round % 4 == 0 {
            try await moveToArchiveAndDelete(c, uid)
        } else {
            try await ok(c, "STORE", .store(SequenceSet(uid...uid), StoreModifiers(), StoreAction(operation: .add, silent: true, flags: [.deleted]), uid: true))
            try await expunge(c, uid)
        }
        if round % 2 == 0 {
            var listed = 0
            try await ok(c, "LIST", .list(ListCommand(reference: MailboxName(""), patterns: [Array("*".utf8)]))) { if case .list = $0 { listed += 1 } }
            guard listed > 0 else { throw CheckFailed(description: "LIST \"\" \"*\": no mailboxes") }
        }
        try await idle(c)
        if relogin {
            try await recorder.time("LOGOUT") { _ = try await c.run(.logout) }
            c.close()
            connection = nil
        }
    }

    /// MOVE to Archive (COPYUID tells where it went), then delete it there.
    private mutating func moveToArchiveAndDelete(_ c: IMAPClientConnection, _ uid: UInt32) async throws {
        // COPYUID comes in the tagged OK or, as Dovecot sends it, an untagged OK before the EXPUNGEs (RFC 6851 §4.3).
        var archived: UInt32?
        let moved = try await ok(c, "MOVE", .move(SequenceSet(uid...uid), MailboxName("Archive"), uid: true)) {
            if case .status(let s) = $0, case .copyUID(_, _, let destination)? = s.code { archived = destination.ranges.first?.lowerBound }
        }
        if case .copyUID(_, _, let destination)? = moved.code { archived = destination.ranges.first?.lowerBound }
        guard let archived else { throw CheckFailed(description: "UID MOVE \(uid): no COPYUID") }
        try await ok(c, "SELECT", .select(MailboxName("Archive"), SelectParameters()))
        try await ok(c, "STORE", .store(SequenceSet(archived...archived), StoreModifiers(), StoreAction(operation: .add, silent: true, flags: [.deleted]), uid: true))
        try await expunge(c, archived)
    }

    private mutating func expunge(_ c: IMAPClientConnection, _ uid: UInt32) async throws {
        var gone = 0
        try await ok(c, "EXPUNGE", .uidExpunge(SequenceSet(uid...uid))) {
            if case .expunge = $0 { gone += 1 }
            if case .vanished(_, let set) = $0, set.ranges.contains(where: { $0.contains(uid) }) { gone += 1 }
        }
        guard gone >= 1 else { throw CheckFailed(description: "UID EXPUNGE \(uid): nothing expunged") }
    }

    /// IDLE, timed to the server's `+`, then DONE.
    private mutating func idle(_ c: IMAPClientConnection) async throws {
        let tag = c.nextTag()
        try await recorder.time("IDLE") {
            let started = try await c.sendHead(Array("\(tag) IDLE\r\n".utf8), tag: tag, waitForContinuation: true) { _ in }
            guard started else { throw CheckFailed(description: "IDLE refused") }
        }
        var completion: [UInt8] = []
        try await recorder.time("DONE") {
            try await c.write(Array("DONE\r\n".utf8))
            try await c.receive(until: tag) { frame in if case .line(let line, true, true) = frame, ResponseFramer.tag(of: line) == tag { completion = line } }
        }
        guard completion.starts(with: Array("\(tag) OK".utf8)) else {
            throw CheckFailed(description: "IDLE ended with \(String(decoding: completion.prefix(200), as: UTF8.self))")
        }
    }

    private mutating func connected() async throws -> IMAPClientConnection {
        if let connection { return connection }
        let (target, user) = (self.target, self.user)
        let c = try await recorder.time("CONNECT") {
            try await IMAPClientConnection.connect(target.configuration, tls: target.tls, logger: Self.logger)
        }
        try await recorder.time("LOGIN") { try await c.login(user: user, password: target.password) }
        recorder.logins += 1
        connection = c
        return c
    }

    /// Runs a command timed as `name`; anything but OK is a protocol error.
    @discardableResult
    private mutating func ok(_ c: IMAPClientConnection, _ name: String, _ command: Command,
                             _ onUntagged: (UntaggedResponse) -> Void = { _ in }) async throws -> StatusResponse {
        let status = try await recorder.time(name) { try await c.run(command) { onUntagged($0) } }
        guard status.status == .ok else { throw CheckFailed(description: "\(command.name): \(status.status) \(status.text)") }
        return status
    }

    /// A small plain-text message, as a colleague would send, with `token` in its subject.
    static func message(token: String, to user: String) -> [UInt8] {
        let body = String(repeating: "Here is the summary of today's call; the details follow in the attachment.\r\n", count: 20)
        return Array(("From: Ines Fischer <ines@globex.example>\r\nTo: \(user)\r\nSubject: Status \(token)\r\n"
                      + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <\(token)@globex.example>\r\n"
                      + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).utf8)
    }
}

/// Where clients wait for each other before the measured time starts.
final class StartBarrier: Sendable {
    private let parties: Int
    private let state = Mutex<(waiting: [CheckedContinuation<ContinuousClock.Instant, Never>], start: ContinuousClock.Instant?)>(([], nil))

    init(parties: Int) {
        self.parties = parties
    }

    /// Waits for the others; returns the instant the last one arrived, the same for all.
    func arriveAndWait() async -> ContinuousClock.Instant {
        await withCheckedContinuation { continuation in
            let release = state.withLock { state -> ([CheckedContinuation<ContinuousClock.Instant, Never>], ContinuousClock.Instant)? in
                state.waiting.append(continuation)
                guard state.waiting.count == parties else { return nil }
                let now = ContinuousClock.now
                state.start = now
                defer { state.waiting = [] }
                return (state.waiting, now)
            }
            if let (waiting, now) = release { waiting.forEach { $0.resume(returning: now) } }
        }
    }

    /// When the last client arrived; nil before.
    var start: ContinuousClock.Instant? { state.withLock { $0.start } }
}
