import IMAPCore
import Logging
import Testing

@testable import IMAPClient

@Suite("IMAPClientConnection against servers without the usual extensions")
struct IMAPClientConnectionTests {
    let logger = Logger(label: "test")

    func connect(_ server: ScriptedServer) async throws -> IMAPClientConnection {
        try await IMAPClientConnection.connect(IMAPClientConfiguration(host: "127.0.0.1", port: server.port, security: .none,
                                                                       connectTimeout: .seconds(5)), logger: logger)
    }

    @Test func withoutLiteralPlusEachLiteralWaitsForTheContinuation() async throws {
        // A server of RFC 3501 alone: synchronizing literals only.
        let server = try await ScriptedServer(greeting: "* OK [CAPABILITY IMAP4rev1] ready\r\n") { line in
            if line.hasSuffix("}") { return "+ go ahead\r\n" }
            if line == "p\u{e4}sswort" { return "C1 OK [CAPABILITY IMAP4rev1] LOGIN done\r\n" }
            return ""
        }
        let connection = try await connect(server)
        // A password with a non-ASCII character cannot be quoted: it goes as a literal.
        try await connection.login(user: "alice", password: "pässwort")
        #expect(server.lines == ["C1 LOGIN alice {9}", "pässwort"])
        connection.close()
        try await server.close()
    }

    /// The server answers nothing until it has all three commands: a client that waited for
    /// each answer before sending the next would never finish.
    @Test func pipelinedCommandsGoOutTogetherAndAllAnswersComeBack() async throws {
        let seen = ReceivedLines()
        let server = try await ScriptedServer(greeting: "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n") { line in
            let count = seen.lines.withLock { $0.append(line); return $0.count }
            guard count == 4 else { return "" }
            // Completed out of order, as a server working on them at once may.
            return "* 1 FETCH (FLAGS (\\Seen))\r\na2 OK NOOP done\r\na1 OK FETCH done\r\n* SEARCH 1\r\na3 OK SEARCH done\r\n"
        }
        let connection = try await connect(server)
        let commands = [("a1", "a1 FETCH 1 (FLAGS)\r\n"), ("a2", "a2 NOOP\r\n"), ("a3", "a3 SEARCH SUBJECT {5}\r\nhello\r\n")]
            .map { (tag: $0.0, bytes: Array($0.1.utf8)) }
        #expect(commands.allSatisfy { connection.canPipeline($0.bytes) })
        var relayed: [UInt8] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: .seconds(10)); throw IMAPClientError.closed("the pipeline did not complete") }
            try await connection.pipeline(commands) { relayed += $0.bytes }
            group.cancelAll()
        }
        #expect(server.lines == ["a1 FETCH 1 (FLAGS)", "a2 NOOP", "a3 SEARCH SUBJECT {5+}", "hello"])
        #expect(String(decoding: relayed, as: UTF8.self).hasSuffix("a3 OK SEARCH done\r\n"))
        connection.close()
        try await server.close()
    }

    @Test func aCommandWaitingForAContinuationCannotBePipelined() async throws {
        let server = try await ScriptedServer(greeting: "* OK [CAPABILITY IMAP4rev1] ready\r\n") { _ in "" }
        let connection = try await connect(server)
        #expect(connection.canPipeline(Array("a1 NOOP\r\n".utf8)))
        #expect(!connection.canPipeline(Array("a1 SEARCH SUBJECT {5}\r\nhello\r\n".utf8)))
        connection.close()
        try await server.close()
    }

    @Test func aRefusalBeforeTheLiteralEndsTheCommandWithoutSendingIt() async throws {
        let server = try await ScriptedServer(greeting: "* OK [CAPABILITY IMAP4rev1] ready\r\n") { line in
            line.hasSuffix("}") ? "C1 NO [AUTHENTICATIONFAILED] no such user\r\n" : ""
        }
        let connection = try await connect(server)
        await #expect(throws: IMAPClientError.self) { try await connection.login(user: "alice", password: "pässwort") }
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.lines == ["C1 LOGIN alice {9}"])
        connection.close()
        try await server.close()
    }

    @Test func withLoginDisabledItAuthenticatesWithPlain() async throws {
        let server = try await ScriptedServer(greeting: "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN SASL-IR] ready\r\n") { line in
            line.hasPrefix("C1 AUTHENTICATE PLAIN ") ? "C1 OK [CAPABILITY IMAP4rev1 IDLE] welcome\r\n" : ""
        }
        let connection = try await connect(server)
        try await connection.login(user: "alice", password: "secret")
        #expect(server.lines == ["C1 AUTHENTICATE PLAIN " + String(decoding: Base64.encode(Array("\u{0}alice\u{0}secret".utf8)), as: UTF8.self)])
        #expect(connection.capabilities == ["IMAP4REV1", "IDLE"])
        connection.close()
        try await server.close()
    }

    @Test func startTLSThatIsNotOfferedIsAClearError() async throws {
        let server = try await ScriptedServer(greeting: "* OK [CAPABILITY IMAP4rev1] ready\r\n") { _ in "" }
        let configuration = IMAPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLS, connectTimeout: .seconds(5))
        await #expect {
            _ = try await IMAPClientConnection.connect(configuration, logger: logger)
        } throws: { error in
            (error as? IMAPClientError)?.description.contains("does not offer STARTTLS") == true
        }
        try await server.close()
    }

    @Test func aServerThatNeverGreetsTimesOut() async throws {
        let server = try await ScriptedServer(greeting: "") { _ in "" }
        let configuration = IMAPClientConfiguration(host: "127.0.0.1", port: server.port, security: .none, connectTimeout: .seconds(1))
        let began = ContinuousClock.now
        await #expect {
            _ = try await IMAPClientConnection.connect(configuration, logger: logger)
        } throws: { error in
            if case .unreachable(let reason)? = error as? IMAPClientError { return reason.contains("did not complete TLS and greet") }
            return false
        }
        // It gives up rather than waiting forever; how soon depends on the machine's load.
        #expect(ContinuousClock.now - began < .seconds(60))
        try await server.close()
    }
}
