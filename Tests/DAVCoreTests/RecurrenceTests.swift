import DAVServerFixtures
import Foundation
import Testing
@testable import DAVCore

/// RRULE expansion: the rules calendar clients write, checked against python-dateutil's
/// `rrule` (PyPI; icalendar depends on it) where it can run, and by hand.
@Suite("iCalendar recurrence")
struct RecurrenceTests {
    static let rules: [(start: String, rule: String)] = [
        ("20270104T090000", "FREQ=DAILY;COUNT=10"),
        ("20270104T090000", "FREQ=DAILY;INTERVAL=3;UNTIL=20270301T090000"),
        ("20270104T090000", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=20"),
        ("20270105T183000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;COUNT=12"),
        ("20270131T100000", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=8"),
        ("20270129T150000", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=10"),
        ("20270112T080000", "FREQ=MONTHLY;BYDAY=2TU;COUNT=10"),
        ("20270129T170000", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=12"),
        ("20270131T120000", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6"),
        ("20280229T120000", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3"),
        ("20270315T090000", "FREQ=YEARLY;COUNT=5"),
        ("20270517T090000", "FREQ=YEARLY;BYDAY=20MO;COUNT=3"),
        ("20270109T100000", "FREQ=DAILY;BYDAY=SA,SU;COUNT=6"),
        ("20270101T000000", "FREQ=MONTHLY;INTERVAL=2;BYMONTH=1,5,9;BYMONTHDAY=1,15;COUNT=9"),
    ]

    static func ours(_ start: String, _ rule: String) throws -> [String] {
        let first = try #require(ICalLocalTime(start, dateOnly: false))
        let until = try RecurrenceRule(rule).until.flatMap { ICalLocalTime($0, dateOnly: false) }
        return try RecurrenceRule(rule).starts(from: first, through: ICalLocalTime(year: 2040, month: 1, day: 1)) { time in
            until.map { $0 < time } ?? false
        }.map(\.text)
    }

    @Test func theRulesClientsWriteExpandAsWorkedOutByHand() throws {
        #expect(try Self.ours("20270104T090000", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5")
            == ["20270104T090000", "20270106T090000", "20270108T090000", "20270111T090000", "20270113T090000"])
        #expect(try Self.ours("20270131T100000", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4")
            == ["20270131T100000", "20270331T100000", "20270531T100000", "20270731T100000"], "months without a 31st are skipped")
        #expect(try Self.ours("20270129T150000", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3")
            == ["20270129T150000", "20270226T150000", "20270326T150000"])
        #expect(try Self.ours("20280229T120000", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2") == ["20280229T120000", "20320229T120000"])
        #expect(try Self.ours("20270104T090000", "FREQ=DAILY;INTERVAL=10;UNTIL=20270124T090000")
            == ["20270104T090000", "20270114T090000", "20270124T090000"], "UNTIL is inclusive")
    }

    @Test(.enabled(if: PythonICalendar.python != nil, "needs .venv with python-dateutil (scripts/test installs it)"),
          arguments: Self.rules.map { "\($0.start)|\($0.rule)" })
    func expansionsMatchPythonDateutil(_ entry: String) throws {
        let parts = entry.split(separator: "|").map(String.init)
        let script = """
            import sys, datetime
            from dateutil import rrule
            start = datetime.datetime.strptime(sys.argv[1], "%Y%m%dT%H%M%S")
            print("\\n".join(d.strftime("%Y%m%dT%H%M%S") for d in rrule.rrulestr(sys.argv[2], dtstart=start)))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonICalendar.python!)
        process.arguments = ["-c", script, parts[0], parts[1]]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let theirs = text.split(separator: "\n").map(String.init)
        #expect(!theirs.isEmpty)
        #expect(try Self.ours(parts[0], parts[1]) == theirs, "\(entry)")
    }

    @Test(arguments: [
        ("FREQ=HOURLY;COUNT=3", "not supported"), ("COUNT=3", "FREQ is missing"), ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "not both"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a weekday"), ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"), ("FREQ=DAILY;INTERVAL=0", "positive"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "out of range"),
    ])
    func rulesItCannotFollowAreRefusedWithTheReason(_ rule: String, _ reason: String) {
        #expect {
            try RecurrenceRule(rule)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    /// A weekly series in Berlin keeps its wall-clock time across the change to summer
    /// time; EXDATE removes one, RDATE adds one, and occurrences outside the window are left
    /// out unless asked for by key.
    @Test func aSeriesKeepsItsWallClockAcrossDaylightSavingAndHonoursExdateAndRdate() throws {
        let text = """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20270101T000000Z\r\n\
            DTSTART;TZID=Europe/Berlin:20270315T090000\r\nDTEND;TZID=Europe/Berlin:20270315T100000\r\n\
            RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Europe/Berlin:20270329T090000\r\n\
            RDATE;TZID=Europe/Berlin:20270401T140000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
            """
        let calendar = try ICalendar.parse(text)
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let berlin = { (d: Int, m: Int, h: Int) in ICalLocalTime(year: 2027, month: m, day: d, hour: h).date(in: zone) }
        let all = try calendar.events[0].occurrences(zones: ICalTimeZones(calendar), from: berlin(1, 3, 0), to: berlin(1, 6, 0), duration: 3600)
        #expect(all.map(\.key) == ["20270315T090000", "20270322T090000", "20270401T140000", "20270405T090000"])
        #expect(all.map(\.start) == [berlin(15, 3, 9), berlin(22, 3, 9), berlin(1, 4, 14), berlin(5, 4, 9)])
        #expect(all[0].start.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 8 * 3600, "09:00 CET is 08:00 UTC")
        #expect(all[3].start.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 7 * 3600, "09:00 CEST is 07:00 UTC")

        let window = try calendar.events[0].occurrences(zones: ICalTimeZones(calendar), from: berlin(30, 3, 0), to: berlin(3, 4, 0),
                                                        duration: 3600, keys: ["20270315T090000"])
        #expect(window.map(\.key) == ["20270315T090000", "20270401T140000"], "the window, and the occurrence asked for")
    }

    @Test func anEndlessDailySeriesFromLongAgoExpandsQuicklyAndBoundedly() throws {
        let rule = try RecurrenceRule("FREQ=DAILY")
        let starts = rule.starts(from: ICalLocalTime(year: 1990, month: 1, day: 1, hour: 9), through: ICalLocalTime(year: 2028, month: 1, day: 1)) { _ in false }
        #expect(starts.count == 13_879 && starts.last?.text == "20271231T090000")
        let never = try RecurrenceRule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
        #expect(never.starts(from: ICalLocalTime(year: 2027, month: 1, day: 1), through: ICalLocalTime(year: 9999, month: 1, day: 1)) { _ in false }.count == 1,
                "a rule that never matches stops after a bounded number of periods")
    }
}
