import DAVCore
import Foundation

/// An address book on a CardDAV server.
public struct AddressBook: Hashable, Sendable {
    public var url: URL
    public var displayName: String?
    /// RFC 6578 sync-collection is offered (the collection announces a sync token).
    public var syncToken: String?
}

public typealias AddressBookChanges = CollectionChanges
public typealias UnreadableCard = UnreadableMember

/// A member's vCard as a multiget gives it.
public struct FetchedCard: Sendable {
    public var href: String
    public var etag: String
    public var card: VCard
}

/// What a multiget gave: the cards, and the members that could not be read.
public struct CardBatch: Sendable {
    public var cards: [FetchedCard] = []
    public var unreadable: [UnreadableMember] = []
}

/// The CardDAV client of the contacts bridge (RFC 6352) on the shared collection core:
/// discovery, address books, changes, multiget in batches, conditional writes.
public struct CardDAVClient: Sendable {
    public let transport: DAVTransport
    /// Members per addressbook-multiget.
    public var batchSize = 100

    public init(transport: DAVTransport) {
        self.transport = transport
    }

    /// The collection that holds the account's address books (RFC 6764, RFC 5397, RFC 6352 §7.1):
    /// from `/.well-known/carddav` when the URL is a server root, the principal's `addressbook-home-set`.
    public func addressBookHome() async throws(DAVError) -> URL {
        try await core.home(wellKnown: "carddav", homeSet: .cardDAV("addressbook-home-set"))
    }

    /// The address books in `home`.
    public func addressBooks(in home: URL) async throws(DAVError) -> [AddressBook] {
        try await core.collections(in: home, type: .cardDAV("addressbook"), properties: []).map { response throws(DAVError) in
            AddressBook(url: try transport.resolve(response.href), displayName: response.displayName,
                        syncToken: response.property(.dav("sync-token"))?.text)
        }
    }

    /// Creates an address book named `displayName` in `home` (extended MKCOL, RFC 5689).
    public func createAddressBook(named displayName: String, in home: URL) async throws(DAVError) -> AddressBook {
        let url = try await core.make("MKCOL", named: displayName, body: DAVRequestBody.makeAddressbook(displayName: displayName), in: home)
        return try await addressBooks(in: home).first { transport.canonical($0.url.absoluteString) == transport.canonical(url.absoluteString) }
            ?? AddressBook(url: url, displayName: displayName, syncToken: nil)
    }


    /// The vCards of `hrefs`, `batchSize` per addressbook-multiget; members gone meanwhile are
    /// left out, and one that cannot be read is an error naming it.
    public func cards(_ hrefs: [String], in book: URL) async throws(DAVError) -> [FetchedCard] {
        let batch = try await readCards(hrefs, in: book)
        if let bad = batch.unreadable.first { throw .protocolViolation("\(bad.href): \(bad.reason)") }
        return batch.cards
    }

    /// The vCards of `hrefs` as `cards` reads them, with the ones that cannot be read (a vCard
    /// 2.1 export, a damaged card) set apart with the reason instead of failing the rest.
    public func readCards(_ hrefs: [String], in book: URL) async throws(DAVError) -> CardBatch {
        var batch = CardBatch()
        for member in try await core.multiget(hrefs, in: book, body: DAVRequestBody.addressbookMultiget, data: \.addressData) {
            do {
                batch.cards.append(FetchedCard(href: member.href, etag: member.etag, card: try VCard.parse(member.text)))
            } catch {
                batch.unreadable.append(UnreadableMember(href: member.href, etag: member.etag, reason: "\(error)"))
            }
        }
        return batch
    }
}
