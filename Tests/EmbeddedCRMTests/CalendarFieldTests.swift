import CRM
import Foundation
import Testing
@testable import EmbeddedCRM

/// What events and tasks carry for a calendar: attendees, recurrence, privacy, reminders, completion.
@Suite("Embedded CRM: calendar fields of events and tasks")
struct CalendarFieldTests {
    private func event(_ test: TestCRM, _ extra: [String: FieldValue?]) async throws -> CRMRecord {
        var fields: [String: FieldValue?] = ["subject": .text("Review"), "start": .dateTime(Date(timeIntervalSince1970: 1_800_000_000)),
                                             "end": .dateTime(Date(timeIntervalSince1970: 1_800_003_600))]
        fields.merge(extra) { _, new in new }
        return try await test.crm.createRecord(in: .events, RecordDraft(owner: test.alice.id, fields: fields))
    }

    @Test func eventsKeepAttendeesARecurrencePrivacyAndAReminder() async throws {
        let test = try await TestCRM.make()
        let made = try await event(test, ["attendees": .list(["peter@initech.example", "bill@initech.example"]),
                                          "recurrence": .text("FREQ=WEEKLY;BYDAY=MO;COUNT=10"), "private": .bool(true),
                                          "reminderMinutes": .number(15)])
        let read = try #require(try await test.crm.record(made.ref))
        #expect(read.fields["attendees"] == .list(["peter@initech.example", "bill@initech.example"]))
        #expect(read.fields["recurrence"] == .text("FREQ=WEEKLY;BYDAY=MO;COUNT=10") && read.fields["private"] == .bool(true))
        #expect(read.fields["reminderMinutes"] == .number(15))
    }

    @Test(arguments: [
        ("attendees", FieldValue.list(["peter@initech.example", "Bill Lumbergh"]), "\"Bill Lumbergh\" is not an email address"),
        ("recurrence", FieldValue.text("every monday"), "is not a KEY=VALUE part"),
        ("recurrence", FieldValue.text("BYDAY=MO"), "a rule needs FREQ"),
        ("recurrence", FieldValue.text("FREQ=FORTNIGHTLY"), "FREQ must be one of"),
        ("recurrence", FieldValue.text("FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z"), "COUNT or UNTIL, not both"),
        ("recurrence", FieldValue.text("FREQ=DAILY;COUNT=0"), "COUNT must be a number of 1 or more"),
    ])
    func aValueNoCalendarCouldTakeIsRefusedNamingTheField(_ key: String, _ value: FieldValue, _ message: String) async throws {
        let test = try await TestCRM.make()
        await #expect {
            try await event(test, [key: value])
        } throws: { error in
            let error = error as! CRMError
            return error.field == key && error.message.contains(message)
        }
    }

    @Test func tasksKeepWhenTheyWereCompleted() async throws {
        let test = try await TestCRM.make()
        let done = Date(timeIntervalSince1970: 1_800_000_000)
        let task = try await test.crm.createRecord(in: .tasks, RecordDraft(owner: test.alice.id, fields: [
            "subject": .text("Send the quote"), "status": .text("Completed"), "completedAt": .dateTime(done), "private": .bool(false),
        ]))
        #expect(try await test.crm.record(task.ref)?.fields["completedAt"] == .dateTime(done))
    }
}
