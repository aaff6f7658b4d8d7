import DAVCore
import Foundation

/// What changed in a collection (address book, calendar) since a sync token, or, when the
/// server has no sync-collection or refused the token, everything in it (`isFull`).
public struct CollectionChanges: Sendable {
    /// Members new or changed (or all of them, `isFull`), with their ETags.
    public var changed: [(href: String, etag: String)]
    /// Members deleted since the token (never set for a full listing: what is not listed is gone).
    public var deleted: [String]
    /// The token to ask with next time; nil when the server has none.
    public var token: String?
    public var isFull: Bool
}

/// A member that is there but cannot be read (a vCard 2.1 export, a damaged calendar object).
public struct UnreadableMember: Sendable, Hashable {
    public var href: String
    public var etag: String
    public var reason: String

    public init(href: String, etag: String, reason: String) {
        self.href = href
        self.etag = etag
        self.reason = reason
    }
}

/// What CardDAV and CalDAV share (RFC 4918, 5689, 6578, 6764, 5397): discovery of a home
/// collection, its collections, making one, changes by sync-collection with a full listing
/// as fallback, multiget in batches, and writes that are always conditional.
struct DAVCollections: Sendable {
    let transport: DAVTransport
    var batchSize: Int

    // MARK: Discovery

    /// The account URL's principal (`current-user-principal`, from `/.well-known/<service>`
    /// when the URL is a server root), then its home set property.
    func home(wellKnown service: String, homeSet: DAVElement.QualifiedName) async throws(DAVError) -> URL {
        var start = transport.account.url
        if start.path.isEmpty || start.path == "/" {
            let wellKnown = try transport.resolve("/.well-known/\(service)")
            let answer = try await transport.send("PROPFIND", wellKnown, body: DAVRequestBody.propfind([.dav("current-user-principal")]),
                                                  headers: [("Depth", "0")])
            if (300..<400).contains(answer.status), let location = answer.headers.first(name: "Location") {
                start = try transport.resolve(location)
            }
        }
        let principal = try await hrefProperty(.dav("current-user-principal"), of: start) ?? start
        guard let home = try await hrefProperty(homeSet, of: principal) else {
            throw .protocolViolation("\(principal.absoluteString) names no \(homeSet.local); is this a \(service == "carddav" ? "CardDAV" : "CalDAV") server?")
        }
        return home
    }

    private func hrefProperty(_ name: DAVElement.QualifiedName, of url: URL) async throws(DAVError) -> URL? {
        let answer = try await propfind(url, depth: "0", [name])
        guard let href = answer.responses.lazy.compactMap({ $0.property(name)?.hrefs.first }).first else { return nil }
        return try transport.resolve(href)
    }

    /// The collections of a resource type in `home`, with the properties asked for.
    func collections(in home: URL, type: DAVElement.QualifiedName,
                     properties: [DAVElement.QualifiedName]) async throws(DAVError) -> [Multistatus.Response] {
        let answer = try await propfind(home, depth: "1", [.dav("resourcetype"), .dav("displayname"), .dav("sync-token")] + properties)
        return answer.responses.filter { $0.resourceTypes.contains(type) }
    }

    /// Makes a collection named after `displayName` in `home` with `method` (MKCOL, MKCALENDAR).
    /// An address book and a calendar may share a display name (both the CRM's): when the
    /// name's path is taken (405, or Radicale's 409), the next of `name-2` … `name-5` is tried.
    func make(_ method: String, named displayName: String, body: [UInt8], in home: URL) async throws(DAVError) -> URL {
        let homePath = transport.canonical(home.absoluteString)
        var attempt = 1
        while true {
            let slug = Self.slug(displayName) + (attempt > 1 ? "-\(attempt)" : "")
            let url = try transport.resolve(homePath + (homePath.hasSuffix("/") ? "" : "/") + slug + "/")
            let answer = try await transport.send(method, url, body: body)
            if answer.status == 201 { return url }
            guard [405, 409].contains(answer.status), attempt < 5 else {
                throw .status(answer.status, method: method, url: url.absoluteString, detail: Self.detail(answer))
            }
            attempt += 1
        }
    }

    // MARK: Changes (RFC 6578)

    /// The members changed since `token` (nil: all of them). Without sync-collection, or when
    /// the server refuses the token, a full listing of ETags; never with `DAV:limit`.
    func changes(in collection: URL, since token: String?) async throws(DAVError) -> CollectionChanges {
        do {
            return try await syncCollection(collection, token: token)
        } catch DAVError.syncTokenRefused {
            return try await listing(collection)
        }
    }

    private func syncCollection(_ collection: URL, token: String?) async throws(DAVError) -> CollectionChanges {
        let answer = try await transport.send("REPORT", collection, body: DAVRequestBody.syncCollection(token: token, properties: [.dav("getetag")]),
                                              headers: [("Depth", "0")])
        // 403 (valid-sync-token), 409, 412 (Xandikos), 415/501 (no REPORT), 500: list instead.
        if [400, 403, 409, 412, 415, 500, 501].contains(answer.status) { throw .syncTokenRefused(status: answer.status) }
        let multistatus = try Self.multistatus(answer)
        var changed: [(String, String)] = []
        var deleted: [String] = []
        for response in multistatus.responses where !isCollection(response.href, collection) {
            if response.isGone {
                deleted.append(transport.canonical(response.href))
            } else if let etag = response.etag {
                changed.append((transport.canonical(response.href), etag))
            }
        }
        return CollectionChanges(changed: changed, deleted: deleted, token: multistatus.syncToken, isFull: token == nil)
    }

    private func listing(_ collection: URL) async throws(DAVError) -> CollectionChanges {
        let answer = try await propfind(collection, depth: "1", [.dav("getetag"), .dav("resourcetype"), .dav("sync-token")])
        var changed: [(String, String)] = []
        var token: String?
        for response in answer.responses {
            if isCollection(response.href, collection) {
                token = response.property(.dav("sync-token"))?.text
            } else if let etag = response.etag, !response.resourceTypes.contains(.dav("collection")) {
                changed.append((transport.canonical(response.href), etag))
            }
        }
        return CollectionChanges(changed: changed, deleted: [], token: token, isFull: true)
    }

    /// REPORT `body(batch)` for `batchSize` members at a time; each member's href, ETag and
    /// data as `data` takes it from the answer (members gone meanwhile are left out).
    func multiget(_ hrefs: [String], in collection: URL, body: ([String]) -> [UInt8],
                  data: (Multistatus.Response) -> String?) async throws(DAVError) -> [(href: String, etag: String, text: String)] {
        var found: [(href: String, etag: String, text: String)] = []
        var start = 0
        while start < hrefs.count {
            let slice = Array(hrefs[start..<min(start + batchSize, hrefs.count)])
            start += slice.count
            let answer = try await transport.send("REPORT", collection, body: body(slice), headers: [("Depth", "1")])
            for response in try Self.multistatus(answer).responses where !response.isGone {
                guard let etag = response.etag, let text = data(response) else { continue }
                found.append((transport.canonical(response.href), etag, text))
            }
        }
        return found
    }

    /// A REPORT or PROPFIND answered with members: their canonical hrefs and ETags.
    func members(_ method: String, _ collection: URL, body: [UInt8], depth: String) async throws(DAVError) -> [(href: String, etag: String)] {
        let answer = try await transport.send(method, collection, body: body, headers: [("Depth", depth)])
        return try Self.multistatus(answer).responses.compactMap { response in
            guard !response.isGone, !isCollection(response.href, collection), let etag = response.etag else { return nil }
            return (transport.canonical(response.href), etag)
        }
    }

    // MARK: Writes, always conditional

    /// Where a member named `name` is created (unless the server chooses another place): the
    /// same name always gives the same href, so a create repeated after a crash meets the
    /// first one (412) instead of making a second.
    func href(named name: String, extension suffix: String, in collection: URL) -> String {
        let path = transport.canonical(collection.absoluteString)
        return path + (path.hasSuffix("/") ? "" : "/") + Self.slug(name) + "." + suffix
    }

    /// PUT only if nothing is at `href` (If-None-Match: *); where it is (`Location`) and its ETag when given.
    func create(_ body: [UInt8], contentType: String, at href: String) async throws(DAVError) -> (href: String, etag: String?) {
        let answer = try await put(body, contentType: contentType, at: try transport.resolve(href), condition: ("If-None-Match", "*"))
        return (answer.headers.first(name: "Location").map(transport.canonical) ?? href, answer.etag)
    }

    /// PUT if the member still has `etag` (If-Match); its new ETag when given.
    func update(_ body: [UInt8], contentType: String, at href: String, etag: String) async throws(DAVError) -> String? {
        try await put(body, contentType: contentType, at: try transport.resolve(href), condition: ("If-Match", etag)).etag
    }

    /// DELETE if the member still has `etag`; one already gone is no error.
    func delete(_ href: String, etag: String) async throws(DAVError) {
        let url = try transport.resolve(href)
        let answer = try await transport.send("DELETE", url, headers: [("If-Match", etag)])
        switch answer.status {
        case 200..<300, 404: return
        case 412: throw .preconditionFailed(url: url.absoluteString)
        default: throw .status(answer.status, method: "DELETE", url: url.absoluteString, detail: Self.detail(answer))
        }
    }

    private func put(_ body: [UInt8], contentType: String, at url: URL, condition: (String, String)) async throws(DAVError) -> DAVResponse {
        let answer = try await transport.send("PUT", url, body: body, contentType: contentType, headers: [condition])
        switch answer.status {
        case 200..<300: return answer
        case 412: throw .preconditionFailed(url: url.absoluteString)
        default: throw .status(answer.status, method: "PUT", url: url.absoluteString, detail: Self.detail(answer))
        }
    }

    // MARK: Helpers

    func propfind(_ url: URL, depth: String, _ properties: [DAVElement.QualifiedName]) async throws(DAVError) -> Multistatus {
        let answer = try await transport.send("PROPFIND", url, body: DAVRequestBody.propfind(properties), headers: [("Depth", depth)])
        return try Self.multistatus(answer)
    }

    static func multistatus(_ answer: DAVResponse) throws(DAVError) -> Multistatus {
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
    static func detail(_ answer: DAVResponse) -> String {
        String(decoding: answer.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func isCollection(_ href: String, _ collection: URL) -> Bool {
        func trimmed(_ path: String) -> String { path.hasSuffix("/") ? String(path.dropLast()) : path }
        return trimmed(transport.canonical(href)) == trimmed(transport.canonical(collection.absoluteString))
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

/// A collection client of one kind of document (vCards, calendar objects): what the DAV
/// bridge needs to keep a collection in step, whatever it holds. Changes, names and the
/// conditional writes are the same for every kind and written once here.
public protocol DocumentCollectionClient: Sendable {
    associatedtype Document: Sendable & Equatable
    var transport: DAVTransport { get }
    /// Members per multiget.
    var batchSize: Int { get }
    /// The media type of a member (`text/vcard; charset=utf-8`).
    static var contentType: String { get }
    /// The file extension of a member's name (`vcf`, `ics`).
    static var fileExtension: String { get }
    /// A document as its member's body.
    static func text(of document: Document) -> String
    /// The documents of `hrefs`, and the members that could not be read, with the reason.
    func documents(_ hrefs: [String], in collection: URL) async throws(DAVError)
        -> (documents: [(href: String, etag: String, document: Document)], unreadable: [UnreadableMember])
}

extension DocumentCollectionClient {
    var core: DAVCollections { DAVCollections(transport: transport, batchSize: batchSize) }

    /// The members changed since `token` (nil: all), by sync-collection or a full listing.
    public func changes(in collection: URL, since token: String?) async throws(DAVError) -> CollectionChanges {
        try await core.changes(in: collection, since: token)
    }

    /// Where `create` puts a member named `name` (unless the server chooses): always the same.
    public func href(named name: String, in collection: URL) -> String {
        core.href(named: name, extension: Self.fileExtension, in: collection)
    }

    /// Creates a member at `name` only if nothing is there (If-None-Match: *); where it is and its ETag when given.
    public func create(_ document: Document, named name: String, in collection: URL) async throws(DAVError) -> (href: String, etag: String?) {
        try await core.create(Array(Self.text(of: document).utf8), contentType: Self.contentType, at: href(named: name, in: collection))
    }

    /// Replaces the member at `href` if it still has `etag` (If-Match); the new ETag when given.
    public func update(_ document: Document, at href: String, etag: String) async throws(DAVError) -> String? {
        try await core.update(Array(Self.text(of: document).utf8), contentType: Self.contentType, at: href, etag: etag)
    }

    /// Deletes the member at `href` if it still has `etag`; one already gone is no error.
    public func delete(_ href: String, etag: String) async throws(DAVError) {
        try await core.delete(href, etag: etag)
    }
}

extension CardDAVClient: DocumentCollectionClient {
    public static let contentType = "text/vcard; charset=utf-8"
    public static let fileExtension = "vcf"
    public static func text(of card: VCard) -> String { card.text }

    public func documents(_ hrefs: [String], in book: URL) async throws(DAVError)
        -> (documents: [(href: String, etag: String, document: VCard)], unreadable: [UnreadableMember]) {
        let batch = try await readCards(hrefs, in: book)
        return (batch.cards.map { ($0.href, $0.etag, $0.card) }, batch.unreadable)
    }
}

extension CalDAVClient: DocumentCollectionClient {
    public static let contentType = "text/calendar; charset=utf-8"
    public static let fileExtension = "ics"
    public static func text(of object: ICalendar) -> String { object.text }

    public func documents(_ hrefs: [String], in calendar: URL) async throws(DAVError)
        -> (documents: [(href: String, etag: String, document: ICalendar)], unreadable: [UnreadableMember]) {
        let batch = try await objects(hrefs, in: calendar)
        return (batch.objects.map { ($0.href, $0.etag, $0.calendar) }, batch.unreadable)
    }
}
