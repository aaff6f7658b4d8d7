import CRM
import DAV
import DAVCore
import Foundation

/// How a policy wants events and tasks in the calendar (RIVA-NOTES: what Riva's users are
/// used to).
struct CalendarOptions: Sendable, Hashable {
    /// RFC 7986 COLOR (a CSS colour name) of synced items; empty: none.
    var color = ""
    /// The first-sync window: events from `pastDays` ago to `futureDays` ahead.
    var pastDays = 45
    var futureDays = 400
    /// A new calendar item becomes a record only when it carries the category.
    var requireCategory = true
    /// A task completed in the CRM is completed in the calendar too.
    var pushCompletion = false
    /// A CRM event deleted is kept in the calendar, marked cancelled, instead of removed.
    var cancelDeleted = false
    /// Private items are left out on both sides instead of synced as private.
    var skipPrivate = false
    /// A CRM event's recurrence is written as a series (else only its first occurrence).
    var crmRecurrence = true

    /// What changes what the scope holds or how its items look.
    var fingerprint: [String] {
        [color, "\(pastDays)", "\(futureDays)", "\(requireCategory)", "\(pushCompletion)", "\(cancelDeleted)", "\(skipPrivate)", "\(crmRecurrence)"]
    }

    /// The window as instants around `now`.
    func window(now: Date = Date()) -> (start: Date, end: Date) {
        (now.addingTimeInterval(-Double(pastDays) * 86_400), now.addingTimeInterval(Double(futureDays) * 86_400))
    }
}

/// UTC and floating times need no calendar's zones.
private let noZones = ICalTimeZones(ICalendar())

extension ICalComponent {
    /// The record id crmgate wrote (`X-CRMGATE-ID`).
    var crmID: String? { text(VCard.crmIDProperty) }
}

/// A calendar (or task list) on a CalDAV server, as a bridge kind reads and writes it.
protocol CalendarBridgeKind: BridgeKind where Client == CalDAVClient {
    var client: CalDAVClient { get }
    var calendar: URL { get }
    var options: CalendarOptions { get }
    /// VEVENT or VTODO.
    static var component: String { get }
}

extension CalendarBridgeKind {
    var collection: URL { calendar }

    /// DTSTAMP and LAST-MODIFIED of the items crmgate writes: now.
    func stamp(_ object: inout ICalendar) {
        let now = ICalDateTime.utc(Date())
        for index in object.root.components.indices where object.root.components[index].name == Self.component {
            object.root.components[index].setDateTime("DTSTAMP", now)
            object.root.components[index].setDateTime("LAST-MODIFIED", now)
        }
    }

    /// Whether a calendar item may become a record: the category (or the policy takes all),
    /// not cancelled, and not private when private items are skipped.
    func createsRecord(_ item: ICalComponent, isPrivate: Bool) -> Bool {
        let category = item.categories.contains { $0.caseInsensitiveCompare(scope.category) == .orderedSame }
        return scope.createsFromDAV && (category || !options.requireCategory) && item.text("STATUS")?.uppercased() != "CANCELLED"
            && !(isPrivate && options.skipPrivate)
    }

    /// When the item was last changed, for the conflict rule.
    func modified(_ item: ICalComponent) -> Date? {
        for name in ["LAST-MODIFIED", "DTSTAMP"] {
            if let value = try? item.dateTime(name), let date = try? value.date(zones: noZones) { return date }
        }
        return nil
    }

    var colorValue: String? { options.color.isEmpty ? nil : options.color }
}

// MARK: - Events

/// CRM events as VEVENTs. A series the CRM made stays one series; a series made in the
/// calendar becomes one CRM event per occurrence within the window (`href#RECURRENCE-ID`),
/// and a moved or cancelled occurrence updates or removes its event.
final class EventsKind: CalendarBridgeKind {
    static let component = "VEVENT"
    let scope: BridgeScope
    let connector: any CRMConnector
    let client: CalDAVClient
    let calendar: URL
    let options: CalendarOptions
    let window: (start: Date, end: Date)

    init(scope: BridgeScope, connector: any CRMConnector, client: CalDAVClient, calendar: URL, options: CalendarOptions, now: Date = Date()) {
        self.scope = scope
        self.connector = connector
        self.client = client
        self.calendar = calendar
        self.options = options
        window = options.window(now: now)
    }

    var noun: String { "event" }

    /// A first sync and a full reconcile read the events in the window (calendar-query); a
    /// server that cannot answer the query has them all read.
    func membersToRead() async throws(DAVError) -> Set<String>? {
        (try? await client.query(calendar, component: Self.component, from: window.start, to: window.end)).map { Set($0.map(\.href)) }
    }

    func entries(of object: ICalendar, href: String, etag: String, linked: Set<String>) throws -> [BridgeEntry<EventFields>] {
        let zones = ICalTimeZones(object)
        let events = object.events
        guard let master = events.first(where: { $0.first("RECURRENCE-ID") == nil }) ?? events.first else { return [] }
        let fields = try EventFields(event: master, zones: zones)
        guard master.isRecurring, master.crmID == nil else {
            return [BridgeEntry(href: href, uid: master.uid, crmID: master.crmID, fields: fields, hash: fields.hash,
                                createsRecord: createsRecord(master, isPrivate: fields.isPrivate), modifiedAt: modified(master),
                                key: "caldav:\(scope.scope.user):\(master.uid ?? href)")]
        }
        // A series the calendar made: one item per occurrence.
        let keys = Set(linked.compactMap { $0.split(separator: "#", maxSplits: 1).last.map(String.init) })
        let duration = fields.end.timeIntervalSince(fields.start)
        let overrides = try Dictionary(events.filter { $0.first("RECURRENCE-ID") != nil }.map { event throws in
            (try event.dateTime("RECURRENCE-ID")?.date(zones: zones) ?? Date.distantPast, event)
        }, uniquingKeysWith: { a, _ in a })
        var result: [BridgeEntry<EventFields>] = []
        for occurrence in try master.occurrences(zones: zones, from: window.start, to: window.end, duration: duration, keys: keys) {
            var item = fields
            var component = master
            if let moved = overrides[occurrence.start] {
                guard moved.text("STATUS")?.uppercased() != "CANCELLED" else { continue }
                item = try EventFields(event: moved, zones: zones)
                component = moved
            } else {
                item.start = occurrence.start
                item.end = occurrence.start.addingTimeInterval(duration)
            }
            item.recurrence = ""
            result.append(BridgeEntry(href: href + "#" + occurrence.key, uid: master.uid, crmID: component.crmID, fields: item,
                                      hash: item.hash, createsRecord: createsRecord(master, isPrivate: item.isPrivate),
                                      modifiedAt: modified(component), key: "caldav:\(scope.scope.user):\(master.uid ?? href)#\(occurrence.key)"))
        }
        return result
    }

    func hash(_ fields: EventFields) -> String { fields.hash }

    func newDocument(uid: String, crmID: String, fields: EventFields) -> ICalendar {
        EventFields.newObject(uid: uid, crmID: crmID, fields: fields, category: scope.category, color: colorValue)
    }

    func patch(_ object: inout ICalendar, item href: String, with fields: EventFields, over old: EventFields, crmID: String) {
        guard let hash = href.lastIndex(of: "#") else {
            guard let index = object.root.components.firstIndex(where: { $0.name == "VEVENT" && $0.first("RECURRENCE-ID") == nil })
                ?? object.root.components.firstIndex(where: { $0.name == "VEVENT" }) else { return }
            fields.patch(into: &object.root.components[index], over: old, crmID: crmID, category: scope.category, color: colorValue)
            fields.addTimeZone(to: &object)
            return
        }
        // An occurrence: its own override (made from the series when it has none yet).
        guard fields.hash != old.hash, let master = object.root.components.firstIndex(where: { $0.name == "VEVENT" && $0.isRecurring }),
              let id = recurrenceID(String(href[href.index(after: hash)...]), of: object.root.components[master]) else { return }
        let zones = ICalTimeZones(object)
        let instant = try? id.date(zones: zones)
        var index = object.root.components.firstIndex { event in
            event.name == "VEVENT" && (try? event.dateTime("RECURRENCE-ID")?.date(zones: zones)) == instant
        }
        if index == nil {
            var override = object.root.components[master]
            override.replace("RRULE", with: [])
            override.replace("RDATE", with: [])
            override.replace("EXDATE", with: [])
            override.setDateTime("RECURRENCE-ID", id)
            object.root.components.append(override)
            index = object.root.components.count - 1
        }
        guard let index else { return }
        var withoutRule = fields
        withoutRule.recurrence = ""
        var before = old
        before.start = Date.distantPast  // write the occurrence's times in full
        withoutRule.patch(into: &object.root.components[index], over: before, crmID: crmID, category: scope.category, color: colorValue)
        fields.addTimeZone(to: &object)
    }

    /// RECURRENCE-ID for an occurrence key, in the form of the series' DTSTART.
    private func recurrenceID(_ key: String, of master: ICalComponent) -> ICalDateTime? {
        guard let start = try? master.dateTime("DTSTART") else { return nil }
        switch start {
        case .date: return ICalLocalTime(key, dateOnly: true).map(ICalDateTime.date)
        case .utc: return ICalLocalTime(key, dateOnly: false).map { .utc($0.date(in: ICalTimeZones.utc)) }
        case .local(_, let tzid): return ICalLocalTime(key, dateOnly: false).map { .local($0, tzid: tzid) }
        }
    }

    /// An occurrence's CRM event exists only because the calendar's series has it.
    func recordGoes(with href: String) -> Bool { href.contains("#") }

    func rewrites(removing href: String) -> Bool { recordGoes(with: href) || options.cancelDeleted }

    /// A CRM event gone: an occurrence is excluded from its series (EXDATE); an event is
    /// marked cancelled when the policy keeps them (no longer the CRM's: its id goes);
    /// otherwise nil (the object is deleted).
    func removing(item href: String, from object: ICalendar) -> ICalendar? {
        var object = object
        if let hash = href.lastIndex(of: "#") {
            guard let master = object.root.components.firstIndex(where: { $0.name == "VEVENT" && $0.isRecurring }),
                  let id = recurrenceID(String(href[href.index(after: hash)...]), of: object.root.components[master]) else { return nil }
            let zones = ICalTimeZones(object)
            let instant = try? id.date(zones: zones)
            object.root.components.removeAll { event in
                event.name == "VEVENT" && event.first("RECURRENCE-ID") != nil && (try? event.dateTime("RECURRENCE-ID")?.date(zones: zones)) == instant
            }
            var line = ContentLine(name: "EXDATE", value: "")
            line.parameters = id.parameters
            line.value = id.text
            object.root.components[master].properties.append(line)
            return object
        }
        guard options.cancelDeleted else { return nil }
        for index in object.root.components.indices where object.root.components[index].name == "VEVENT" {
            object.root.components[index].setText("STATUS", "CANCELLED")
            object.root.components[index].setText(VCard.crmIDProperty, nil)
        }
        return object
    }

    // MARK: Records

    func admits(_ record: CRMRecord, linked: Bool) -> Bool {
        if options.skipPrivate, record.fields["private"]?.bool == true { return false }
        if linked { return true }
        let fields = EventFields(record: record)
        let repeats = !fields.recurrence.isEmpty && options.crmRecurrence
        return fields.start < window.end && (fields.end > window.start || repeats)
    }

    /// An event the window's far edge passed since `since` (days go by, the window moves on).
    func entered(_ record: CRMRecord, since: Date) -> Bool {
        let start = EventFields(record: record).start
        return start >= since.addingTimeInterval(Double(options.futureDays) * 86_400) && start < window.end
    }

    func fields(of record: CRMRecord) async throws -> EventFields {
        var fields = EventFields(record: record)
        if !options.crmRecurrence { fields.recurrence = "" }
        return fields
    }

    /// A new event is related to the CRM contact (else lead) an attendee's or the
    /// organizer's address belongs to, the user's own address left out.
    func recordFields(_ fields: EventFields, before: EventFields?, record: CRMRecord?) async throws -> [String: FieldValue?] {
        var draft = fields.recordFields
        if let before {
            if !options.crmRecurrence { draft["recurrence"] = nil }
            return draft.filter { key, value in (before.recordFields[key] ?? nil) != value }
        }
        var related: RecordRef?
        for email in fields.attendees + [fields.organizer] where !email.isEmpty && email != scope.scope.user.lowercased() {
            for match in try await connector.findPeople(email: email) {
                switch match {
                case .contact(let contact): related = contact.ref
                case .lead(let lead) where related == nil: related = lead.ref
                default: continue
                }
                if related?.module == .contacts { break }
            }
            if related?.module == .contacts { break }
        }
        if let related { draft["related"] = .reference(related) }
        return draft
    }
}

// MARK: - Tasks

/// CRM tasks as VTODOs: the open ones at first, then whatever is linked (a task completed
/// on either side stays, completed).
final class TasksKind: CalendarBridgeKind {
    static let component = "VTODO"
    let scope: BridgeScope
    let client: CalDAVClient
    let calendar: URL
    let options: CalendarOptions

    init(scope: BridgeScope, client: CalDAVClient, calendar: URL, options: CalendarOptions) {
        self.scope = scope
        self.client = client
        self.calendar = calendar
        self.options = options
    }

    var noun: String { "task" }

    func entries(of object: ICalendar, href: String, etag: String, linked: Set<String>) throws -> [BridgeEntry<TaskFields>] {
        let zones = ICalTimeZones(object)
        guard let todo = object.todos.first(where: { $0.first("RECURRENCE-ID") == nil }) ?? object.todos.first else { return [] }
        let fields = try TaskFields(todo: todo, zones: zones)
        return [BridgeEntry(href: href, uid: todo.uid, crmID: todo.crmID, fields: fields, hash: fields.hash,
                            createsRecord: createsRecord(todo, isPrivate: fields.isPrivate), modifiedAt: modified(todo),
                            key: "caldav:\(scope.scope.user):\(todo.uid ?? href)")]
    }

    func hash(_ fields: TaskFields) -> String { fields.hash }

    func newDocument(uid: String, crmID: String, fields: TaskFields) -> ICalendar {
        var object = ICalendar()
        var todo = ICalComponent("VTODO", properties: [ContentLine(name: "UID", value: TextValue.escape(uid))])
        fields.patch(into: &todo, over: nil, crmID: crmID, category: scope.category, color: colorValue, pushCompletion: options.pushCompletion)
        object.root.components = [todo]
        return object
    }

    func patch(_ object: inout ICalendar, item href: String, with fields: TaskFields, over old: TaskFields, crmID: String) {
        guard let index = object.root.components.firstIndex(where: { $0.name == "VTODO" }) else { return }
        fields.patch(into: &object.root.components[index], over: old, crmID: crmID, category: scope.category, color: colorValue,
                     pushCompletion: options.pushCompletion)
    }

    func admits(_ record: CRMRecord, linked: Bool) -> Bool {
        if options.skipPrivate, record.fields["private"]?.bool == true { return false }
        return linked || scope.module.closedRule?.isClosed(record) != true
    }

    func fields(of record: CRMRecord) async throws -> TaskFields { TaskFields(record: record) }

    /// The calendar's completion always reaches the CRM; its lack does not undo a completion
    /// the CRM made and (by default) kept from the calendar.
    func recordFields(_ fields: TaskFields, before: TaskFields?, record: CRMRecord?) async throws -> [String: FieldValue?] {
        var draft = fields.recordFields
        guard let before else { return draft }
        if !options.pushCompletion, before.status == "Completed", fields.status != "Completed" {
            draft["status"] = nil
            draft["completedAt"] = nil
        }
        return draft.filter { key, value in (before.recordFields[key] ?? nil) != value }
    }
}
