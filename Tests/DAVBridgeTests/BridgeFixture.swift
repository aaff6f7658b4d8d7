import CRM
import DAV
import DAVCore
import DAVServerFixtures
import EmbeddedCRM
import Foundation
import GatewayConfig
import Logging
import Sync
import Testing
@testable import DAVBridge

/// An embedded CRM, a real DAV server and the bridge between them, for one test.
final class BridgeFixture: @unchecked Sendable {
    static let kinds = DAVTestServer.Kind.allCases.filter(DAVTestServer.wanted)

    let server: DAVTestServer
    let crm: EmbeddedCRM
    let state: SyncStateStore
    var bridge: SyncBridge
    let alice: CRMUser
    let bob: CRMUser
    var accounts: [String]
    var policy: GatewayConfiguration.Policy

    init(_ kind: DAVTestServer.Kind, policy: GatewayConfiguration.Policy = .init(), accounts: [String] = ["alice@example.com"]) async throws {
        server = try DAVTestServer(kind, extraUsers: accounts)
        crm = try EmbeddedCRM(inMemoryWithPublicURL: URL(string: "https://crm.example.com")!)
        state = try SyncStateStore()
        alice = try await crm.createUser(name: "Alice Martin", email: "alice@example.com")
        bob = try await crm.createUser(name: "Bob Stone", email: "bob@example.com")
        self.accounts = accounts
        self.policy = policy
        bridge = SyncBridge(connector: crm, state: state, configuration: GatewayConfiguration(), http: .shared, logger: Logger(label: "test")) { [] }
        try reconfigure(policy)
    }

    deinit { server.stop() }

    var configuration: GatewayConfiguration {
        GatewayConfiguration(dav: .init(url: server.url.absoluteString, password: DAVTestServer.users["alice@example.com"]!), policies: [policy])
    }

    /// A new bridge (same CRM, state and server) with another policy.
    func reconfigure(_ policy: GatewayConfiguration.Policy) throws {
        self.policy = policy
        let accounts = self.accounts
        bridge = SyncBridge(connector: crm, state: state, configuration: configuration, http: .shared, logger: Logger(label: "test")) { accounts }
    }

    /// One round in which every scope is due (a fresh bridge: the schedule would wait each
    /// policy's interval).
    @discardableResult
    func sync(dryRun: Bool = false) async throws -> [SyncBridge.ScopeOutcome] {
        try reconfigure(policy)
        return try await round(dryRun: dryRun)
    }

    /// One `sync()`, expecting exactly these counts.
    func expectSync(_ expected: [String: Int], _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let counts = try await sync().counts
        #expect(counts == expected, comment, sourceLocation: sourceLocation)
    }

    /// One round of the running schedule: queued CRM changes and scopes whose interval passed.
    @discardableResult
    func round(dryRun: Bool = false) async throws -> [SyncBridge.ScopeOutcome] {
        let outcomes = await bridge.round(only: nil, dryRun: dryRun)
        if let failed = outcomes.first(where: { $0.error != nil }) { throw FixtureError("sync failed: \(failed.error!)") }
        for outcome in outcomes where !(outcome.report?.failures.isEmpty ?? true) {
            throw FixtureError("items failed: \(outcome.report!.failures)")
        }
        return outcomes
    }

    // MARK: - The address book as a user's client sees it

    var client: CardDAVClient { get throws { CardDAVClient(transport: try bridge.transport(for: "alice@example.com")) } }

    func book(_ name: String = "Embedded CRM") async throws -> URL {
        let client = try client
        let home = try await client.addressBookHome()
        guard let book = try await client.addressBooks(in: home).first(where: { $0.displayName == name }) else {
            throw FixtureError("no address book \(name)")
        }
        return book.url
    }

    func cards(_ name: String = "Embedded CRM") async throws -> [FetchedCard] {
        let client = try client
        let book = try await book(name)
        let listing = try await client.changes(in: book, since: nil)
        return try await client.readCards(listing.changed.map(\.href), in: book).cards
    }

    func card(of ref: RecordRef) async throws -> FetchedCard {
        guard let card = try await cards().first(where: { $0.card.crmID == ref.description }) else {
            throw FixtureError("no card for \(ref)")
        }
        return card
    }

    /// Edits a card as a user's client would (If-Match), with a REV of now.
    func edit(_ ref: RecordRef, _ change: (inout VCard) -> Void) async throws {
        let fetched = try await card(of: ref)
        var card = fetched.card
        change(&card)
        card.setText("REV", ICalDateTime.utc(Date()).text)
        _ = try await client.update(card, at: fetched.href, etag: fetched.etag)
    }

    // MARK: - The calendar as a user's client sees it

    var calendarClient: CalDAVClient { get throws { CalDAVClient(transport: try bridge.transport(for: "alice@example.com")) } }

    func calendar(_ name: String = "Embedded CRM") async throws -> URL {
        let client = try calendarClient
        let home = try await client.calendarHome()
        guard let calendar = try await client.calendars(in: home).first(where: { $0.displayName == name }) else {
            throw FixtureError("no calendar \(name)")
        }
        return calendar.url
    }

    func objects(_ name: String = "Embedded CRM") async throws -> [FetchedCalendarObject] {
        let client = try calendarClient
        let calendar = try await calendar(name)
        let listing = try await client.changes(in: calendar, since: nil)
        return try await client.objects(listing.changed.map(\.href), in: calendar).objects
    }

    /// The calendar object holding a record's event or task.
    func object(of ref: RecordRef) async throws -> FetchedCalendarObject {
        guard let object = try await objects().first(where: { ($0.calendar.events + $0.calendar.todos).contains { $0.crmID == ref.description } }) else {
            throw FixtureError("no calendar object for \(ref)")
        }
        return object
    }

    /// Edits a calendar object as a user's client would (If-Match), with a LAST-MODIFIED of now.
    func editObject(_ ref: RecordRef, _ change: (inout ICalendar) -> Void) async throws {
        let fetched = try await object(of: ref)
        try await editObject(fetched, change)
    }

    func editObject(_ fetched: FetchedCalendarObject, _ change: (inout ICalendar) -> Void) async throws {
        var object = fetched.calendar
        change(&object)
        for index in object.root.components.indices where ["VEVENT", "VTODO"].contains(object.root.components[index].name) {
            object.root.components[index].setDateTime("LAST-MODIFIED", .utc(Date().addingTimeInterval(1)))
        }
        _ = try await calendarClient.update(object, at: fetched.href, etag: fetched.etag)
    }

    /// Puts an object in the calendar as a user's client would.
    @discardableResult
    func putObject(_ text: String, named name: String) async throws -> String {
        try await calendarClient.create(try ICalendar.parse(text), named: name, in: try await calendar()).href
    }

    // MARK: - The CRM

    func event(_ subject: String, start: Date, hours: Double = 1, zone: String = "Europe/Berlin", owner: CRMUser? = nil,
               _ extra: [String: FieldValue?] = [:]) async throws -> CRMRecord {
        var fields: [String: FieldValue?] = ["subject": .text(subject), "start": .dateTime(start),
                                             "end": .dateTime(start.addingTimeInterval(hours * 3600)), "timeZone": .text(zone)]
        fields.merge(extra) { _, new in new }
        return try await crm.createRecord(in: .events, RecordDraft(owner: (owner ?? alice).id, fields: fields))
    }

    func task(_ subject: String, due: CalendarDate? = nil, status: String = "Not Started", _ extra: [String: FieldValue?] = [:]) async throws -> CRMRecord {
        var fields: [String: FieldValue?] = ["subject": .text(subject), "status": .text(status), "dueDate": due.map(FieldValue.date)]
        fields.merge(extra) { _, new in new }
        return try await crm.createRecord(in: .tasks, RecordDraft(owner: alice.id, fields: fields))
    }

    func contact(_ first: String, _ last: String, owner: CRMUser? = nil, _ extra: [String: FieldValue?] = [:]) async throws -> CRMRecord {
        var fields: [String: FieldValue?] = ["firstName": .text(first), "lastName": .text(last),
                                             "emails": .list(["\(first.lowercased())@\(last.lowercased()).example"])]
        fields.merge(extra) { _, new in new }
        return try await crm.createRecord(in: .contacts, RecordDraft(owner: (owner ?? alice).id, fields: fields))
    }

    func account(_ name: String, domain: String) async throws -> CRMRecord {
        try await crm.createRecord(in: .accounts, RecordDraft(owner: alice.id, fields: ["name": .text(name), "domains": .list([domain])]))
    }
}

extension [SyncBridge.ScopeOutcome] {
    /// Everything done in this round, summed over scopes.
    var counts: [String: Int] {
        reduce(into: [:]) { sum, outcome in
            for (key, value) in outcome.report?.counts ?? [:] { sum[key, default: 0] += value }
        }
    }

    var total: Int { compactMap(\.report?.total).reduce(0, +) }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
