import CRM
import DAVCore
import DAVServerFixtures
import Foundation
import Testing
@testable import DAVBridge

@Suite("Calendar fields: what the CRM owns on events and tasks")
struct CalendarFieldsTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func event(_ fields: [String: FieldValue]) -> CRMRecord {
        CRMRecord(ref: RecordRef(.events, RecordID("7")), owner: CRMUserID("1"), fields: fields, createdAt: Date(), modifiedAt: Date())
    }

    /// Written as a new object, read back from its text.
    static func roundTrip(_ fields: EventFields) throws -> (EventFields, ICalendar) {
        let object = EventFields.newObject(uid: "crmgate-events-7", crmID: "events/7", fields: fields, category: "CRM", color: "#1E90FF")
        let read = try ICalendar.parse(object.text)
        return (try EventFields(event: read.events[0], zones: ICalTimeZones(read)), read)
    }

    @Test(arguments: [
        ("Europe/Berlin", "2026-03-29T08:00:00Z"),      // the morning after clocks went forward
        ("Europe/Berlin", "2026-10-25T00:30:00Z"),      // within the hour that repeats
        ("America/New_York", "2026-11-01T14:00:00Z"),   // the day New York falls back
        ("Asia/Kolkata", "2026-12-07T04:30:00Z"),
    ])
    func aZonedEventSurvivesTheTripAcrossDaylightSavingChanges(_ zone: String, _ start: String) throws {
        let record = Self.event(["subject": .text("Review, Q4; budget"), "start": .dateTime(Self.utc(start)),
                                 "end": .dateTime(Self.utc(start).addingTimeInterval(5400)), "timeZone": .text(zone),
                                 "location": .text("Room 4, Building B"), "attendees": .list(["Peter@Initech.example"]),
                                 "private": .bool(true), "reminderMinutes": .number(15), "recurrence": .text("FREQ=WEEKLY;COUNT=4")])
        let fields = EventFields(record: record)
        let (back, object) = try Self.roundTrip(fields)
        #expect(back == fields)
        #expect(back.hash == fields.hash)
        let event = object.events[0]
        #expect(event.first("DTSTART")?.parameter("TZID") == [zone] && object.timeZones.first?.text("TZID") == zone)
        #expect(event.first("ATTENDEE")?.parameter("SCHEDULE-AGENT") == ["NONE"], "no invitations for a CRM record")
        #expect(event.categories == ["CRM"] && event.text("COLOR") == "#1E90FF" && event.text("X-CRMGATE-ID") == "events/7")
        #expect(event.text("CLASS") == "PRIVATE" && event.first("RRULE")?.value == "FREQ=WEEKLY;COUNT=4")
    }

    @Test func anEventWithoutAZoneIsWrittenInUTCWithoutAVTIMEZONE() throws {
        let record = Self.event(["subject": .text("Call"), "start": .dateTime(Self.utc("2026-12-09T15:00:00Z")),
                                 "end": .dateTime(Self.utc("2026-12-09T15:30:00Z"))])
        let fields = EventFields(record: record)
        let (back, object) = try Self.roundTrip(fields)
        #expect(object.events[0].first("DTSTART")?.unfolded == "DTSTART:20261209T150000Z" && object.timeZones.isEmpty)
        #expect(back == fields)
    }

    @Test func anAllDayEventIsWrittenAsDatesWithAnExclusiveEnd() throws {
        let record = Self.event(["subject": .text("Trade fair"), "start": .dateTime(Self.utc("2026-12-08T23:00:00Z")),
                                 "end": .dateTime(Self.utc("2026-12-10T23:00:00Z")), "allDay": .bool(true), "timeZone": .text("Europe/Berlin")])
        let fields = EventFields(record: record)
        let (back, object) = try Self.roundTrip(fields)
        #expect(object.events[0].first("DTSTART")?.unfolded == "DTSTART;VALUE=DATE:20261209")
        #expect(object.events[0].first("DTEND")?.unfolded == "DTEND;VALUE=DATE:20261211")
        #expect(back == fields && back.allDay)
    }

    @Test func patchingChangesOnlyWhatChangedAndKeepsTheUsersOwnLines() throws {
        let exchange = try ICalendar.parse(ICalendarCorpus.outlook)
        var event = exchange.events[0]
        let old = try EventFields(event: event, zones: ICalTimeZones(exchange))
        #expect(old.start == Self.utc("2026-12-07T08:00:00Z") && old.attendees == ["peter@initech.example", "bill@initech.example"])
        #expect(old.isPrivate && old.reminderMinutes == 15 && old.subject == "TPS review")
        var new = old
        new.location = "Conference room 3"
        new.attendees = ["peter@initech.example", "milton@initech.example"]
        new.patch(into: &event, over: old, crmID: "events/9", category: "CRM", color: nil)
        #expect(event.text("LOCATION") == "Conference room 3")
        #expect(event.first("LOCATION")?.parameter("LANGUAGE") == ["en-US"], "the line keeps its parameters")
        #expect(event.all("ATTENDEE")[0] == exchange.events[0].all("ATTENDEE")[0], "an attendee who stays keeps their line")
        #expect(event.all("ATTENDEE")[1].value == "mailto:milton@initech.example")
        #expect(event.first("DTSTART") == exchange.events[0].first("DTSTART"), "unchanged times are not rewritten")
        #expect(event.text("X-MICROSOFT-CDO-BUSYSTATUS") == "BUSY" && event.components("VALARM").count == 1)
        var again = exchange
        again.root.components[again.root.components.firstIndex { $0.name == "VEVENT" }!] = event
        #expect(try EventFields(event: try ICalendar.parse(again.text).events[0], zones: ICalTimeZones(again)) == new)
    }

    @Test func theHashChangesWithTheCRMsFieldsOnly() throws {
        let exchange = try ICalendar.parse(ICalendarCorpus.outlook)
        let zones = ICalTimeZones(exchange)
        var event = exchange.events[0]
        let before = try EventFields(event: event, zones: zones).hash
        event.setText("X-MICROSOFT-CDO-IMPORTANCE", "2")
        event.setText("TRANSP", "TRANSPARENT")
        #expect(try EventFields(event: event, zones: zones).hash == before)
        event.setDateTime("DTSTART", .utc(Self.utc("2026-12-07T09:00:00Z")))
        #expect(try EventFields(event: event, zones: zones).hash != before)
    }

    @Test func taskCompletionFollowsRivasDefaultAndItsOption() throws {
        let open = CRMRecord(ref: RecordRef(.tasks, RecordID("3")), owner: nil, fields: [
            "subject": .text("Send the quote"), "status": .text("Not Started"), "priority": .text("High"),
            "dueDate": .date(CalendarDate(year: 2026, month: 12, day: 10)!),
        ], createdAt: Date(), modifiedAt: Date())
        let fields = TaskFields(record: open)
        var todo = ICalComponent("VTODO", properties: [ContentLine(name: "UID", value: "crmgate-tasks-3")])
        fields.patch(into: &todo, over: nil, crmID: "tasks/3", category: "CRM", color: nil, pushCompletion: false)
        #expect(todo.text("STATUS") == "NEEDS-ACTION" && todo.text("PRIORITY") == "1" && todo.first("DUE")?.unfolded == "DUE;VALUE=DATE:20261210")

        var done = fields
        done.status = "Completed"
        done.completedAt = Self.utc("2026-12-09T15:00:00Z")
        var untouched = todo
        done.patch(into: &untouched, over: fields, crmID: "tasks/3", category: "CRM", color: nil, pushCompletion: false)
        #expect(untouched.text("STATUS") == "NEEDS-ACTION", "by default the CRM's completion is not pushed to the calendar")
        var pushed = todo
        done.patch(into: &pushed, over: fields, crmID: "tasks/3", category: "CRM", color: nil, pushCompletion: true)
        #expect(pushed.text("STATUS") == "COMPLETED" && pushed.text("PERCENT-COMPLETE") == "100")
        #expect(try pushed.dateTime("COMPLETED") == .utc(Self.utc("2026-12-09T15:00:00Z")))

        // Completed in the calendar: the CRM takes it.
        let read = try TaskFields(todo: pushed, zones: ICalTimeZones(ICalendar()))
        #expect(read.status == "Completed" && read.completedAt == Self.utc("2026-12-09T15:00:00Z") && read.priority == "High")
        #expect(read.recordFields["status"] == .some(.text("Completed")))
    }

    @Test(arguments: [("-PT15M", -900.0), ("-P0DT0H10M0S", -600.0), ("P1D", 86_400.0), ("PT1H30M", 5_400.0), ("P1W", 604_800.0)])
    func durationsAreRead(_ text: String, _ seconds: Double) {
        #expect(EventFields.seconds(text) == seconds)
    }
}
