import ArgumentParser
import Foundation

/// `crmgate reload`: asks the running server to re-read its configuration (SIGHUP).
struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the running crmgate re-read its configuration (the same as sending it SIGHUP).")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try loadConfiguration(options.config)
        let file = PIDFile(storage: config.storage.path)
        guard let pid = file.read() else {
            throw StartupError("crmgate does not seem to be running: no process id in \(file.path)")
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw StartupError("no crmgate process \(pid) (from \(file.path)); if it is not running, remove that file")
        }
        print("Asked crmgate (process \(pid)) to reload \(options.config); its log says what changed.")
    }
}

/// The server's process id in the storage directory, for `crmgate reload`.
struct PIDFile {
    let path: String

    init(storage: String) {
        path = (storage as NSString).appendingPathComponent("crmgate.pid")
    }

    func write() throws {
        try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    func read() -> pid_t? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func remove() {
        if read() == getpid() { try? FileManager.default.removeItem(atPath: path) }
    }
}
