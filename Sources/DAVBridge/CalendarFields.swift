import CRM
import DAVCore
import Foundation

/// The fields of a CRM event that the CRM owns on a VEVENT: subject, time (zoned or all
/// day), location, description, attendees, privacy, recurrence and reminder. Everything
/// else on the event (the user's own alarms, conference links, X- properties, other
/// components of the object) is left as it is.
///
/// Times are compared as instants (or dates, all day), so an event written in another
/// zone's wall clock, or with a Windows zone name by Exchange, is the same event.
struct EventFields: Hashable {
    var subject = ""
    /// The start and end instants; for an all-day event, midnight UTC of its first day and
    /// of the day after its last (DTEND is exclusive).
    var start = Date(timeIntervalSince1970: 0)
    var end = Date(timeIntervalSince1970: 0)
    var allDay = false
    /// The zone the wall-clock times are written in (the record's `timeZone`).
    var timeZone = ICalTimeZones.utc
    var location = ""
    var description = ""
    /// Lower-cased, in order.
    var attendees: [String] = []
    var isPrivate = false
    /// An RRULE as written (a series the CRM made), empty for a single event.
    var recurrence = ""
    /// Minutes before the start, nil for none.
    var reminderMinutes: Int?
    /// The organizer's address (read from the calendar, never written: the CRM has none).
    var organizer = ""

    init() {}

    /// A record's fields (the embedded CRM's events module).
    init(record: CRMRecord) {
        func text(_ key: String) -> String { record.fields[key]?.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        subject = text("subject")
        timeZone = ICalTimeZones.systemZone(text("timeZone")) ?? ICalTimeZones.utc
        allDay = record.fields["allDay"]?.bool ?? false
        start = record.fields["start"]?.dateTime ?? Date(timeIntervalSince1970: 0)
        end = record.fields["end"]?.dateTime ?? start
        if allDay {
            // Whole days have no zone: kept as midnights UTC, as a calendar's DATE values are read.
            start = Self.midnightUTC(of: start, in: timeZone)
            end = max(Self.midnightUTC(of: end, in: timeZone), start.addingTimeInterval(86_400))
            timeZone = ICalTimeZones.utc
        }
        location = text("location")
        description = text("description")
        attendees = (record.fields["attendees"]?.list ?? []).map { $0.lowercased() }
        isPrivate = record.fields["private"]?.bool ?? false
        recurrence = text("recurrence")
        reminderMinutes = record.fields["reminderMinutes"]?.number.map { NSDecimalNumber(decimal: $0).intValue }
    }

    /// An event's fields, its TZIDs resolved by the calendar's `zones`.
    init(event: ICalComponent, zones: ICalTimeZones) throws(ContentLineError) {
        subject = event.summary?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard let dtstart = try event.dateTime("DTSTART") else {
            throw ContentLineError(line: 0, "the event \(event.uid ?? "") has no DTSTART")
        }
        allDay = dtstart.isAllDay
        if case .local(_, let tzid?) = dtstart, case .system(let zone)? = zones.zone(tzid) { timeZone = zone }
        start = try dtstart.date(zones: zones)
        if let dtend = try event.dateTime("DTEND") {
            end = try dtend.date(zones: zones)
        } else if let duration = event.text("DURATION").flatMap(Self.seconds) {
            end = start.addingTimeInterval(duration)
        } else {
            end = allDay ? start.addingTimeInterval(86_400) : start
        }
        location = event.text("LOCATION")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        description = event.text("DESCRIPTION")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        attendees = event.all("ATTENDEE").compactMap(Self.address)
        organizer = event.first("ORGANIZER").flatMap(Self.address) ?? ""
        isPrivate = ["PRIVATE", "CONFIDENTIAL"].contains(event.text("CLASS")?.uppercased() ?? "")
        recurrence = event.first("RRULE")?.value ?? ""
        reminderMinutes = event.components("VALARM").lazy.compactMap { $0.text("TRIGGER").flatMap(Self.seconds) }.first
            .map { Int(-$0 / 60) }
    }

    /// SHA-256 of the fields, hex: what "the event changed" means to the CRM.
    var hash: String {
        let parts = [subject, String(start.timeIntervalSince1970), String(end.timeIntervalSince1970), allDay ? "day" : "time",
                     location, description, attendees.joined(separator: "\u{1}"), isPrivate ? "private" : "",
                     recurrence, reminderMinutes.map(String.init) ?? ""]
        return digest(parts)
    }

    /// The record fields these stand for.
    var recordFields: [String: FieldValue?] {
        func value(_ text: String) -> FieldValue? { text.isEmpty ? nil : .text(text) }
        return ["subject": .text(subject.isEmpty ? "(no subject)" : subject), "start": .dateTime(start), "end": .dateTime(end),
                "allDay": .bool(allDay), "timeZone": .text(timeZone.identifier), "location": value(location),
                "description": value(description), "attendees": attendees.isEmpty ? nil : .list(attendees),
                "private": .bool(isPrivate), "recurrence": value(recurrence),
                "reminderMinutes": reminderMinutes.map { .number(Decimal($0)) }]
    }

    // MARK: - Writing into an event

    /// A new calendar object for a record: the event with its CRM id, category and colour,
    /// a stable UID, and a VTIMEZONE for its zone.
    static func newObject(uid: String, crmID: String, fields: EventFields, category: String, color: String?) -> ICalendar {
        var calendar = ICalendar()
        var event = ICalComponent("VEVENT", properties: [ContentLine(name: "UID", value: TextValue.escape(uid))])
        fields.patch(into: &event, over: nil, crmID: crmID, category: category, color: color)
        calendar.root.components = [event]
        fields.addTimeZone(to: &calendar)
        return calendar
    }

    /// Writes these fields into `event` where they differ from `old` (what it said; nil for
    /// a new one), keeping the parameters of the lines it changes and every other line.
    func patch(into event: inout ICalComponent, over old: EventFields?, crmID: String, category: String, color: String?) {
        if subject != old?.subject { event.setText("SUMMARY", subject) }
        if start != old?.start || end != old?.end || allDay != old?.allDay || timeZone != old?.timeZone {
            event.setDateTime("DTSTART", allDay ? .date(ICalLocalTime(start, in: ICalTimeZones.utc)) : .zoned(start, in: timeZone))
            event.setDateTime("DTEND", allDay ? .date(ICalLocalTime(end, in: ICalTimeZones.utc)) : .zoned(end, in: timeZone))
            event.replace("DURATION", with: [])
        }
        if location != old?.location { event.setText("LOCATION", location.isEmpty ? nil : location) }
        if description != old?.description { event.setText("DESCRIPTION", description.isEmpty ? nil : description) }
        if attendees != old?.attendees {
            let existing = event.all("ATTENDEE")
            // SCHEDULE-AGENT=NONE (RFC 6638 §7.1): the server must not send invitations for a CRM record.
            event.replace("ATTENDEE", with: attendees.map { address in
                existing.first { Self.address($0) == address }
                    ?? ContentLine(name: "ATTENDEE", parameters: [.init(name: "SCHEDULE-AGENT", values: ["NONE"])], value: "mailto:" + address)
            })
        }
        if isPrivate != old?.isPrivate { event.setText("CLASS", isPrivate ? "PRIVATE" : nil) }
        if recurrence != old?.recurrence {
            event.replace("RRULE", with: recurrence.isEmpty ? [] : [ContentLine(name: "RRULE", value: recurrence)])
        }
        if reminderMinutes != old?.reminderMinutes { event.setCRMAlarm(minutesBefore: reminderMinutes, of: "START", text: subject) }
        event.tag(category: category, crmID: crmID)
        if let color, event.text("COLOR") == nil { event.setText("COLOR", color) }
    }

    /// Adds a VTIMEZONE for the event's zone when the calendar has none for it.
    func addTimeZone(to calendar: inout ICalendar) {
        guard !allDay, !ICalTimeZones.isUTC(timeZone), !calendar.timeZones.contains(where: { $0.text("TZID") == timeZone.identifier }) else { return }
        // The span the event's times fall in (a series: two years of it): a small VTIMEZONE
        // is read faster by servers and clients alike.
        let range = start.addingTimeInterval(-86_400)...(recurrence.isEmpty ? end : start.addingTimeInterval(86_400 * 731)).addingTimeInterval(86_400)
        calendar.root.components.insert(ICalComponent.timeZone(timeZone, covering: range), at: 0)
    }

    // MARK: - Values

    /// The address of an ATTENDEE or ORGANIZER (`mailto:`), lower-cased.
    static func address(_ line: ContentLine) -> String? {
        let value = TextValue.unescape(line.value).trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("mailto:") else { return nil }
        return String(value.dropFirst(7)).lowercased()
    }

    /// A DURATION (`PT1H30M`, `-P0DT0H10M0S`, `P1D`, `-PT15M`) in seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        var rest = Substring(text.uppercased())
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest.removeFirst() } else if rest.hasPrefix("+") { rest.removeFirst() }
        guard rest.hasPrefix("P") else { return nil }
        rest.removeFirst()
        var total = 0.0
        var number = ""
        for character in rest {
            switch character {
            case "0"..."9": number.append(character)
            case "T": continue
            case "W", "D", "H", "M", "S":
                guard let value = Double(number) else { return nil }
                total += value * ["W": 604_800, "D": 86_400, "H": 3_600, "M": 60, "S": 1][String(character)]!
                number = ""
            default: return nil
            }
        }
        return number.isEmpty ? sign * total : nil
    }

    /// Midnight UTC of the calendar day `date` falls on in `zone` (how all-day days are kept).
    static func midnightUTC(of date: Date, in zone: TimeZone) -> Date {
        let local = ICalLocalTime(date, in: zone)
        return ICalLocalTime(year: local.year, month: local.month, day: local.day).date(in: ICalTimeZones.utc)
    }
}

/// The fields of a CRM task that the CRM owns on a VTODO: subject, due date, status,
/// completion, priority, description, privacy and reminder.
struct TaskFields: Hashable {
    var subject = ""
    /// The due day, if any.
    var due: ICalLocalTime?
    /// The CRM's status: Not Started, In Progress, Waiting, Completed.
    var status = "Not Started"
    var completedAt: Date?
    /// Low, Normal, High, or empty.
    var priority = ""
    var description = ""
    var isPrivate = false
    var reminderMinutes: Int?

    init() {}

    init(record: CRMRecord) {
        func text(_ key: String) -> String { record.fields[key]?.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        subject = text("subject")
        due = record.fields["dueDate"]?.date.map { ICalLocalTime(year: $0.year, month: $0.month, day: $0.day) }
        status = text("status").isEmpty ? "Not Started" : text("status")
        completedAt = record.fields["completedAt"]?.dateTime
        priority = text("priority")
        description = text("description")
        isPrivate = record.fields["private"]?.bool ?? false
        reminderMinutes = record.fields["reminderMinutes"]?.number.map { NSDecimalNumber(decimal: $0).intValue }
    }

    init(todo: ICalComponent, zones: ICalTimeZones) throws(ContentLineError) {
        subject = todo.summary?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if let value = try todo.dateTime("DUE") {
            switch value {
            case .date(let day): due = day
            default: due = ICalLocalTime(try value.date(zones: zones), in: ICalTimeZones.utc)
            }
            due = due.map { ICalLocalTime(year: $0.year, month: $0.month, day: $0.day) }
        }
        switch todo.text("STATUS")?.uppercased() {
        case "COMPLETED": status = "Completed"
        case "IN-PROCESS": status = "In Progress"
        default: status = todo.text("PERCENT-COMPLETE").flatMap(Int.init).map { $0 > 0 ? "In Progress" : "Not Started" } ?? "Not Started"
        }
        completedAt = try todo.dateTime("COMPLETED")?.date(zones: zones)
        if status == "Completed", completedAt == nil { completedAt = Date(timeIntervalSince1970: 0) }
        switch Int(todo.text("PRIORITY") ?? "") ?? 0 {
        case 1...4: priority = "High"
        case 5: priority = "Normal"
        case 6...9: priority = "Low"
        default: priority = ""
        }
        description = todo.text("DESCRIPTION")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        isPrivate = ["PRIVATE", "CONFIDENTIAL"].contains(todo.text("CLASS")?.uppercased() ?? "")
        reminderMinutes = todo.components("VALARM").lazy.compactMap { $0.text("TRIGGER").flatMap(EventFields.seconds) }.first
            .map { Int(-$0 / 60) }
    }

    var hash: String {
        let parts = [subject, due?.dateText ?? "", status, completedAt.map { String($0.timeIntervalSince1970) } ?? "", priority,
                     description, isPrivate ? "private" : "", reminderMinutes.map(String.init) ?? ""]
        return digest(parts)
    }

    var recordFields: [String: FieldValue?] {
        func value(_ text: String) -> FieldValue? { text.isEmpty ? nil : .text(text) }
        return ["subject": .text(subject.isEmpty ? "(no subject)" : subject),
                "dueDate": due.flatMap { CalendarDate(year: $0.year, month: $0.month, day: $0.day) }.map(FieldValue.date),
                "status": .text(status), "completedAt": completedAt.map(FieldValue.dateTime), "priority": value(priority),
                "description": value(description), "private": .bool(isPrivate),
                "reminderMinutes": reminderMinutes.map { .number(Decimal($0)) }]
    }

    /// Writes these fields into `todo` where they differ from `old`; `pushCompletion` false
    /// (Riva's default) leaves the calendar's completion alone when the CRM completes a task.
    func patch(into todo: inout ICalComponent, over old: TaskFields?, crmID: String, category: String, color: String?,
               pushCompletion: Bool) {
        if subject != old?.subject { todo.setText("SUMMARY", subject) }
        if due != old?.due { todo.setDateTime("DUE", due.map(ICalDateTime.date)) }
        let completionChanged = status != old?.status || completedAt != old?.completedAt
        if completionChanged, status != "Completed" || pushCompletion || old == nil {
            let completed = status == "Completed" && (pushCompletion || old == nil)
            todo.setText("STATUS", completed ? "COMPLETED" : (status == "In Progress" ? "IN-PROCESS" : "NEEDS-ACTION"))
            todo.setDateTime("COMPLETED", completed ? completedAt.map(ICalDateTime.utc) : nil)
            todo.setText("PERCENT-COMPLETE", completed ? "100" : nil)
        }
        if priority != old?.priority {
            let value: String? = switch priority { case "High": "1"; case "Normal": "5"; case "Low": "9"; default: nil }
            todo.setText("PRIORITY", value)
        }
        if description != old?.description { todo.setText("DESCRIPTION", description.isEmpty ? nil : description) }
        if isPrivate != old?.isPrivate { todo.setText("CLASS", isPrivate ? "PRIVATE" : nil) }
        if reminderMinutes != old?.reminderMinutes { todo.setCRMAlarm(minutesBefore: reminderMinutes, of: "END", text: subject) }
        todo.tag(category: category, crmID: crmID)
        if let color, todo.text("COLOR") == nil { todo.setText("COLOR", color) }
    }
}

extension ICalComponent {
    /// The reminder crmgate keeps for the record (marked X-CRMGATE-ALARM; the user's own
    /// alarms stay): `minutes` before the start (events) or the due time (tasks, `END`).
    mutating func setCRMAlarm(minutesBefore minutes: Int?, of related: String, text: String) {
        components.removeAll { $0.name == "VALARM" && $0.text("X-CRMGATE-ALARM") != nil }
        guard let minutes else { return }
        components.append(ICalComponent("VALARM", properties: [
            ContentLine(name: "ACTION", value: "DISPLAY"), ContentLine(name: "DESCRIPTION", value: TextValue.escape(text)),
            ContentLine(name: "TRIGGER", parameters: related == "START" ? [] : [.init(name: "RELATED", values: [related])], value: "-PT\(minutes)M"),
            ContentLine(name: "X-CRMGATE-ALARM", value: "TRUE"),
        ]))
    }
}
