import Foundation
import GatewayConfig
import Logging
import Synchronization

/// A swift-log handler writing one machine-readable line per message: logfmt
/// (`time=… level=info logger=crmgate msg="…" user=alice`) or JSON, for journald and log
/// shippers. `[log] format = "text"` keeps swift-log's own `StreamLogHandler` instead.
struct LineLogHandler: LogHandler {
    enum Format { case logfmt, json }

    let label: String
    let format: Format
    let stream: LogStream
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    /// UTC with milliseconds: `2026-12-06T19:35:38.123Z`.
    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Date().formatted(Self.timeStyle)
        let line = switch format {
        case .logfmt: Self.logfmt(time: time, level: event.level, label: label, message: "\(event.message)", fields: fields)
        case .json: Self.json(time: time, level: event.level, label: label, message: "\(event.message)", fields: fields)
        }
        stream.write(line + "\n")
    }

    /// `key=value` pairs; values with spaces, quotes, `=` or control characters are quoted.
    static func logfmt(time: String, level: Logger.Level, label: String, message: String, fields: Logger.Metadata) -> String {
        var pairs = [("time", time), ("level", level.rawValue), ("logger", label), ("msg", message)]
        pairs += fields.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
        return pairs.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
    }

    private static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x20 || $0 == "\\" }
        return needsQuotes ? jsonString(value) : value
    }

    /// One JSON object; metadata keys sit beside `time`, `level`, `logger` and `msg`
    /// (a metadata key with one of those names yields to them).
    static func json(time: String, level: Logger.Level, label: String, message: String, fields: Logger.Metadata) -> String {
        var members = [("time", time), ("level", level.rawValue), ("logger", label), ("msg", message)]
        let reserved = Set(members.map(\.0))
        members += fields.sorted { $0.key < $1.key }.filter { !reserved.contains($0.key) }.map { ($0.key, "\($0.value)") }
        return "{" + members.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string literal (also the quoting logfmt readers accept).
    static func jsonString(_ text: String) -> String {
        (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
}

/// Standard output or standard error, written a whole line at a time.
final class LogStream: Sendable {
    private let handle: Mutex<FileHandle>

    init(_ output: String) {
        handle = Mutex(output == "stdout" ? FileHandle.standardOutput : FileHandle.standardError)
    }

    func write(_ line: String) {
        handle.withLock { $0.write(Data(line.utf8)) }
    }
}

/// Sets up swift-log as `[log]` says: level, format (text, logfmt, json) and stream.
func makeLogger(_ log: GatewayConfiguration.Log) -> Logger {
    let level = Logger.Level(rawValue: log.level) ?? .info
    let stream = LogStream(log.output)
    LoggingSystem.bootstrap { label in
        switch log.format {
        case "logfmt", "json":
            var handler = LineLogHandler(label: label, format: log.format == "json" ? .json : .logfmt, stream: stream)
            handler.logLevel = level
            return handler
        default:
            var handler = log.output == "stdout" ? StreamLogHandler.standardOutput(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
    return Logger(label: "crmgate")
}
