import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real DAV server for tests, on a free loopback port with its own storage, stopped
/// (SIGKILL) and removed afterwards:
/// - Radicale 3.9.0 (PyPI, installed by scripts/test into `.venv`) with htpasswd users;
/// - Xandikos 0.4.10 (likewise), which has no authentication of its own (one user, `/user/`)
///   and fails differently: 412 for a refused sync token, silently cut `DAV:limit` answers.
///
/// `CRMGATE_RADICALE` / `CRMGATE_XANDIKOS` name the executables, else `.venv/bin/…` of the checkout.
public final class DAVTestServer: @unchecked Sendable {
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case radicale
        case xandikos
        public var description: String { rawValue }
    }

    public static let users = ["alice@example.com": "alice-secret", "bob@example.com": "bob-secret"]

    /// On when the server is there, or when scripts/test named it (so a missing one fails the run).
    public static func wanted(_ kind: Kind) -> Bool {
        executable(kind) != nil || ProcessInfo.processInfo.environment[variable(kind)] != nil
    }

    private static func variable(_ kind: Kind) -> String { "CRMGATE_\(kind.rawValue.uppercased())" }

    static func executable(_ kind: Kind) -> String? {
        if let named = ProcessInfo.processInfo.environment[variable(kind)], FileManager.default.isExecutableFile(atPath: named) {
            return named
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let venv = checkout.appendingPathComponent(".venv/bin/\(kind.rawValue)").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    public let kind: Kind
    private let extraUsers: [String]
    public let port: Int
    public let directory: URL
    private let process: Process

    public var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// `extraUsers` get Radicale logins too, with alice's password.
    public init(_ kind: Kind = .radicale, extraUsers: [String] = []) throws {
        self.extraUsers = extraUsers.filter { Self.users[$0] == nil }
        guard let executable = Self.executable(kind) else { throw RadicaleError("\(kind) is not installed; scripts/test installs it") }
        self.kind = kind
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-\(kind)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        switch kind {
        case .radicale: process.arguments = ["--config", try radicaleConfig().path]
        case .xandikos:
            process.arguments = ["serve", "-d", directory.appendingPathComponent("collections").path, "--autocreate",
                                 "-l", "127.0.0.1", "-p", "\(port)"]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw RadicaleError("\(kind) did not start on port \(port)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private func radicaleConfig() throws -> URL {
        let users = directory.appendingPathComponent("users")
        try (Self.users.map { "\($0.key):\($0.value)\n" } + extraUsers.map { "\($0):\(Self.users["alice@example.com"]!)\n" }).joined().write(to: users, atomically: true, encoding: .utf8)
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
        return config
    }

    /// Kills it (SIGKILL: a child of the test process may have SIGTERM blocked) and removes its files.
    public func stop() {
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

public struct RadicaleError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
