import ArgumentParser
import Foundation
import IMAPClient
import NIOSSL

/// `crmgate-bench`: IMAP load against any IMAP server, every answer checked; prints each
/// command's rate and latency percentiles and every protocol error (a wrong answer counts
/// as an error, not as a fast answer). One subcommand per scenario of issue 16; `mixed` is
/// the default.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmgate-bench",
        abstract: "Load an IMAP server and report throughput and latency per command.",
        subcommands: [Mixed.self, BigMailbox.self, IdleConnections.self, Drops.self],
        defaultSubcommand: Mixed.self)
}

/// Where the load goes and as whom: the options every scenario shares.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server host name or address.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port: Int
    @Option(help: "implicit-tls, starttls or none.") var security = "implicit-tls"
    @Option(help: "PEM file of the certificate authority to trust (e.g. crmgate's certs/dev-cert.pem).") var caFile: String?
    @Flag(help: "Do not check the server's certificate (loopback tests only).") var insecure = false
    @Option(help: "Accounts to log in as, comma-separated; client n uses the n-th, round robin.") var users: String
    @Option(help: "Their password (all the same).") var password: String
    @Flag(help: "Print the summary as JSON instead of a table.") var json = false

    func validate() throws {
        guard ["implicit-tls", "starttls", "none"].contains(security) else {
            throw ValidationError("--security must be implicit-tls, starttls or none, not \(security)")
        }
        guard !accounts.isEmpty else { throw ValidationError("--users needs at least one account") }
    }

    var accounts: [String] { users.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func target() throws -> Target {
        let mode: IMAPClientConfiguration.Security = switch security {
        case "starttls": .startTLS
        case "none": .none
        default: .implicitTLS
        }
        let configuration = IMAPClientConfiguration(host: host, port: port, security: mode, caFile: caFile,
                                                    verifyCertificate: !insecure, connectTimeout: .seconds(30), tagPrefix: "B")
        // One TLS context for every connection, as a real client fleet's trust store would be read once.
        let tls = mode == .none ? nil : try IMAPClientConnection.makeTLSContext(configuration)
        return Target(configuration: configuration, tls: tls, users: accounts, password: password)
    }

    /// Prints the summary (table or JSON); exits 2 when any answer was wrong.
    func report(_ summary: Recorder.Summary) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
        if summary.errors > 0 { throw ExitCode(2) }
    }
}

/// Scenario (a): many clients checking and filing mail for a while.
struct Mixed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N clients run the mixed workload of a mail client for T seconds.",
        discussion: """
            The mixed workload: each client logs in (again for every round with --relogin), and each round runs \
            NOOP, SELECT INBOX, FETCH 1:* (UID FLAGS), FETCH of the last ten envelopes, APPEND of a message of its \
            own, UID SEARCH for it, UID FETCH of its body, UID STORE +FLAGS, then UID MOVE to Archive (every \
            fourth round) or UID EXPUNGE, LIST (every second round) and IDLE/DONE. Each account's INBOX must hold \
            some mail and an Archive mailbox must exist. Exits 2 when any answer was wrong.

            With one login per client, the clients log in first and the time starts when all of them have (their \
            logins count among the commands). Each client sends its next command as soon as the answer before is \
            in, so the server's speed decides the load. With --rate the load is fixed instead: the clients together \
            start that many commands a second, each at its own slot, and a command's latency counts from its slot, \
            so two servers compare at the same load and one that falls behind shows its queue.
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "Concurrent clients.") var clients = 10
    @Option(help: "Seconds to run.") var seconds = 30.0
    @Flag(help: "Log in anew for every round (else one login per client).") var relogin = false
    @Option(help: "Commands per second of all clients together, at fixed slots (else as fast as answered).") var rate: Double?

    func validate() throws {
        guard clients > 0, seconds > 0 else { throw ValidationError("--clients and --seconds must be positive") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
    }

    func run() async throws {
        let target = try server.target()
        let started = ContinuousClock.now
        let length = Duration.seconds(seconds)
        let (relogin, clients) = (self.relogin, self.clients)
        let interval = rate.map { Duration.seconds(Double(clients) / $0) }
        let barrier = relogin ? nil : StartBarrier(parties: clients)
        var total = Recorder()
        await withTaskGroup(of: Recorder.self) { group in
            for number in 0..<clients {
                group.addTask {
                    var client = MixedClient(number: number, of: clients, target: target, relogin: relogin, interval: interval)
                    return await client.run(for: length, after: barrier)
                }
            }
            for await recorder in group { total.merge(recorder) }
        }
        if let rate { total.figures["offered commands/s"] = rate }
        try server.report(total.summary(seconds: (ContinuousClock.now - (barrier?.start ?? started)).seconds, clients: clients))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
