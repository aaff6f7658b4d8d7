/// The XML bodies crmgate sends to CardDAV and CalDAV servers. Never with `DAV:limit`:
/// some servers (Xandikos) silently cut their answer to it.
public enum DAVRequestBody {
    /// PROPFIND for the named properties (RFC 4918 §9.1).
    public static func propfind(_ properties: [DAVElement.QualifiedName]) -> [UInt8] {
        document("propfind", [.dav, .cardDAV, .calDAV]) { "<d:prop>" + properties.map(emptyElement).joined() + "</d:prop>" }
    }

    /// REPORT sync-collection (RFC 6578 §3.2): changes since `token` (nil: the first sync,
    /// everything), members only (`sync-level` 1).
    public static func syncCollection(token: String?, properties: [DAVElement.QualifiedName]) -> [UInt8] {
        document("sync-collection", [.dav]) {
            "<d:sync-token>\(escape(token ?? ""))</d:sync-token><d:sync-level>1</d:sync-level>"
                + "<d:prop>" + properties.map(emptyElement).joined() + "</d:prop>"
        }
    }

    /// REPORT addressbook-multiget (RFC 6352 §8.7): the vCards and ETags of these members.
    public static func addressbookMultiget(_ hrefs: [String]) -> [UInt8] {
        document("addressbook-multiget", [.dav, .cardDAV], root: "c") {
            "<d:prop><d:getetag/><c:address-data/></d:prop>" + hrefs.map { "<d:href>\(escape($0))</d:href>" }.joined()
        }
    }

    /// Extended MKCOL (RFC 5689) of an address book named `displayName` (RFC 6352 §6.3.1).
    public static func makeAddressbook(displayName: String) -> [UInt8] {
        document("mkcol", [.dav, .cardDAV]) {
            "<d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype>"
                + "<d:displayname>\(escape(displayName))</d:displayname></d:prop></d:set>"
        }
    }

    /// REPORT calendar-multiget (RFC 4791 §7.9): the calendar objects and ETags of these members.
    public static func calendarMultiget(_ hrefs: [String]) -> [UInt8] {
        document("calendar-multiget", [.dav, .calDAV], root: "cal") {
            "<d:prop><d:getetag/><cal:calendar-data/></d:prop>" + hrefs.map { "<d:href>\(escape($0))</d:href>" }.joined()
        }
    }

    /// REPORT calendar-query (RFC 4791 §7.8): the members with a `component` (VEVENT, VTODO)
    /// overlapping `start`..`end` (UTC `YYYYMMDDTHHMMSSZ`; nil: unbounded), ETags only.
    public static func calendarQuery(component: String, start: String?, end: String?) -> [UInt8] {
        document("calendar-query", [.dav, .calDAV], root: "cal") {
            var range = ""
            if start != nil || end != nil {
                range = "<cal:time-range" + (start.map { " start=\"\(escape($0))\"" } ?? "") + (end.map { " end=\"\(escape($0))\"" } ?? "") + "/>"
            }
            return "<d:prop><d:getetag/></d:prop><cal:filter><cal:comp-filter name=\"VCALENDAR\">"
                + "<cal:comp-filter name=\"\(escape(component))\">\(range)</cal:comp-filter></cal:comp-filter></cal:filter>"
        }
    }

    /// MKCALENDAR (RFC 4791 §5.3.1) of a calendar named `displayName` for `components`.
    public static func makeCalendar(displayName: String, components: [String]) -> [UInt8] {
        document("mkcalendar", [.dav, .calDAV], root: "cal") {
            "<d:set><d:prop><d:displayname>\(escape(displayName))</d:displayname><cal:supported-calendar-component-set>"
                + components.map { "<cal:comp name=\"\(escape($0))\"/>" }.joined()
                + "</cal:supported-calendar-component-set></d:prop></d:set>"
        }
    }

    private enum Prefix {
        case dav, cardDAV, calDAV

        var declaration: String {
            switch self {
            case .dav: " xmlns:d=\"DAV:\""
            case .cardDAV: " xmlns:c=\"\(DAVNamespace.cardDAV)\""
            case .calDAV: " xmlns:cal=\"\(DAVNamespace.calDAV)\""
            }
        }
    }

    private static func document(_ name: String, _ prefixes: [Prefix], root: String = "d", _ content: () -> String) -> [UInt8] {
        let declarations = prefixes.map(\.declaration).joined()
        return Array("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<\(root):\(name)\(declarations)>\(content())</\(root):\(name)>".utf8)
    }

    /// `<d:getetag/>`, with a namespace declaration for namespaces other than the three above.
    private static func emptyElement(_ name: DAVElement.QualifiedName) -> String {
        switch name.namespace {
        case DAVNamespace.dav: "<d:\(name.local)/>"
        case DAVNamespace.cardDAV: "<c:\(name.local)/>"
        case DAVNamespace.calDAV: "<cal:\(name.local)/>"
        default: "<x:\(name.local) xmlns:x=\"\(escape(name.namespace))\"/>"
        }
    }

    /// Character data and attribute values: `&`, `<`, `>`, `"` and `'` as entities.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
