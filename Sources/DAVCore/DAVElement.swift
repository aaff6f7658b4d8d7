import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element of a WebDAV body, by namespace and local name whatever prefix the server
/// chose (`D:`, `d:`, `ns0:` or a default namespace): its text and its child elements.
public struct DAVElement: Hashable, Sendable {
    public var name: QualifiedName
    /// The character data directly inside it (CDATA included), untrimmed.
    public var text: String
    public var children: [DAVElement]
    /// Its attributes by name (`name` of CalDAV's `<comp name="VEVENT"/>`).
    public var attributes: [String: String]

    public init(name: QualifiedName, text: String = "", children: [DAVElement] = [], attributes: [String: String] = [:]) {
        self.name = name
        self.text = text
        self.children = children
        self.attributes = attributes
    }

    /// An element name with its namespace: `DAV:` `href`, `urn:ietf:params:xml:ns:carddav` `address-data`.
    public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
        public var namespace: String
        public var local: String

        public init(_ namespace: String, _ local: String) {
            self.namespace = namespace
            self.local = local
        }

        public static func dav(_ local: String) -> QualifiedName { QualifiedName(DAVNamespace.dav, local) }
        public static func cardDAV(_ local: String) -> QualifiedName { QualifiedName(DAVNamespace.cardDAV, local) }
        public static func calDAV(_ local: String) -> QualifiedName { QualifiedName(DAVNamespace.calDAV, local) }

        public var description: String { "{\(namespace)}\(local)" }
    }

    public func child(_ name: QualifiedName) -> DAVElement? { children.first { $0.name == name } }
    public func children(_ name: QualifiedName) -> [DAVElement] { children.filter { $0.name == name } }

    /// The text of every `DAV:href` inside it (current-user-principal, addressbook-home-set …).
    public var hrefs: [String] {
        children(.dav("href")).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

/// The namespaces of WebDAV (RFC 4918), CardDAV (RFC 6352) and CalDAV (RFC 4791).
public enum DAVNamespace {
    public static let dav = "DAV:"
    public static let cardDAV = "urn:ietf:params:xml:ns:carddav"
    public static let calDAV = "urn:ietf:params:xml:ns:caldav"
}

/// Bounds on a WebDAV XML body, so a hostile or broken server cannot take the memory.
public struct DAVXMLLimits: Hashable, Sendable {
    public var maxBytes: Int
    public var maxDepth: Int
    public var maxElements: Int

    public init(maxBytes: Int = 64 << 20, maxDepth: Int = 64, maxElements: Int = 2_000_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }
}

/// A WebDAV body that is not well-formed XML or not what was asked for.
public struct DAVXMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension DAVElement {
    /// Parses an XML document into its root element (namespaces resolved; no external
    /// entities or DTDs are loaded).
    public static func parse(_ data: [UInt8], limits: DAVXMLLimits = DAVXMLLimits()) throws(DAVXMLError) -> DAVElement {
        guard data.count <= limits.maxBytes else {
            throw DAVXMLError("the XML body is \(data.count) bytes, more than the limit of \(limits.maxBytes)")
        }
        let builder = TreeBuilder(limits: limits)
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let failure = builder.failure { throw failure }
        guard parsed, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw DAVXMLError("the XML body is not well-formed (line \(parser.lineNumber), column \(parser.columnNumber)): \(reason)")
        }
        return root
    }
}

/// Collects XMLParser's events into `DAVElement`s.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    let limits: DAVXMLLimits
    var stack: [DAVElement] = []
    var root: DAVElement?
    var failure: DAVXMLError?
    var elements = 0

    init(limits: DAVXMLLimits) {
        self.limits = limits
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements += 1
        if stack.count >= limits.maxDepth || elements > limits.maxElements {
            failure = DAVXMLError(stack.count >= limits.maxDepth
                ? "the XML body nests deeper than \(limits.maxDepth) elements"
                : "the XML body has more than \(limits.maxElements) elements")
            parser.abortParsing()
            return
        }
        stack.append(DAVElement(name: .init(namespaceURI ?? "", elementName), attributes: attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }
}
