import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore
import Logging

/// Scenario (b): one mailbox of many small messages, and what a client does with it as a
/// whole: open it, read every message's flags, search a header and the body text, flag
/// everything and unflag it again. Each step is repeated and checked (the numbers of
/// answers and matches must be right).
struct BigMailbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "big-mailbox",
        abstract: "Time SELECT, UID FETCH 1:* (FLAGS), header and body SEARCH and STORE 1:* on a mailbox of many messages.",
        discussion: """
            Logs in as the first of --users, creates --mailbox when missing and fills it up to --messages small \
            messages (MULTIAPPEND, 500 to a command, when the server offers it; not timed into the steps but \
            reported as seeding messages/s). Message n has the subject "Order n" (six digits) and the word \
            "needle<n>" in its body, so each search must find exactly one message. Then runs every step --rounds \
            times. Exits 2 when any answer was wrong.
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "The mailbox to fill and measure.") var mailbox = "Big"
    @Option(help: "Messages it must hold.") var messages = 100_000
    @Option(help: "Times each step runs.") var rounds = 5

    func validate() throws {
        guard messages > 0, self.rounds > 0 else { throw ValidationError("--messages and --rounds must be positive") }
        guard !mailbox.isEmpty, mailbox.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" }) else {
            throw ValidationError("--mailbox must be ASCII without quotes or backslashes")
        }
    }

    func run() async throws {
        let target = try server.target()
        var recorder = Recorder()
        let started = ContinuousClock.now
        do {
            let c = try await IMAPClientConnection.connect(target.configuration, tls: target.tls, logger: Logger(label: "crmgate-bench"))
            try await c.login(user: target.users[0], password: target.password)
            try await seed(c, &recorder)
            for round in 0..<self.rounds {
                try await measure(c, round: round, &recorder)
            }
            await c.logout()
        } catch {
            recorder.fail("\(mailbox): \(error)")
        }
        try server.report(recorder.summary(seconds: (ContinuousClock.now - started).seconds, clients: 1))
    }

    /// Creates the mailbox when missing and appends what it lacks of `messages`.
    private func seed(_ c: IMAPClientConnection, _ recorder: inout Recorder) async throws {
        let name = MailboxName(mailbox)
        let created = try await c.run(.create(name, specialUse: []))
        guard created.status == .ok || created.code == .alreadyExists || created.text.lowercased().contains("exist") else {
            throw CheckFailed(description: "CREATE \(mailbox): \(created.status) \(created.text)")
        }
        var held = 0
        try await c.execute(.status(name, [.messages])) {
            if case .mailboxStatus(_, let values) = $0 { for case .messages(let n) in values { held = n } }
        }
        guard held < messages else { return }
        let seeding = ContinuousClock.now
        let batch = c.capabilities.contains("MULTIAPPEND") ? 500 : 1
        var next = held
        while next < messages {
            let count = min(batch, messages - next)
            let tag = c.nextTag()
            var command = Array("\(tag) APPEND \"\(mailbox)\"".utf8)
            for n in next..<(next + count) {
                let body = Self.message(n)
                command += Array(" (\\Seen) {\(body.count)}\r\n".utf8) + body
            }
            command += Array("\r\n".utf8)
            var completion: [UInt8] = []
            try await c.send(command, tag: tag) { frame in
                if case .line(let line, true, true) = frame, ResponseFramer.tag(of: line) == tag { completion = line }
            }
            guard completion.starts(with: Array("\(tag) OK".utf8)) else {
                throw CheckFailed(description: "APPEND of messages \(next)…: \(String(decoding: completion.prefix(200), as: UTF8.self))")
            }
            next += count
        }
        recorder.figures["seeded messages"] = Double(messages - held)
        recorder.figures["seeding messages/s"] = Double(messages - held) / (ContinuousClock.now - seeding).seconds
    }

    private func measure(_ c: IMAPClientConnection, round: Int, _ recorder: inout Recorder) async throws {
        let expected = messages
        var exists = 0
        try await recorder.time("SELECT") {
            _ = try await c.execute(.select(MailboxName(mailbox), SelectParameters())) { if case .exists(let n) = $0 { exists = n } }
        }
        guard exists == expected else { throw CheckFailed(description: "SELECT \(mailbox): \(exists) messages, expected \(expected)") }

        // Counted on the wire rather than parsed: the client's own cost stays small and equal for both servers.
        let flagLines = try await recorder.time("UID FETCH 1:* (FLAGS)") { try await countLines(c, "UID FETCH 1:* (FLAGS)", containing: "FLAGS") }
        guard flagLines == expected else { throw CheckFailed(description: "UID FETCH 1:* (FLAGS): \(flagLines) answers for \(expected) messages") }

        // A different message each round, spread over the mailbox.
        let n = (round * 7919 + expected / 3) % expected
        let bySubject = try await recorder.time("UID SEARCH SUBJECT") { try await search(c, .subject(Array(String(format: "Order %06d", n).utf8))) }
        guard bySubject.count == 1 else { throw CheckFailed(description: "UID SEARCH SUBJECT \"Order \(n)\": \(bySubject.count) matches, expected 1") }
        let byBody = try await recorder.time("UID SEARCH BODY") { try await search(c, .body(Array(String(format: "needle%06d", n).utf8))) }
        guard byBody == bySubject else { throw CheckFailed(description: "UID SEARCH BODY needle\(n): \(byBody), expected \(bySubject)") }

        let flagged = try await recorder.time("UID STORE 1:* +FLAGS.SILENT") {
            try await countLines(c, "UID STORE 1:* +FLAGS.SILENT (\\Flagged)", containing: "FETCH")
        }
        let unflagged = try await recorder.time("UID STORE 1:* -FLAGS.SILENT") {
            try await countLines(c, "UID STORE 1:* -FLAGS.SILENT (\\Flagged)", containing: "FETCH")
        }
        guard flagged == 0, unflagged == 0 else { throw CheckFailed(description: "STORE .SILENT answered with \(flagged + unflagged) FETCH responses") }
        var stillFlagged: [UInt32] = []
        try await c.execute(.search(SearchCommand(key: .flagged), uid: true)) {
            if case .search(let numbers, _) = $0 { stillFlagged += numbers }
        }
        guard stillFlagged.isEmpty else { throw CheckFailed(description: "after -FLAGS \\Flagged, \(stillFlagged.count) messages still flagged") }
    }

    /// Runs `command` raw and counts the untagged lines that contain `word`; anything but OK throws.
    private func countLines(_ c: IMAPClientConnection, _ command: String, containing word: String) async throws -> Int {
        let tag = c.nextTag()
        let needle = Array(word.utf8)
        var count = 0
        var completion: [UInt8] = []
        try await c.send(Array("\(tag) \(command)\r\n".utf8), tag: tag) { frame in
            guard case .line(let line, true, _) = frame else { return }
            if line.starts(with: Array("* ".utf8)), line.firstRange(of: needle) != nil { count += 1 }
            if ResponseFramer.tag(of: line) == tag { completion = line }
        }
        guard completion.starts(with: Array("\(tag) OK".utf8)) else {
            throw CheckFailed(description: "\(command): \(String(decoding: completion.prefix(200), as: UTF8.self))")
        }
        return count
    }

    private func search(_ c: IMAPClientConnection, _ key: SearchKey) async throws -> [UInt32] {
        var found: [UInt32] = []
        try await c.execute(.search(SearchCommand(key: key), uid: true)) {
            if case .search(let numbers, _) = $0 { found += numbers }
        }
        return found
    }

    /// Message n: small, as most mail is, with its own subject and body word.
    static func message(_ n: Int) -> [UInt8] {
        let number = String(format: "%06d", n)
        let day = 1 + n % 28
        return Array(("From: Customer \(n % 500) <customer\(n % 500)@example.net>\r\nTo: sales@example.com\r\n"
                      + "Subject: Order \(number)\r\nDate: \(day) Oct 2026 09:\(String(format: "%02d", n % 60)):00 +0000\r\n"
                      + "Message-ID: <order-\(number)@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                      + "Hello,\r\n\r\nplease confirm order \(number) (reference needle\(number)) and send the invoice.\r\n"
                      + "The delivery address is the usual one.\r\n\r\nRegards\r\n").utf8)
    }
}
