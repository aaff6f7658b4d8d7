import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real Radicale (PyPI `radicale==3.9.0`, installed by scripts/test into `.venv`) on a free
/// loopback port with its own storage and htpasswd users, for the CardDAV client's tests.
/// `CRMGATE_RADICALE` names the executable, else `.venv/bin/radicale` of the checkout.
final class RadicaleServer {
    static let users = ["alice@example.com": "alice-secret", "bob@example.com": "bob-secret"]

    /// On when Radicale is there, or when scripts/test named it (so a missing one fails the run).
    static var wanted: Bool { executable != nil || ProcessInfo.processInfo.environment["CRMGATE_RADICALE"] != nil }

    static var executable: String? {
        if let named = ProcessInfo.processInfo.environment["CRMGATE_RADICALE"], FileManager.default.isExecutableFile(atPath: named) {
            return named
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let venv = checkout.appendingPathComponent(".venv/bin/radicale").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    let port: Int
    let directory: URL
    private let process: Process

    var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    init() throws {
        guard let executable = Self.executable else { throw RadicaleError("radicale is not installed; scripts/test installs it") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-radicale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        let users = directory.appendingPathComponent("users")
        try Self.users.map { "\($0.key):\($0.value)\n" }.joined().write(to: users, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("config")
        try """
            [server]
            hosts = 127.0.0.1:\(port)
            [auth]
            type = htpasswd
            htpasswd_filename = \(users.path)
            htpasswd_encryption = plain
            [storage]
            filesystem_folder = \(directory.appendingPathComponent("collections").path)
            [rights]
            type = owner_only
            [logging]
            level = warning
            """.write(to: config, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw RadicaleError("radicale did not start on port \(port)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Kills it (SIGKILL: a child of the test process may have SIGTERM blocked) and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RadicaleError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

struct RadicaleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
