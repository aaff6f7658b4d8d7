import CRM
import DAV
import DAVCore
import DAVServerFixtures
import Foundation
import GatewayConfig
import Sync
import Testing
@testable import DAVBridge

/// The calendar bridge between the embedded CRM's events and tasks and a real Radicale
/// 3.9.0 and Xandikos 0.4.10 (scripts/test installs both).
@Suite("Calendar bridge against real DAV servers")
struct CalendarBridgeTests {
    static let day = 86_400.0

    /// A wall-clock time in a zone.
    static func local(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, in zone: String = "Europe/Berlin") -> Date {
        ICalLocalTime(year: year, month: month, day: day, hour: hour, minute: minute).date(in: TimeZone(identifier: zone)!)
    }

    /// The year of the next March (inside the window from any day of the year).
    static var nextMarch: Int {
        let now = ICalLocalTime(Date(), in: ICalTimeZones.utc)
        return now.month >= 3 ? now.year + 1 : now.year
    }

    static func event(_ object: FetchedCalendarObject) -> ICalComponent {
        object.calendar.events.first { $0.first("RECURRENCE-ID") == nil } ?? object.calendar.events[0]
    }

    /// Only the calendar modules, so that counts are the calendar's.
    static func policy(_ change: (inout GatewayConfiguration.Policy) -> Void = { _ in }) -> GatewayConfiguration.Policy {
        var policy = GatewayConfiguration.Policy(contactsSync: "off", leadsSync: "off")
        change(&policy)
        return policy
    }

    @Test(arguments: BridgeFixture.kinds)
    func firstSyncTakesEventsInTheWindowAndOpenTasksTaggedWithCategoryAndColour(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let now = Date()
        let recent = try await f.event("Kick-off", start: now - 44 * Self.day)
        _ = try await f.event("Too old", start: now - 47 * Self.day)
        let ahead = try await f.event("Far ahead", start: now + 399 * Self.day)
        _ = try await f.event("Too far ahead", start: now + 402 * Self.day)
        let open = try await f.task("Call back", due: CalendarDate(year: Self.nextMarch, month: 3, day: 2))
        _ = try await f.task("Done already", status: "Completed", ["completedAt": .dateTime(now)])

        let first = try await f.sync()
        #expect(first.counts["created-remote"] == 3, "\(first.counts)")
        let objects = try await f.objects()
        #expect(objects.count == 3)
        for object in objects {
            let item = object.calendar.events.first ?? object.calendar.todos[0]
            #expect(item.categories == ["Embedded CRM"] && item.text("COLOR") == "darkorange" && item.crmID != nil)
        }
        #expect(Self.event(try await f.object(of: recent.ref)).summary == "Kick-off")
        #expect(Self.event(try await f.object(of: ahead.ref)).summary == "Far ahead")
        let todo = try await f.object(of: open.ref).calendar.todos[0]
        #expect(todo.summary == "Call back" && todo.first("DUE")?.value == "\(Self.nextMarch)0302" && todo.text("STATUS") == "NEEDS-ACTION")

        #expect(try await f.sync().total == 0, "a run with no change writes nothing")
    }

    @Test(arguments: BridgeFixture.kinds)
    func aCRMEventMovedAcrossADaylightSavingChangeKeepsItsWallClockInEveryZone(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let year = Self.nextMarch
        // Europe moves its clocks on the last Sunday of March, the United States on the second.
        let berlin = try await f.event("Berlin", start: Self.local(year, 3, 10, 10, in: "Europe/Berlin"), zone: "Europe/Berlin")
        let newYork = try await f.event("New York", start: Self.local(year, 3, 10, 10, in: "America/New_York"), zone: "America/New_York")
        let allDay = try await f.event("Offsite", start: Self.local(year, 3, 10, in: "UTC"), hours: 24, zone: "UTC", ["allDay": .bool(true)])
        try await f.sync()
        let written = Self.event(try await f.object(of: berlin.ref))
        #expect(written.first("DTSTART")?.value == "\(year)0310T100000" && written.first("DTSTART")?.parameter("TZID") == ["Europe/Berlin"])
        #expect(try await f.object(of: berlin.ref).calendar.timeZones.contains { $0.text("TZID") == "Europe/Berlin" })

        for (record, zone) in [(berlin, "Europe/Berlin"), (newYork, "America/New_York")] {
            _ = try await f.crm.updateRecord(record.ref, RecordDraft(fields: [
                "start": .dateTime(Self.local(year, 4, 3, 10, in: zone)), "end": .dateTime(Self.local(year, 4, 3, 11, 30, in: zone)),
            ]))
        }
        _ = try await f.crm.updateRecord(allDay.ref, RecordDraft(fields: [
            "start": .dateTime(Self.local(year, 4, 3, in: "UTC")), "end": .dateTime(Self.local(year, 4, 5, in: "UTC")),
        ]))
        try await f.expectSync(["updated-remote": 3])
        for (record, zone) in [(berlin, "Europe/Berlin"), (newYork, "America/New_York")] {
            let event = Self.event(try await f.object(of: record.ref))
            #expect(event.first("DTSTART")?.value == "\(year)0403T100000" && event.first("DTSTART")?.parameter("TZID") == [zone])
            #expect(event.first("DTEND")?.value == "\(year)0403T113000")
        }
        let day = Self.event(try await f.object(of: allDay.ref))
        #expect(day.first("DTSTART")?.value == "\(year)0403" && day.first("DTSTART")?.parameter("VALUE") == ["DATE"])
        #expect(day.first("DTEND")?.value == "\(year)0405", "two days: DTEND is the day after the last")
        #expect(try await f.sync().total == 0)
    }

    @Test(arguments: BridgeFixture.kinds)
    func aCalendarEditReachesTheCRMAndIsNotEchoedBack(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded() * 3600 + 7 * Self.day)
        let meeting = try await f.event("Pipeline review", start: start)
        try await f.sync()
        // The user moves it an hour later, written in UTC as some clients do, and adds a place.
        try await f.editObject(meeting.ref) { object in
            let index = object.root.components.firstIndex { $0.name == "VEVENT" }!
            object.root.components[index].setDateTime("DTSTART", .utc(start + 3600))
            object.root.components[index].setDateTime("DTEND", .utc(start + 7200))
            object.root.components[index].setText("LOCATION", "Room 4, 2nd floor")
            object.root.components[index].setText("SUMMARY", "Pipeline review (moved)")
        }
        try await f.expectSync(["updated-crm": 1])
        let record = try #require(try await f.crm.record(meeting.ref))
        #expect(record.fields["start"] == .dateTime(start + 3600) && record.fields["end"] == .dateTime(start + 7200))
        #expect(record.fields["location"] == .text("Room 4, 2nd floor") && record.fields["subject"] == .text("Pipeline review (moved)"))
        #expect(try await f.sync().total == 0, "the CRM's update is not written back")
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func whenBothSidesChangedTheNewerChangeOrThePolicysSideWins(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let meeting = try await f.event("Budget", start: Date() + Self.day)
        try await f.sync()
        _ = try await f.crm.updateRecord(meeting.ref, RecordDraft(fields: ["subject": .text("Budget (CRM)")]))
        try await f.editObject(meeting.ref) { $0.root.components[$0.root.components.count - 1].setText("SUMMARY", "Budget (calendar)") }
        try await f.expectSync(["updated-crm": 1, "conflicts": 1], "the calendar's LAST-MODIFIED is the newer")
        #expect(try await f.crm.record(meeting.ref)?.fields["subject"] == .text("Budget (calendar)"))

        try f.reconfigure(Self.policy { $0.conflict = "crm" })
        try await f.sync()
        _ = try await f.crm.updateRecord(meeting.ref, RecordDraft(fields: ["subject": .text("Budget (CRM again)")]))
        try await f.editObject(meeting.ref) { $0.root.components[$0.root.components.count - 1].setText("SUMMARY", "Budget (calendar again)") }
        try await f.expectSync(["updated-remote": 1, "conflicts": 1])
        #expect(Self.event(try await f.object(of: meeting.ref)).summary == "Budget (CRM again)")
    }

    @Test(arguments: BridgeFixture.kinds)
    func aWeeklySeriesMadeInTheCalendarBecomesOneCRMEventPerOccurrence(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        try await f.sync()
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let first = ICalLocalTime(Date() + 7 * Self.day, in: zone)
        func week(_ n: Int, _ hour: Int) -> ICalLocalTime {
            ICalLocalTime(Date(timeIntervalSince1970: ICalLocalTime(year: first.year, month: first.month, day: first.day, hour: 12).date(in: zone)
                .timeIntervalSince1970 + Double(n - 1) * 7 * Self.day), in: zone).with(hour: hour)
        }
        let vtimezone = ICalComponent.timeZone(zone, covering: Date()...(Date() + 60 * Self.day))
        var object = ICalendar()
        object.root.components = [vtimezone,
            ICalComponent("VEVENT", properties: [
                ContentLine(name: "UID", value: "weekly-1"), ContentLine(name: "DTSTAMP", value: "20261201T120000Z"),
                ContentLine(name: "DTSTART", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(1, 9).text),
                ContentLine(name: "DTEND", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(1, 10).text),
                ContentLine(name: "RRULE", value: "FREQ=WEEKLY;COUNT=5"),
                ContentLine(name: "EXDATE", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(4, 9).text),
                ContentLine(name: "SUMMARY", value: "Weekly sync"), ContentLine(name: "CATEGORIES", value: "Embedded CRM"),
            ]),
            ICalComponent("VEVENT", properties: [
                ContentLine(name: "UID", value: "weekly-1"), ContentLine(name: "DTSTAMP", value: "20261201T120000Z"),
                ContentLine(name: "RECURRENCE-ID", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(2, 9).text),
                ContentLine(name: "DTSTART", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(2, 11).text),
                ContentLine(name: "DTEND", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(2, 12).text),
                ContentLine(name: "SUMMARY", value: "Weekly sync (moved)"),
            ]),
        ]
        let href = try await f.calendarClient.create(object, named: "weekly-1", in: try await f.calendar()).href
        try await f.expectSync(["created-crm": 4], "weeks 1, 2 (moved), 3 and 5; week 4 is cancelled")
        func events() async throws -> [(subject: String, start: Date)] {
            try await f.crm.activeRecords(in: .events, visibleTo: f.alice.id).map { ($0.fields["subject"]?.text ?? "", $0.fields["start"]?.dateTime ?? .distantPast) }
                .sorted { $0.start < $1.start }
        }
        var found = try await events()
        #expect(found.map(\.start) == [week(1, 9), week(2, 11), week(3, 9), week(5, 9)].map { $0.date(in: zone) })
        #expect(found.map(\.subject) == ["Weekly sync", "Weekly sync (moved)", "Weekly sync", "Weekly sync"])
        #expect(try await f.sync().total == 0, "no duplicates, no echo")

        // The user cancels week 3 and moves week 5 an hour later.
        let fetched = try #require(try await f.objects().first { $0.href == href })
        try await f.editObject(fetched) { object in
            let master = object.root.components.firstIndex { $0.name == "VEVENT" && $0.first("RRULE") != nil }!
            object.root.components[master].properties.append(
                ContentLine(name: "EXDATE", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])], value: week(3, 9).text))
            var moved = object.root.components[master]
            moved.replace("RRULE", with: [])
            moved.replace("EXDATE", with: [])
            moved.setDateTime("RECURRENCE-ID", .local(week(5, 9), tzid: "Europe/Berlin"))
            moved.setDateTime("DTSTART", .local(week(5, 10), tzid: "Europe/Berlin"))
            moved.setDateTime("DTEND", .local(week(5, 11), tzid: "Europe/Berlin"))
            object.root.components.append(moved)
        }
        try await f.expectSync(["deleted-crm": 1, "updated-crm": 1])
        found = try await events()
        #expect(found.map(\.start) == [week(1, 9), week(2, 11), week(5, 10)].map { $0.date(in: zone) })

        // The CRM renames week 1's event: the calendar gets an override for that occurrence only.
        let firstEvent = try #require(try await f.crm.activeRecords(in: .events, visibleTo: f.alice.id)
            .first { $0.fields["start"]?.dateTime == week(1, 9).date(in: zone) })
        _ = try await f.crm.updateRecord(firstEvent.ref, RecordDraft(fields: ["subject": .text("Weekly sync: planning")]))
        try await f.expectSync(["updated-remote": 1])
        let series = try #require(try await f.objects().first { $0.href == href }).calendar
        let override = series.events.first { $0.first("RECURRENCE-ID")?.value == week(1, 9).text }
        #expect(override?.summary == "Weekly sync: planning" && override?.first("DTSTART")?.value == week(1, 9).text)
        #expect(series.events.first { $0.first("RRULE") != nil }?.summary == "Weekly sync", "the series keeps its name")
        #expect(try await f.sync().total == 0)
    }

    @Test(arguments: BridgeFixture.kinds)
    func taskCompletionFollowsTheDefaultAndTheOptionalRule(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let crmDone = try await f.task("Send the quote")
        let calendarDone = try await f.task("Book the venue")
        try await f.sync()
        _ = try await f.crm.updateRecord(crmDone.ref, RecordDraft(fields: ["status": .text("Completed"), "completedAt": .dateTime(Date())]))
        try await f.sync()
        #expect(try await f.object(of: crmDone.ref).calendar.todos[0].text("STATUS") == "NEEDS-ACTION",
                "by default a completion in the CRM stays out of the calendar")
        try await f.editObject(calendarDone.ref) { object in
            object.root.components[0].setText("STATUS", "COMPLETED")
            object.root.components[0].setDateTime("COMPLETED", .utc(Date(timeIntervalSince1970: 1_800_000_000)))
        }
        try await f.expectSync(["updated-crm": 1])
        let record = try #require(try await f.crm.record(calendarDone.ref))
        #expect(record.fields["status"] == .text("Completed") && record.fields["completedAt"] == .dateTime(Date(timeIntervalSince1970: 1_800_000_000)))
        // A later edit in the calendar does not undo the CRM's completion.
        try await f.editObject(crmDone.ref) { $0.root.components[0].setText("DESCRIPTION", "Sent by post") }
        try await f.expectSync(["updated-crm": 1])
        #expect(try await f.crm.record(crmDone.ref)?.fields["status"] == .text("Completed"))

        // With task_completion_to_dav the CRM's completion reaches the calendar.
        let pushed = try await f.task("Renew the contract")
        try f.reconfigure(Self.policy { $0.taskCompletionToDAV = true })
        try await f.sync()
        _ = try await f.crm.updateRecord(pushed.ref, RecordDraft(fields: ["status": .text("Completed"), "completedAt": .dateTime(Date())]))
        try await f.expectSync(["updated-remote": 1])
        let todo = try await f.object(of: pushed.ref).calendar.todos[0]
        #expect(todo.text("STATUS") == "COMPLETED" && todo.text("PERCENT-COMPLETE") == "100" && todo.first("COMPLETED") != nil)
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func aNewCalendarEventNeedsTheCategoryAndIsRelatedToTheContactItInvites(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let peter = try await f.contact("Peter", "Gibbons")
        try await f.sync()
        let start = ICalLocalTime(Date() + 3 * Self.day, in: ICalTimeZones.utc).text + "Z"
        let end = ICalLocalTime(Date() + 3 * Self.day + 3600, in: ICalTimeZones.utc).text + "Z"
        func object(_ uid: String, categories: String?) -> String {
            """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\nUID:\(uid)\r\n\
            DTSTAMP:20261201T120000Z\r\nDTSTART:\(start)\r\nDTEND:\(end)\r\nSUMMARY:Lunch \(uid)\r\n\
            ORGANIZER;CN=Alice:mailto:alice@example.com\r\nATTENDEE;CN=Peter:mailto:peter@gibbons.example\r\n\
            \(categories.map { "CATEGORIES:\($0)\r\n" } ?? "")END:VEVENT\r\nEND:VCALENDAR\r\n
            """
        }
        try await f.putObject(object("private-lunch", categories: nil), named: "private-lunch")
        try await f.putObject(object("crm-lunch", categories: "Work,Embedded CRM"), named: "crm-lunch")
        try await f.expectSync(["created-crm": 1], "only the one in the category")
        let event = try #require(try await f.crm.activeRecords(in: .events, visibleTo: f.alice.id).first)
        #expect(event.fields["subject"] == .text("Lunch crm-lunch") && event.fields["related"] == .reference(peter.ref))
        #expect(event.fields["attendees"] == .list(["peter@gibbons.example"]))
        let written = try await f.object(of: event.ref).calendar.events[0]
        #expect(written.crmID == event.ref.description, "the event learns its record's id")
        #expect(try await f.sync().total == 0)

        // calendar_require_category = false takes every new event.
        try f.reconfigure(Self.policy { $0.calendarRequireCategory = false })
        try await f.putObject(object("team-lunch", categories: nil), named: "team-lunch")
        let counts = try await f.sync().counts
        #expect(counts["created-crm"] == 1, "\(counts): the new one; those there before the settings changed stay out")
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func deletesFollowRivasRulesAndTheCancelOption(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let start = Date() + 2 * Self.day
        let dropped = try await f.event("Dropped by the CRM", start: start)
        let userDeleted = try await f.event("Deleted by the user", start: start)
        try await f.sync()
        try await f.crm.deleteRecord(dropped.ref)
        try await f.expectSync(["deleted-remote": 1])
        let userObject = try await f.object(of: userDeleted.ref)
        try await f.calendarClient.delete(userObject.href, etag: userObject.etag)
        try await f.expectSync(["deleted-by-user": 1])
        _ = try await f.crm.updateRecord(userDeleted.ref, RecordDraft(fields: ["location": .text("Room 1")]))
        #expect(try await f.sync().total == 0, "an event the user deleted is not made again")
        #expect(try await f.objects().isEmpty)
        #expect(try await f.crm.record(userDeleted.ref) != nil, "and its CRM event stays")

        // crm_deleted_events = "cancel" keeps the event, marked cancelled and no longer the CRM's.
        try f.reconfigure(Self.policy { $0.crmDeletedEvents = "cancel" })
        let cancelled = try await f.event("Cancelled", start: start)
        try await f.sync()
        let href = try await f.object(of: cancelled.ref).href
        try await f.crm.deleteRecord(cancelled.ref)
        try await f.expectSync(["deleted-remote": 1])
        let kept = try #require(try await f.objects().first { $0.href == href }).calendar.events[0]
        #expect(kept.text("STATUS") == "CANCELLED" && kept.crmID == nil && kept.summary == "Cancelled")
        #expect(try await f.sync().total == 0, "a cancelled event does not come back to the CRM")
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func privateItemsSyncAsPrivateOrAreSkipped(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let secret = try await f.event("Doctor", start: Date() + Self.day, ["private": .bool(true)])
        try await f.sync()
        #expect(Self.event(try await f.object(of: secret.ref)).text("CLASS") == "PRIVATE")
        try f.reconfigure(Self.policy { $0.privateItems = "skip" })
        try await f.expectSync(["full-reconcile": 2, "deleted-remote": 1], "skipped: it leaves the calendar")
        _ = try await f.event("Dentist", start: Date() + Self.day, ["private": .bool(true)])
        #expect(try await f.sync().total == 0)
        #expect(try await f.objects().isEmpty)
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func theUsersOwnCalendarIsUsedWhenThePolicySaysSoAndOneThatTakesNoTasksIsNamed(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy { $0.defaultCalendar = true; $0.tasksSync = "off" })
        let client = try f.calendarClient
        _ = try await client.createCalendar(named: "Personal", components: ["VEVENT"], in: try await client.calendarHome())
        _ = try await f.event("Kick-off", start: Date() + Self.day)
        try await f.expectSync(["created-remote": 1])
        #expect(try await f.objects("Personal").count == 1)

        try f.reconfigure(Self.policy { $0.calendar = "Personal"; $0.taskList = "Personal" })
        let outcomes = await f.bridge.round(only: nil, dryRun: false)
        let failure = outcomes.first { $0.scope.module == "tasks" }?.error ?? ""
        #expect(failure.contains("\"Personal\" of alice@example.com does not take tasks (VTODO)"), "\(failure)")
        #expect(outcomes.first { $0.scope.module == "events" }?.error == nil)
    }

    @Test(arguments: BridgeFixture.kinds.prefix(1))
    func aCalendarTheUserDeletedIsMadeAgainWithEveryEventAndTask(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        for n in 1...3 { _ = try await f.event("Meeting \(n)", start: Date() + Double(n) * Self.day) }
        _ = try await f.task("Follow up")
        try await f.sync()
        let gone = try await f.calendarClient.transport.send("DELETE", try await f.calendar())
        #expect((200..<300).contains(gone.status))
        _ = await f.bridge.round(only: "alice@example.com", dryRun: false)  // meets the missing calendar, forgets where it was
        try await f.expectSync(["created-remote": 4], "events and tasks start over together in the new calendar")
        #expect(try await f.objects().count == 4)
        try await f.expectSync([:])
    }

    @Test(arguments: BridgeFixture.kinds)
    func commasSemicolonsNewlinesAndNonASCIIRoundTripExactly(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        let subject = "Review: Q1, Q2; budget \\ plan — Grüße aus Köln, 東京"
        let location = "Rue de l'Église 3; 2nd floor, room \"B\""
        let description = "Agenda:\n1. Numbers, again; \\ and /\n2. Ça va? ✓"
        let meeting = try await f.event(subject, start: Date() + Self.day, ["location": .text(location), "description": .text(description)])
        try await f.sync()
        let written = Self.event(try await f.object(of: meeting.ref))
        #expect(written.summary == subject && written.text("LOCATION") == location && written.text("DESCRIPTION") == description)

        let edited = "Minutes, part 2; decided:\n– ship it\n– tell Zoë"
        try await f.editObject(meeting.ref) { object in object.root.components[object.root.components.count - 1].setText("DESCRIPTION", edited) }
        try await f.expectSync(["updated-crm": 1])
        let record = try #require(try await f.crm.record(meeting.ref))
        #expect(record.fields["description"] == .text(edited) && record.fields["subject"] == .text(subject) && record.fields["location"] == .text(location))
        #expect(try await f.sync().total == 0)
    }

    @Test(arguments: BridgeFixture.kinds)
    func lostStateIsRebuiltFromTheIDsTheItemsCarryWithoutDuplicates(_ kind: DAVTestServer.Kind) async throws {
        let f = try await BridgeFixture(kind, policy: Self.policy())
        _ = try await f.event("Kick-off", start: Date() + Self.day)
        _ = try await f.task("Follow up")
        try await f.sync()
        for module in ["events", "tasks"] {
            try await f.state.reset(SyncScope(user: "alice@example.com", policy: f.policy.name, module: module))
        }
        let counts = try await f.sync().counts
        #expect(counts["relinked"] == 2 && counts["created-remote"] == nil, "\(counts)")
        #expect(try await f.objects().count == 2)
        #expect(try await f.sync().total == 0)
    }
}

extension ICalLocalTime {
    func with(hour: Int) -> ICalLocalTime { ICalLocalTime(year: year, month: month, day: day, hour: hour) }
}
