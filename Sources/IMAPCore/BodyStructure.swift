/// BODYSTRUCTURE / BODY of a message as IMAP describes it (RFC 9051 §7.5.2, `body`).
/// Always carries the extension data; the BODY (non-extensible) form omits it when encoded.
public indirect enum BodyStructure: Hashable, Sendable {
    case singlepart(SinglePart)
    case multipart(MultiPart)

    public struct Fields: Hashable, Sendable {
        /// `body-fld-param`: attribute/value pairs, e.g. [("CHARSET", "utf-8")].
        public var parameters: [Parameter]
        public var id: [UInt8]?
        public var description: [UInt8]?
        /// `body-fld-enc`, e.g. "7BIT", "BASE64".
        public var encoding: String
        /// Octets of the body as stored (still transfer-encoded).
        public var octets: Int

        public init(parameters: [Parameter] = [], id: [UInt8]? = nil, description: [UInt8]? = nil, encoding: String = "7BIT", octets: Int) {
            self.parameters = parameters; self.id = id; self.description = description
            self.encoding = encoding; self.octets = octets
        }
    }

    public struct Parameter: Hashable, Sendable {
        public var attribute: String
        public var value: [UInt8]
        public init(_ attribute: String, _ value: [UInt8]) { self.attribute = attribute; self.value = value }
    }

    public struct Disposition: Hashable, Sendable {
        public var kind: String
        public var parameters: [Parameter]
        public init(kind: String, parameters: [Parameter] = []) { self.kind = kind; self.parameters = parameters }
    }

    /// `body-ext-1part`.
    public struct SinglePartExtension: Hashable, Sendable {
        public var md5: [UInt8]?
        public var disposition: Disposition?
        public var language: [String]
        public var location: [UInt8]?
        public init(md5: [UInt8]? = nil, disposition: Disposition? = nil, language: [String] = [], location: [UInt8]? = nil) {
            self.md5 = md5; self.disposition = disposition; self.language = language; self.location = location
        }
    }

    public enum Kind: Hashable, Sendable {
        /// `body-type-basic`: media type/subtype other than text/* and message/rfc822.
        case basic(type: String, subtype: String)
        /// `body-type-text`: text/subtype with its line count.
        case text(subtype: String, lines: Int)
        /// `body-type-msg`: message/rfc822 (or message/global) with the encapsulated message.
        case message(subtype: String, envelope: Envelope, body: BodyStructure, lines: Int)
    }

    public struct SinglePart: Hashable, Sendable {
        public var kind: Kind
        public var fields: Fields
        public var ext: SinglePartExtension
        public init(kind: Kind, fields: Fields, ext: SinglePartExtension = .init()) {
            self.kind = kind; self.fields = fields; self.ext = ext
        }
    }

    /// `body-type-mpart` with `body-ext-mpart`.
    public struct MultiPart: Hashable, Sendable {
        public var parts: [BodyStructure]
        public var subtype: String
        public var parameters: [Parameter]
        public var disposition: Disposition?
        public var language: [String]
        public var location: [UInt8]?
        public init(parts: [BodyStructure], subtype: String, parameters: [Parameter] = [], disposition: Disposition? = nil, language: [String] = [], location: [UInt8]? = nil) {
            self.parts = parts; self.subtype = subtype; self.parameters = parameters
            self.disposition = disposition; self.language = language; self.location = location
        }
    }
}
