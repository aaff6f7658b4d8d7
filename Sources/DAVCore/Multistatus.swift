import Foundation

/// A `207 Multi-Status` body (RFC 4918 §13, §14.16): what PROPFIND, REPORT
/// sync-collection (RFC 6578) and addressbook-multiget (RFC 6352 §8.7) answer.
public struct Multistatus: Hashable, Sendable {
    public var responses: [Response]
    /// The new token of a sync-collection REPORT.
    public var syncToken: String?

    /// One resource: its properties by status, or (a member deleted since a sync token,
    /// RFC 6578 §3.5.2) just a status.
    public struct Response: Hashable, Sendable {
        /// As the server wrote it (percent-encoded, absolute path or URL).
        public var href: String
        /// The status of the whole response (`404` for a deleted member), when given.
        public var status: Int?
        public var propstats: [PropStat]

        /// The properties the server found (status 2xx), by name.
        public func property(_ name: DAVElement.QualifiedName) -> DAVElement? {
            propstats.lazy.filter { (200..<300).contains($0.status) }.compactMap { $0.properties.first { $0.name == name } }.first
        }

        /// `DAV:getetag`, quotes kept (they are part of the entity tag).
        public var etag: String? { property(.dav("getetag"))?.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        /// `DAV:displayname`.
        public var displayName: String? { property(.dav("displayname"))?.text }
        /// The element names inside `DAV:resourcetype` (`collection`, CardDAV `addressbook` …).
        public var resourceTypes: Set<DAVElement.QualifiedName> {
            Set(property(.dav("resourcetype"))?.children.map(\.name) ?? [])
        }
        /// The vCard or iCalendar text of a multiget answer (`address-data`, `calendar-data`).
        public var addressData: String? { property(.cardDAV("address-data"))?.text }
        public var calendarData: String? { property(.calDAV("calendar-data"))?.text }

        /// Deleted (sync-collection) or not found: a 404 for the response.
        public var isGone: Bool { status == 404 }
    }

    public struct PropStat: Hashable, Sendable {
        public var status: Int
        public var properties: [DAVElement]
    }
}

extension Multistatus {
    // multistatus = (response*, responsedescription?, sync-token?)
    // response = (href, ((href*, status) | (propstat+)), error?, responsedescription?, location?)
    // propstat = (prop, status, error?, responsedescription?)
    public static func parse(_ body: [UInt8], limits: DAVXMLLimits = DAVXMLLimits()) throws(DAVXMLError) -> Multistatus {
        let root = try DAVElement.parse(body, limits: limits)
        guard root.name == .dav("multistatus") else {
            throw DAVXMLError("expected a DAV:multistatus body, got \(root.name)")
        }
        var responses: [Response] = []
        for element in root.children(.dav("response")) {
            guard let href = element.hrefs.first else {
                throw DAVXMLError("a DAV:response without DAV:href")
            }
            var status: Int?
            if let line = element.child(.dav("status")) { status = try Self.statusCode(line.text) }
            var propstats: [PropStat] = []
            for propstat in element.children(.dav("propstat")) {
                guard let code = propstat.child(.dav("status")) else {
                    throw DAVXMLError("the DAV:propstat of \(href) has no DAV:status")
                }
                propstats.append(PropStat(status: try Self.statusCode(code.text), properties: propstat.child(.dav("prop"))?.children ?? []))
            }
            // Several hrefs with one status (RFC 4918 §14.24): each gets that status.
            for each in element.hrefs {
                responses.append(Response(href: each, status: status, propstats: propstats))
            }
        }
        let token = root.child(.dav("sync-token"))?.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Multistatus(responses: responses, syncToken: token)
    }

    /// The code of a status line: `HTTP/1.1 404 Not Found` → 404.
    // status = HTTP-Version SP Status-Code SP Reason-Phrase
    static func statusCode(_ line: String) throws(DAVXMLError) -> Int {
        let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]), (100..<600).contains(code) else {
            throw DAVXMLError("\"\(line.prefix(60))\" is not an HTTP status line")
        }
        return code
    }
}
