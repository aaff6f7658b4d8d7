import AsyncHTTPClient
import DAVCore
import DAVServerFixtures
import Foundation
import Testing
@testable import DAV

/// The CalDAV client against a real Radicale 3.9.0 and Xandikos 0.4.10.
@Suite("CalDAV client against real servers")
struct CalDAVClientTests {
    static let kinds = DAVTestServer.Kind.allCases.filter(DAVTestServer.wanted)

    private func client(_ server: DAVTestServer) -> CalDAVClient {
        let account = DAVAccount(url: server.url, username: "alice@example.com", password: DAVTestServer.users["alice@example.com"]!)
        return CalDAVClient(transport: DAVTransport(account: account, http: .shared))
    }

    private func calendar(_ client: CalDAVClient) async throws -> URL {
        try await client.createCalendar(named: "CRM", in: try await client.calendarHome()).url
    }

    static func event(_ uid: String, summary: String, start: Date, zone: String = "Europe/Berlin") -> ICalendar {
        var calendar = ICalendar()
        var event = ICalComponent("VEVENT")
        event.setText("UID", uid)
        event.setDateTime("DTSTAMP", .utc(Date(timeIntervalSince1970: 1_800_000_000)))
        let tz = TimeZone(identifier: zone)!
        event.setDateTime("DTSTART", .zoned(start, in: tz))
        event.setDateTime("DTEND", .zoned(start.addingTimeInterval(3600), in: tz))
        event.setText("SUMMARY", summary)
        calendar.root.components = [ICalComponent.timeZone(tz, covering: start.addingTimeInterval(-86_400 * 400)...start.addingTimeInterval(86_400 * 400)), event]
        return calendar
    }

    @Test(arguments: kinds)
    func discoveryFindsTheHomeAndANewCalendarTakesEventsAndTasks(_ kind: DAVTestServer.Kind) async throws {
        let server = try DAVTestServer(kind)
        defer { server.stop() }
        let client = client(server)
        let home = try await client.calendarHome()
        let made = try await client.createCalendar(named: "CRM", in: home)
        let listed = try #require(try await client.calendars(in: home).first { $0.displayName == "CRM" })
        #expect(listed.url == made.url && listed.accepts("VEVENT") && listed.accepts("VTODO"), "\(listed)")
    }

    @Test(arguments: kinds)
    func writesAreConditionalAndChangesNameWhatChanged(_ kind: DAVTestServer.Kind) async throws {
        let server = try DAVTestServer(kind)
        defer { server.stop() }
        let client = client(server)
        let book = try await calendar(client)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let one = try await client.create(Self.event("e1", summary: "One", start: start), named: "e1", in: book)
        _ = try await client.create(Self.event("e2", summary: "Two", start: start), named: "e2", in: book)
        await #expect(throws: DAVError.preconditionFailed(url: try client.transport.resolve(one.href).absoluteString)) {
            try await client.create(Self.event("e1", summary: "Again", start: start), named: "e1", in: book)
        }
        let first = try await client.changes(in: book, since: nil)
        #expect(first.changed.count == 2)
        let token = try #require(first.token)
        let etag = try #require(first.changed.first { $0.href == one.href }?.etag)
        _ = try await client.update(Self.event("e1", summary: "One, moved", start: start.addingTimeInterval(7200)), at: one.href, etag: etag)
        await #expect(throws: DAVError.self) {
            try await client.update(Self.event("e1", summary: "Stale", start: start), at: one.href, etag: etag)
        }
        let second = try #require(first.changed.first { $0.href != one.href })
        try await client.delete(second.href, etag: second.etag)
        let since = try await client.changes(in: book, since: token)
        #expect(since.changed.map(\.href) == [one.href] && since.deleted == [second.href], "\(since.changed) \(since.deleted)")
        // A refused token: the whole listing instead.
        let refused = try await client.changes(in: book, since: "http://example.com/not-a-token")
        #expect(refused.isFull && refused.changed.map(\.href) == [one.href])
    }

    @Test(arguments: kinds)
    func aTimeRangeQueryFindsTheWindowsEventsOnly(_ kind: DAVTestServer.Kind) async throws {
        let server = try DAVTestServer(kind)
        defer { server.stop() }
        let client = client(server)
        let book = try await calendar(client)
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let day = 86_400.0
        for (name, offset) in [("old", -60.0), ("recent", -10.0), ("soon", 100.0), ("far", 500.0)] {
            _ = try await client.create(Self.event(name, summary: name, start: now.addingTimeInterval(offset * day), zone: "America/New_York"),
                                        named: name, in: book)
        }
        let found = try await client.query(book, component: "VEVENT", from: now.addingTimeInterval(-45 * day), to: now.addingTimeInterval(400 * day))
        #expect(Set(found.map { ($0.href as NSString).lastPathComponent }) == ["recent.ics", "soon.ics"])
    }

    @Test(arguments: kinds)
    func awkwardTextComesBackExactlyThroughMultiget(_ kind: DAVTestServer.Kind) async throws {
        let server = try DAVTestServer(kind)
        defer { server.stop() }
        let client = client(server)
        let book = try await calendar(client)
        let summary = "Review, Q4; budget — Zoë \\ Ångström"
        var written = Self.event("awkward", summary: summary, start: Date(timeIntervalSince1970: 1_800_000_000))
        written.root.components[1].setText("DESCRIPTION", "Line one, with a comma;\nline two: 日本語")
        written.root.components[1].setText("LOCATION", "Room 4, Building B")
        let made = try await client.create(written, named: "awkward", in: book)
        let read = try #require(try await client.objects([made.href], in: book).objects.first)
        let event = try #require(read.calendar.events.first)
        #expect(event.summary == summary && event.text("LOCATION") == "Room 4, Building B")
        #expect(event.text("DESCRIPTION") == "Line one, with a comma;\nline two: 日本語")
        let zones = ICalTimeZones(read.calendar)
        #expect(try event.dateTime("DTSTART")?.date(zones: zones) == Date(timeIntervalSince1970: 1_800_000_000))
    }
}
