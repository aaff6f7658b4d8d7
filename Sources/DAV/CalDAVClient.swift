import DAVCore
import Foundation

/// A calendar (or task list) on a CalDAV server.
public struct CalendarCollection: Hashable, Sendable {
    public var url: URL
    public var displayName: String?
    public var syncToken: String?
    /// The components it takes (`supported-calendar-component-set`); empty when the server
    /// does not say (then it takes all).
    public var components: Set<String>

    public func accepts(_ component: String) -> Bool { components.isEmpty || components.contains(component) }
}

/// A member's calendar object as a multiget gives it.
public struct FetchedCalendarObject: Sendable {
    public var href: String
    public var etag: String
    public var calendar: ICalendar
}

/// What a calendar-multiget gave: the objects, and the members that could not be read.
public struct CalendarObjectBatch: Sendable {
    public var objects: [FetchedCalendarObject] = []
    public var unreadable: [UnreadableMember] = []
}

/// The CalDAV client of the calendar bridge (RFC 4791) on the shared collection core:
/// calendar-home-set discovery, calendars and MKCALENDAR with their components, changes
/// by sync-collection with a full listing as fallback, calendar-query with a time range
/// (a first sync's window), calendar-multiget in batches, conditional writes.
public struct CalDAVClient: Sendable {
    public let transport: DAVTransport
    /// Members per calendar-multiget.
    public var batchSize = 100

    public init(transport: DAVTransport) {
        self.transport = transport
    }

    /// The collection that holds the account's calendars: from `/.well-known/caldav` when the
    /// URL is a server root, the principal's `calendar-home-set` (RFC 4791 §6.2.1).
    public func calendarHome() async throws(DAVError) -> URL {
        try await core.home(wellKnown: "caldav", homeSet: .calDAV("calendar-home-set"))
    }

    /// The calendars in `home`, with the components each takes.
    public func calendars(in home: URL) async throws(DAVError) -> [CalendarCollection] {
        let set = DAVElement.QualifiedName.calDAV("supported-calendar-component-set")
        return try await core.collections(in: home, type: .calDAV("calendar"), properties: [set]).map { response throws(DAVError) in
            let components = (response.property(set)?.children ?? []).filter { $0.name == .calDAV("comp") }
                .compactMap { $0.attributes["name"]?.uppercased() }
            return CalendarCollection(url: try transport.resolve(response.href), displayName: response.displayName,
                                      syncToken: response.property(.dav("sync-token"))?.text, components: Set(components))
        }
    }

    /// Creates a calendar named `displayName` taking `components` (MKCALENDAR).
    public func createCalendar(named displayName: String, components: [String] = ["VEVENT", "VTODO"],
                               in home: URL) async throws(DAVError) -> CalendarCollection {
        let url = try await core.make("MKCALENDAR", named: displayName,
                                      body: DAVRequestBody.makeCalendar(displayName: displayName, components: components), in: home)
        return try await calendars(in: home).first { transport.canonical($0.url.absoluteString) == transport.canonical(url.absoluteString) }
            ?? CalendarCollection(url: url, displayName: displayName, syncToken: nil, components: Set(components))
    }


    /// The members with a `component` overlapping `start`..`end` (a first sync's window), by
    /// calendar-query; their hrefs and ETags.
    public func query(_ calendar: URL, component: String, from start: Date?, to end: Date?) async throws(DAVError) -> [(href: String, etag: String)] {
        let utc = ICalTimeZones.utc
        let body = DAVRequestBody.calendarQuery(component: component, start: start.map { ICalLocalTime($0, in: utc).text + "Z" },
                                                end: end.map { ICalLocalTime($0, in: utc).text + "Z" })
        return try await core.members("REPORT", calendar, body: body, depth: "1")
    }

    /// The calendar objects of `hrefs`, `batchSize` per calendar-multiget; members gone
    /// meanwhile are left out, and those that cannot be read are set apart with the reason.
    public func objects(_ hrefs: [String], in calendar: URL) async throws(DAVError) -> CalendarObjectBatch {
        var batch = CalendarObjectBatch()
        for member in try await core.multiget(hrefs, in: calendar, body: DAVRequestBody.calendarMultiget, data: \.calendarData) {
            do {
                batch.objects.append(FetchedCalendarObject(href: member.href, etag: member.etag, calendar: try ICalendar.parse(member.text)))
            } catch {
                batch.unreadable.append(UnreadableMember(href: member.href, etag: member.etag, reason: "\(error)"))
            }
        }
        return batch
    }
}
