import Foundation
import DAVServerFixtures
import Testing
@testable import DAVCore

@Suite("iCalendar codec")
struct ICalendarTests {
    static func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test(arguments: ICalendarCorpus.all)
    func everyFileSurvivesAWriteAndARead(_ name: String, _ text: String) throws {
        let calendar = try ICalendar.parse(text)
        let again = try ICalendar.parse(calendar.text)
        #expect(again == calendar, "\(name)")
        // Written back, it has the lines read, in their order and with their escapes (folded at 75 octets).
        #expect(Folding.unfold(calendar.text).map { String($0.text) } == Folding.unfold(text).map { String($0.text) }, "\(name)")
    }

    @Test func theComponentsAndWhatCrmgateDoesNotOwnAreKept() throws {
        let google = try ICalendar.parse(ICalendarCorpus.google)
        #expect(google.events.count == 3 && google.timeZones.count == 1)
        let series = google.events[0]
        #expect(series.components("VALARM").first?.text("TRIGGER") == "-P0DT0H10M0S")
        #expect(series.first("RRULE")?.value == "FREQ=WEEKLY;BYDAY=MO;COUNT=10")
        #expect(series.first("EXDATE")?.parameter("TZID") == ["Europe/Berlin"])
        #expect(series.text("DESCRIPTION") == "Weekly sync, agenda:\n1. numbers; 2. plans")
        #expect(series.text("LOCATION") == "Room 4, Building B")
        #expect(google.events[1].first("RECURRENCE-ID")?.value == "20261228T090000")
        #expect(google.root.text("X-WR-CALNAME") == "Work")

        let apple = try ICalendar.parse(ICalendarCorpus.apple)
        #expect(apple.events[0].summary == "Lunch with Zoë — Ångström & Co." && apple.events[0].categories == ["Embedded CRM"])
        #expect(apple.events[0].text("LOCATION") == "Café Sabarsky, 1048 5th Ave\nNew York")
        let done = apple.todos[0]
        #expect(done.text("STATUS") == "COMPLETED" && done.text("PERCENT-COMPLETE") == "100")
        #expect(try done.dateTime("COMPLETED") == .utc(Self.utc("2026-12-05T16:45:00Z")))
        #expect(try done.dateTime("DUE")?.isAllDay == true)

        let outlook = try ICalendar.parse(ICalendarCorpus.outlook)
        let review = outlook.events[0]
        #expect(review.text("CLASS") == "PRIVATE" && review.all("ATTENDEE").count == 2)
        #expect(review.all("ATTENDEE")[1].parameter("CN") == ["Lumbergh, Bill"])
        #expect(review.text("DESCRIPTION") == "Quarterly review of the TPS reports.\n\nBring the cover sheets.")
    }

    @Test func dateTimesResolveWithIANAWindowsAndTheCalendarsOwnZones() throws {
        let google = try ICalendar.parse(ICalendarCorpus.google)
        let zones = ICalTimeZones(google)
        #expect(try google.events[0].dateTime("DTSTART")?.date(zones: zones) == Self.utc("2026-12-07T08:00:00Z"))

        let outlook = try ICalendar.parse(ICalendarCorpus.outlook)
        let outlookZones = ICalTimeZones(outlook)
        // A Windows name: Europe/Berlin.
        #expect(try outlook.events[0].dateTime("DTSTART")?.date(zones: outlookZones) == Self.utc("2026-12-07T08:00:00Z"))
        // A name only its VTIMEZONE defines: its rules put July in summer time.
        #expect(try outlook.events[1].dateTime("DTSTART")?.date(zones: outlookZones) == Self.utc("2027-07-05T12:00:00Z"))

        let apple = try ICalendar.parse(ICalendarCorpus.apple)
        // 14 March 2027 is the day after New York's change to summer time.
        #expect(try apple.events[0].dateTime("DTSTART")?.date(zones: ICalTimeZones(apple)) == Self.utc("2027-03-14T14:30:00Z"))
    }

    @Test func aCalendarsOwnRulesAgreeWithTheSystemAcrossDaylightSavingChanges() throws {
        let outlook = try ICalendar.parse(ICalendarCorpus.outlook)
        let rules = try #require(VTimeZoneRules(outlook.timeZones[1]))
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        for (month, day, hour) in [(3, 28, 12), (3, 29, 1), (3, 29, 4), (10, 24, 12), (10, 25, 4), (12, 31, 23), (7, 1, 0)] {
            let local = ICalLocalTime(year: 2026, month: month, day: day, hour: hour)
            #expect(local.date(offset: rules.offset(at: local)) == local.date(in: berlin), "\(local.text)")
        }
    }

    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "Asia/Kolkata"])
    func aWrittenVTimeZoneDescribesItsZone(_ identifier: String) throws {
        let zone = TimeZone(identifier: identifier)!
        let range = Self.utc("2026-01-01T00:00:00Z")...Self.utc("2027-12-31T00:00:00Z")
        let component = ICalComponent.timeZone(zone, covering: range)
        let rules = try #require(VTimeZoneRules(component))
        var instant = range.lowerBound
        while instant < range.upperBound {
            let local = ICalLocalTime(instant, in: zone)
            #expect(local.date(offset: rules.offset(at: local)) == instant, "\(identifier) \(local.text)")
            instant.addTimeInterval(86_400 * 7 + 3_600 * 5)
        }
        // Read back through a calendar, the definition is the same.
        var calendar = ICalendar()
        calendar.root.components.append(component)
        #expect(try ICalendar.parse(calendar.text).timeZones == [component])
    }

    @Test func datesTimesAndZonesAreWrittenAsTheyAreRead() throws {
        var event = ICalComponent("VEVENT")
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        event.setDateTime("DTSTART", .zoned(Self.utc("2026-03-29T00:30:00Z"), in: berlin))
        event.setDateTime("DTEND", .date(ICalLocalTime(year: 2026, month: 3, day: 30)))
        event.setDateTime("DTSTAMP", .utc(Self.utc("2026-12-06T10:00:00Z")))
        #expect(event.first("DTSTART")?.unfolded == "DTSTART;TZID=Europe/Berlin:20260329T013000")
        #expect(event.first("DTEND")?.unfolded == "DTEND;VALUE=DATE:20260330")
        #expect(event.first("DTSTAMP")?.unfolded == "DTSTAMP:20261206T100000Z")
        // A wall-clock time a DST change skips (02:30 on 29 March in Berlin) moves forward.
        let skipped = ICalDateTime.local(ICalLocalTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30), tzid: "Europe/Berlin")
        #expect(try skipped.date(zones: ICalTimeZones(ICalendar())) == Self.utc("2026-03-29T01:30:00Z"))
    }

    @Test(arguments: [
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VCALENDAR\r\n", 5, "END:VCALENDAR where END:VEVENT (begun on line 3) was expected"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\n", 2, "the VEVENT that begins here has no END:VEVENT"),
        ("UID:1\r\n", 1, "UID outside a calendar"),
        ("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 1, "VEVENT outside a calendar"),
        ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 3, "a second calendar"),
        ("BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", 2, "END:VEVENT where END:VCALENDAR"),
        ("BEGIN:VCALENDAR\r\nSUMMARY\r\nEND:VCALENDAR\r\n", 2, "SUMMARY has no \":\" before its value"),
        ("", 1, "no calendar"),
    ])
    func damagedCalendarsAreRefusedNamingTheLine(_ text: String, _ line: Int, _ message: String) {
        #expect {
            try ICalendar.parse(text)
        } throws: { error in
            let error = error as! ContentLineError
            return error.line == line && error.message.contains(message)
        }
    }

    @Test func limitsBoundWhatACalendarMayHold() {
        let deep = "BEGIN:VCALENDAR\r\n" + String(repeating: "BEGIN:X-A\r\n", count: 20) + String(repeating: "END:X-A\r\n", count: 20) + "END:VCALENDAR\r\n"
        #expect(throws: ContentLineError.self) { try ICalendar.parse(deep) }
        let long = "BEGIN:VCALENDAR\r\n" + String(repeating: "X-A:1\r\n", count: 50) + "END:VCALENDAR\r\n"
        #expect(throws: ContentLineError.self) { try ICalendar.parse(long, limits: ICalendarLimits(maxEntries: 20)) }
        #expect(throws: ContentLineError.self) { try ICalendar.parse(long, limits: ICalendarLimits(maxBytes: 100)) }
    }

    @Test(arguments: ["2026120", "20261307", "20261207T25", "20261207T090000X", "2026-12-07"])
    func aMalformedDateTimeIsAPreciseError(_ value: String) {
        #expect {
            try ICalDateTime(ContentLine(name: "DTSTART", value: value))
        } throws: { error in
            "\(error)".contains("DTSTART \"\(value)\" is not a")
        }
    }
}
