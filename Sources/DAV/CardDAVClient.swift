import DAVCore
import Foundation

/// An address book on a CardDAV server.
public struct AddressBook: Hashable, Sendable {
    public var url: URL
    public var displayName: String?
    /// RFC 6578 sync-collection is offered (the collection announces a sync token).
    public var syncToken: String?
}

/// What changed in an address book since a sync token, or, when the server has no
/// sync-collection or refused the token, everything in it (`isFull`).
public struct AddressBookChanges: Sendable {
    /// Members new or changed (or all of them, `isFull`), with their ETags.
    public var changed: [(href: String, etag: String)]
    /// Members deleted since the token (never set for a full listing: what is not listed is gone).
    public var deleted: [String]
    /// The token to ask with next time; nil when the server has none.
    public var token: String?
    public var isFull: Bool
}

/// A member's vCard as a multiget gives it.
public struct FetchedCard: Sendable {
    public var href: String
    public var etag: String
    public var card: VCard
}

/// A member that is there but cannot be read as a vCard.
public struct UnreadableCard: Sendable, Hashable {
    public var href: String
    public var etag: String
    public var reason: String
}

/// What a multiget gave: the cards, and the members that could not be read.
public struct CardBatch: Sendable {
    public var cards: [FetchedCard] = []
    public var unreadable: [UnreadableCard] = []
}

/// The CardDAV client of the contacts bridge (RFC 6352): discovery, address books, changes
/// by sync-collection with a full listing as fallback, multiget in batches, and writes that
/// are always conditional.
public struct CardDAVClient: Sendable {
    public let transport: DAVTransport
    /// Members per addressbook-multiget.
    public var batchSize = 100

    public init(transport: DAVTransport) {
        self.transport = transport
    }

    // MARK: - Discovery (RFC 6764, RFC 5397, RFC 6352 §7.1)

    /// The collection that holds the account's address books: the account URL's principal
    /// (`current-user-principal`, starting from `/.well-known/carddav` when the URL is a
    /// server root), then its `addressbook-home-set`.
    public func addressBookHome() async throws(DAVError) -> URL {
        var start = transport.account.url
        if start.path.isEmpty || start.path == "/" {
            let wellKnown = try transport.resolve("/.well-known/carddav")
            let answer = try await transport.send("PROPFIND", wellKnown, body: DAVRequestBody.propfind([.dav("current-user-principal")]),
                                                  headers: [("Depth", "0")])
            if (300..<400).contains(answer.status), let location = answer.headers.first(name: "Location") {
                start = try transport.resolve(location)
            }
        }
        let principal = try await hrefProperty(.dav("current-user-principal"), of: start) ?? start
        guard let home = try await hrefProperty(.cardDAV("addressbook-home-set"), of: principal) else {
            throw .protocolViolation("\(principal.absoluteString) names no addressbook-home-set; is this a CardDAV server?")
        }
        return home
    }

    private func hrefProperty(_ name: DAVElement.QualifiedName, of url: URL) async throws(DAVError) -> URL? {
        let answer = try await propfind(url, depth: "0", [name])
        guard let href = answer.responses.lazy.compactMap({ $0.property(name)?.hrefs.first }).first else { return nil }
        return try transport.resolve(href)
    }

    /// The address books in `home`.
    public func addressBooks(in home: URL) async throws(DAVError) -> [AddressBook] {
        let answer = try await propfind(home, depth: "1", [.dav("resourcetype"), .dav("displayname"), .dav("sync-token")])
        return try answer.responses.filter { $0.resourceTypes.contains(.cardDAV("addressbook")) }.map { response throws(DAVError) in
            AddressBook(url: try transport.resolve(response.href), displayName: response.displayName,
                        syncToken: response.property(.dav("sync-token"))?.text)
        }
    }

    /// Creates an address book named `displayName` in `home` (extended MKCOL, RFC 5689).
    public func createAddressBook(named displayName: String, in home: URL) async throws(DAVError) -> AddressBook {
        let slug = Self.slug(displayName)
        let homePath = transport.canonical(home.absoluteString)
        let url = try transport.resolve(homePath + (homePath.hasSuffix("/") ? "" : "/") + slug + "/")
        let answer = try await transport.send("MKCOL", url, body: DAVRequestBody.makeAddressbook(displayName: displayName))
        guard answer.status == 201 else {
            throw .status(answer.status, method: "MKCOL", url: url.absoluteString, detail: Self.detail(answer))
        }
        return try await addressBooks(in: home).first { transport.canonical($0.url.absoluteString) == transport.canonical(url.absoluteString) }
            ?? AddressBook(url: url, displayName: displayName, syncToken: nil)
    }

    // MARK: - Changes (RFC 6578)

    /// The members changed since `token` (nil: all of them). Without sync-collection, or when
    /// the server refuses the token, a full listing of ETags; never with `DAV:limit`.
    public func changes(in book: URL, since token: String?) async throws(DAVError) -> AddressBookChanges {
        do {
            return try await syncCollection(book, token: token)
        } catch DAVError.syncTokenRefused {
            return try await listing(book)
        }
    }

    private func syncCollection(_ book: URL, token: String?) async throws(DAVError) -> AddressBookChanges {
        let answer = try await transport.send("REPORT", book, body: DAVRequestBody.syncCollection(token: token, properties: [.dav("getetag")]),
                                              headers: [("Depth", "0")])
        // 403 (valid-sync-token), 409, 412 (Xandikos), 415/501 (no REPORT), 500: list instead.
        if [400, 403, 409, 412, 415, 500, 501].contains(answer.status) { throw .syncTokenRefused(status: answer.status) }
        let multistatus = try Self.multistatus(answer)
        var changed: [(String, String)] = []
        var deleted: [String] = []
        for response in multistatus.responses where !isCollection(response.href, book) {
            if response.isGone {
                deleted.append(transport.canonical(response.href))
            } else if let etag = response.etag {
                changed.append((transport.canonical(response.href), etag))
            }
        }
        return AddressBookChanges(changed: changed, deleted: deleted, token: multistatus.syncToken, isFull: token == nil)
    }

    private func listing(_ book: URL) async throws(DAVError) -> AddressBookChanges {
        let answer = try await propfind(book, depth: "1", [.dav("getetag"), .dav("resourcetype"), .dav("sync-token")])
        var changed: [(String, String)] = []
        var token: String?
        for response in answer.responses {
            if isCollection(response.href, book) {
                token = response.property(.dav("sync-token"))?.text
            } else if let etag = response.etag, !response.resourceTypes.contains(.dav("collection")) {
                changed.append((transport.canonical(response.href), etag))
            }
        }
        return AddressBookChanges(changed: changed, deleted: [], token: token, isFull: true)
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
        var start = 0
        while start < hrefs.count {
            let slice = Array(hrefs[start..<min(start + batchSize, hrefs.count)])
            start += slice.count
            let answer = try await transport.send("REPORT", book, body: DAVRequestBody.addressbookMultiget(slice), headers: [("Depth", "1")])
            for response in try Self.multistatus(answer).responses where !response.isGone {
                guard let etag = response.etag, let text = response.addressData else { continue }
                let href = transport.canonical(response.href)
                do {
                    batch.cards.append(FetchedCard(href: href, etag: etag, card: try VCard.parse(text)))
                } catch {
                    batch.unreadable.append(UnreadableCard(href: href, etag: etag, reason: "\(error)"))
                }
            }
        }
        return batch
    }

    // MARK: - Writes, always conditional

    /// Creates a card at `name` in `book` only if nothing is there (If-None-Match: *);
    /// returns where it is (the server may choose, `Location`) and its ETag when given.
    public func create(_ card: VCard, named name: String, in book: URL) async throws(DAVError) -> (href: String, etag: String?) {
        let href = href(named: name, in: book)
        let answer = try await put(card, at: try transport.resolve(href), condition: ("If-None-Match", "*"))
        return (answer.headers.first(name: "Location").map(transport.canonical) ?? href, answer.etag)
    }

    /// Where `create` puts a card named `name` (unless the server chooses another place):
    /// the same name always gives the same href, so a create repeated after a crash meets
    /// the first one (412) instead of making a second card.
    public func href(named name: String, in book: URL) -> String {
        let path = transport.canonical(book.absoluteString)
        return path + (path.hasSuffix("/") ? "" : "/") + Self.slug(name) + ".vcf"
    }

    /// Replaces the card at `href` if it still has `etag` (If-Match); returns the new ETag when given.
    public func update(_ card: VCard, at href: String, etag: String) async throws(DAVError) -> String? {
        try await put(card, at: try transport.resolve(href), condition: ("If-Match", etag)).etag
    }

    /// Deletes the card at `href` if it still has `etag`; one already gone is no error.
    public func delete(_ href: String, etag: String) async throws(DAVError) {
        let url = try transport.resolve(href)
        let answer = try await transport.send("DELETE", url, headers: [("If-Match", etag)])
        switch answer.status {
        case 200..<300, 404: return
        case 412: throw .preconditionFailed(url: url.absoluteString)
        default: throw .status(answer.status, method: "DELETE", url: url.absoluteString, detail: Self.detail(answer))
        }
    }

    private func put(_ card: VCard, at url: URL, condition: (String, String)) async throws(DAVError) -> DAVResponse {
        let answer = try await transport.send("PUT", url, body: Array(card.text.utf8), contentType: "text/vcard; charset=utf-8",
                                              headers: [condition])
        switch answer.status {
        case 200..<300: return answer
        case 412: throw .preconditionFailed(url: url.absoluteString)
        default: throw .status(answer.status, method: "PUT", url: url.absoluteString, detail: Self.detail(answer))
        }
    }

    // MARK: - Helpers

    private func propfind(_ url: URL, depth: String, _ properties: [DAVElement.QualifiedName]) async throws(DAVError) -> Multistatus {
        let answer = try await transport.send("PROPFIND", url, body: DAVRequestBody.propfind(properties), headers: [("Depth", depth)])
        return try Self.multistatus(answer)
    }

    private static func multistatus(_ answer: DAVResponse) throws(DAVError) -> Multistatus {
        guard answer.status == 207 else {
            throw .status(answer.status, method: "PROPFIND/REPORT", url: answer.url.absoluteString, detail: detail(answer))
        }
        do {
            return try Multistatus.parse(answer.body)
        } catch {
            throw .protocolViolation("\(answer.url.absoluteString): \(error)")
        }
    }

    /// The start of an error body, for the log.
    private static func detail(_ answer: DAVResponse) -> String {
        String(decoding: answer.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func isCollection(_ href: String, _ book: URL) -> Bool {
        func trimmed(_ path: String) -> String { path.hasSuffix("/") ? String(path.dropLast()) : path }
        return trimmed(transport.canonical(href)) == trimmed(transport.canonical(book.absoluteString))
    }

    /// A name safe in a URL path: letters, digits, `-` and `_`; anything else becomes `-`.
    static func slug(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_") ? Character(scalar) : "-"
        }
        let slug = String(mapped)
        return slug.isEmpty ? "item" : slug
    }
}
