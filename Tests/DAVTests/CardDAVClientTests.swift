import AsyncHTTPClient
import DAVCore
import Foundation
import Testing
@testable import DAV
import DAVServerFixtures

/// The CardDAV client against a real Radicale 3.9.0.
@Suite("CardDAV client against Radicale", .enabled(if: DAVTestServer.wanted(.radicale), "needs radicale (scripts/test installs it)"))
struct CardDAVClientTests {
    private func client(_ server: DAVTestServer, user: String = "alice@example.com", password: String? = nil,
                        url: URL? = nil) -> CardDAVClient {
        let account = DAVAccount(url: url ?? server.url, username: user, password: password ?? DAVTestServer.users[user]!)
        return CardDAVClient(transport: DAVTransport(account: account, http: .shared))
    }

    private func contact(_ n: Int, note: String = "") -> VCard {
        var card = VCard(version: .v3)
        card.setText("UID", "crmgate-contacts-\(n)")
        card.setText("FN", "Contact \(n)")
        card.properties.append(ContentLine(name: "N", value: TextValue.structured([["Contact"], ["\(n)"], [], [], []])))
        if !note.isEmpty { card.setText("NOTE", note) }
        card.setText(VCard.crmIDProperty, "contacts/\(n)")
        return card
    }

    @Test func discoveryFromTheServerRootFindsTheUsersHomeAndANewAddressBook() async throws {
        let server = try DAVTestServer()
        defer { server.stop() }
        let client = client(server)
        let home = try await client.addressBookHome()
        #expect(client.transport.canonical(home.absoluteString) == "/alice@example.com/")
        #expect(try await client.addressBooks(in: home).isEmpty)
        let book = try await client.createAddressBook(named: "Embedded CRM", in: home)
        let books = try await client.addressBooks(in: home)
        #expect(books.map(\.displayName) == ["Embedded CRM"])
        #expect(books.first?.url == book.url && books.first?.syncToken != nil, "\(books) \(book)")
    }

    @Test func changesSinceATokenNameExactlyWhatChangedAndWhatWasDeleted() async throws {
        let server = try DAVTestServer()
        defer { server.stop() }
        let client = client(server)
        let book = try await client.createAddressBook(named: "CRM", in: try await client.addressBookHome()).url
        var written: [String: String] = [:]
        for n in 1...3 {
            let (href, etag) = try await client.create(contact(n), named: "contacts-\(n)", in: book)
            written[href] = etag
        }
        let first = try await client.changes(in: book, since: nil)
        #expect(Set(first.changed.map(\.href)) == Set(written.keys) && first.deleted.isEmpty, "\(first.changed) \(written)")
        let token = try #require(first.token)

        let second = try #require(first.changed.first { $0.href.hasSuffix("contacts-2.vcf") })
        let newETag = try await client.update(contact(2, note: "changed"), at: second.href, etag: second.etag)
        let third = try #require(first.changed.first { $0.href.hasSuffix("contacts-3.vcf") })
        try await client.delete(third.href, etag: third.etag)

        let since = try await client.changes(in: book, since: token)
        #expect(since.changed.map(\.href) == [second.href] && !since.isFull)
        #expect(newETag == nil || since.changed.first?.etag == newETag)
        #expect(since.deleted == [third.href])
        let quiet = try await client.changes(in: book, since: try #require(since.token))
        #expect(quiet.changed.isEmpty && quiet.deleted.isEmpty)
    }

    @Test func everyWriteIsConditional() async throws {
        let server = try DAVTestServer()
        defer { server.stop() }
        let client = client(server)
        let book = try await client.createAddressBook(named: "CRM", in: try await client.addressBookHome()).url
        let (href, _) = try await client.create(contact(1), named: "contacts-1", in: book)
        await #expect(throws: DAVError.self) { try await client.create(contact(1), named: "contacts-1", in: book) }
        let current = try #require(try await client.cards([href], in: book).first)
        await #expect(throws: DAVError.preconditionFailed(url: try client.transport.resolve(href).absoluteString)) {
            try await client.update(contact(1, note: "stale"), at: href, etag: "\"not-the-etag\"")
        }
        await #expect(throws: DAVError.self) { try await client.delete(href, etag: "\"not-the-etag\"") }
        _ = try await client.update(contact(1, note: "fresh"), at: href, etag: current.etag)
        #expect(try await client.cards([href], in: book).first?.card.note == "fresh")
    }

    /// Radicale keeps what it is given; unescaped commas would be cut by some servers.
    @Test func awkwardValuesComeBackExactlyThroughMultigetInBatches() async throws {
        let server = try DAVTestServer()
        defer { server.stop() }
        var client = client(server)
        client.batchSize = 7
        let book = try await client.createAddressBook(named: "CRM", in: try await client.addressBookHome()).url
        let notes = ["Smith, Jones & Partners; Ltd.", "Line one\nLine two", #"C:\path\to, file"#, "Zoë Ångström 日本語 🙂",
                     String(repeating: "long, folded; value ", count: 30)]
        var hrefs: [String] = []
        for n in 0..<20 {
            hrefs.append(try await client.create(contact(n, note: notes[n % notes.count]), named: "contacts-\(n)", in: book).href)
        }
        let cards = try await client.cards(hrefs, in: book)
        #expect(cards.count == 20)
        for fetched in cards {
            let n = try #require(Int(fetched.href.split(separator: "-").last!.dropLast(4)))
            #expect(fetched.card.note == notes[n % notes.count])
            #expect(fetched.card.crmID == "contacts/\(n)")
        }
    }

    @Test func aRefusedSyncTokenFallsBackToAFullListing() async throws {
        let server = try DAVTestServer()
        defer { server.stop() }
        let client = client(server)
        let book = try await client.createAddressBook(named: "CRM", in: try await client.addressBookHome()).url
        _ = try await client.create(contact(1), named: "contacts-1", in: book)
        let changes = try await client.changes(in: book, since: "http://radicale.org/ns/sync/not-a-token")
        #expect(changes.isFull && changes.changed.count == 1 && changes.deleted.isEmpty)
    }

    @Test func aWrongPasswordIsAClearError() async throws {
        let server = try DAVTestServer()
        defer { server.stop() }
        await #expect {
            _ = try await client(server, password: "wrong").addressBookHome()
        } throws: { error in
            guard case DAVError.unauthorized = error else { return false }
            return "\(error)".contains("password_file")
        }
    }
}
