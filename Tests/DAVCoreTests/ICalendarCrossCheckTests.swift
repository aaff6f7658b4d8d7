import Foundation
import DAVServerFixtures
import Testing
@testable import DAVCore

/// The corpus read by Python's `icalendar` (PyPI, installed by scripts/test) and by crmgate
/// must give the same events and tasks at the same instants.
@Suite("iCalendar codec against Python's icalendar", .enabled(if: PythonICalendar.python != nil, "needs .venv with icalendar (scripts/test installs it)"))
struct ICalendarCrossCheckTests {
    static var python: String? { PythonICalendar.python }

    static let script = """
        import sys, icalendar, datetime
        cal = icalendar.Calendar.from_ical(sys.stdin.read())
        for c in cal.walk():
            if c.name not in ("VEVENT", "VTODO"):
                continue
            key = "DTSTART" if "DTSTART" in c else "DUE"
            value = c.decoded(key)
            if isinstance(value, datetime.datetime):
                start = value.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            else:
                start = value.strftime("%Y%m%d")
            print("\\t".join([c.name, str(c.get("UID")), str(c.get("SUMMARY")).replace("\\n", "\\\\n"), start]))
        """

    /// Kind, UID, summary and start (UTC, or the date of an all-day item) of each event and task.
    static func ours(_ text: String) throws -> [String] {
        let calendar = try ICalendar.parse(text)
        let zones = ICalTimeZones(calendar)
        let utc = TimeZone(identifier: "UTC")!
        return try (calendar.events + calendar.todos).map { component in
            let start = try component.dateTime("DTSTART") ?? component.dateTime("DUE")
            let text: String
            switch start {
            case .date(let local)?: text = local.dateText
            case let value?: text = ICalLocalTime(try value.date(zones: zones), in: utc).text + "Z"
            case nil: text = "-"
            }
            return [component.name, component.uid ?? "", (component.summary ?? "").replacingOccurrences(of: "\n", with: "\\n"), text]
                .joined(separator: "\t")
        }
    }

    static func theirs(_ text: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python!)
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CrossCheckError(String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(arguments: ICalendarCorpus.all)
    func bothReadTheSameItemsAtTheSameInstants(_ name: String, _ text: String) throws {
        let expected = try Self.theirs(text)
        #expect(!expected.isEmpty)
        #expect(try Self.ours(text) == expected, "\(name)")
    }
}

enum PythonICalendar {
    /// `CRMGATE_PYTHON` (scripts/test names it, so a missing one fails the run), else the
    /// checkout's `.venv/bin/python`.
    static var python: String? {
        if let named = ProcessInfo.processInfo.environment["CRMGATE_PYTHON"] { return named }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let venv = checkout.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }
}

struct CrossCheckError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
