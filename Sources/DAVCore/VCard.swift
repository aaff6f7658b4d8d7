import Crypto

/// A vCard 3.0 (RFC 2426) or 4.0 (RFC 6350): its version and every other property in order.
/// Properties crmgate does not own (X- properties, Apple's `item1.` groups, PHOTO …) are kept
/// exactly and written back; the typed accessors cover what the CRM mapping reads and writes.
public struct VCard: Hashable, Sendable, PropertyList {
    public enum Version: String, Hashable, Sendable {
        case v3 = "3.0"
        case v4 = "4.0"
    }

    public var version: Version
    /// All properties but BEGIN, VERSION and END.
    public var properties: [ContentLine]

    public init(version: Version = .v4, properties: [ContentLine] = []) {
        self.version = version
        self.properties = properties
    }

    /// The property crmgate writes the CRM record's id into, so that a card is re-linked to
    /// its record when the sync state is lost.
    public static let crmIDProperty = "X-CRMGATE-ID"

    // MARK: - The fields of a contact

    public var uid: String? { text("UID") }
    public var formattedName: String? { text("FN") }
    public var title: String? { text("TITLE") }
    public var note: String? { text("NOTE") }
    public var crmID: String? { text(Self.crmIDProperty) }

    /// N: family names; given names; additional names; prefixes; suffixes (RFC 6350 §6.2.2).
    public var name: [[String]]? { first("N").map { TextValue.components($0.value) } }

    /// ORG: the organization, then its units.
    public var organization: [String] {
        first("ORG").map { TextValue.components($0.value).map { $0.joined(separator: ",") } } ?? []
    }

    public var emails: [TypedValue] { all("EMAIL").map(TypedValue.init) }
    public var phones: [TypedValue] { all("TEL").map(TypedValue.init) }

    /// A property with several instances told apart by TYPE (EMAIL, TEL, ADR …).
    public struct TypedValue: Hashable, Sendable {
        /// The value unescaped; a `tel:` URI of vCard 4.0 as written.
        public var value: String
        /// TYPE values, lowercased (`work`, `home`, `cell`, `pref` …).
        public var types: [String]
        /// Preferred: `PREF=1` (4.0) or `TYPE=pref` (3.0).
        public var preferred: Bool

        init(_ line: ContentLine) {
            value = TextValue.unescape(line.value)
            types = line.types.filter { $0 != "pref" }
            preferred = line.types.contains("pref") || line.parameter("PREF").contains("1")
        }
    }
}

// MARK: - Parsing

extension VCard {
    /// Parses one vCard; its text must hold exactly one.
    public static func parse(_ text: String, limits: VCardLimits = VCardLimits()) throws(ContentLineError) -> VCard {
        let cards = try parseAll(text, limits: limits)
        guard cards.count == 1 else {
            throw ContentLineError(line: 1, cards.isEmpty ? "no vCard (BEGIN:VCARD) in the text" : "\(cards.count) vCards where one was expected")
        }
        return cards[0]
    }

    /// Parses every vCard of a text (a `.vcf` file may hold many).
    // vcard-entity = 1*vcard
    // vcard = "BEGIN:VCARD" CRLF "VERSION:4.0" CRLF 1*contentline "END:VCARD" CRLF
    public static func parseAll(_ text: String, limits: VCardLimits = VCardLimits()) throws(ContentLineError) -> [VCard] {
        guard text.utf8.count <= limits.maxBytes else {
            throw ContentLineError(line: 1, "the vCard text is \(text.utf8.count) bytes, more than the limit of \(limits.maxBytes)")
        }
        var cards: [VCard] = []
        var current: (start: Int, version: Version?, properties: [ContentLine])?
        var depth = 0  // vCard 2.1/3.0 AGENT may nest a whole card; it stays a property of the outer one
        for (number, text) in Folding.unfold(text) {
            let line = try ContentLine.parse(text, line: number)
            let value = line.value.uppercased()
            if line.name == "BEGIN", value == "VCARD", line.group == nil {
                if current == nil {
                    current = (number, nil, [])
                    continue
                }
                depth += 1
            }
            guard var card = current else {
                throw ContentLineError(line: number, "\(line.name) outside a vCard (no BEGIN:VCARD before it)")
            }
            if line.name == "END", value == "VCARD", line.group == nil, depth == 0 {
                guard let version = card.version else {
                    throw ContentLineError(line: card.start, "the vCard has no VERSION")
                }
                cards.append(VCard(version: version, properties: card.properties))
                current = nil
                continue
            }
            if line.name == "END", value == "VCARD" { depth -= 1 }
            if line.name == "VERSION", card.version == nil, depth == 0 {
                guard let version = Version(rawValue: String(line.value.trimmed(" "))) else {
                    throw ContentLineError(line: number, "vCard version \(line.value) is not supported: crmgate reads 3.0 and 4.0")
                }
                card.version = version
            } else {
                guard card.properties.count < limits.maxProperties else {
                    throw ContentLineError(line: number, "the vCard has more than \(limits.maxProperties) properties")
                }
                card.properties.append(line)
            }
            current = card
        }
        if let card = current {
            throw ContentLineError(line: card.start, "the vCard that begins here has no END:VCARD")
        }
        return cards
    }
}

private extension String {
    func trimmed(_ character: Character) -> Substring {
        var text = self[...]
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return text
    }
}

/// Bounds on what a vCard may hold, so a hostile or broken card cannot take the memory.
public struct VCardLimits: Hashable, Sendable {
    /// The whole text, photos included.
    public var maxBytes: Int
    public var maxProperties: Int

    public init(maxBytes: Int = 8 << 20, maxProperties: Int = 5_000) {
        self.maxBytes = maxBytes
        self.maxProperties = maxProperties
    }
}

// MARK: - Writing

extension VCard {
    /// The card as text: CRLF line ends, lines folded at 75 octets.
    public var text: String {
        var text = "BEGIN:VCARD\r\nVERSION:\(version.rawValue)\r\n"
        for property in properties { text += Folding.fold(property.unfolded) }
        return text + "END:VCARD\r\n"
    }

    /// A hash of what the card says, for telling a real change from a rewrite: the same
    /// whatever the property order, REV and PRODID, folding, the case of names and TYPE
    /// values, and the way a value was escaped (SHA-256, hex).
    public var contentHash: String {
        let ignored: Set<String> = ["REV", "PRODID"]
        var lines = properties.filter { !ignored.contains($0.name) }.map { property -> String in
            let parameters = property.parameters.map { parameter -> String in
                let values = (parameter.values ?? []).map { parameter.name == "TYPE" ? $0.lowercased() : $0 }.sorted()
                return parameter.name + "=" + values.joined(separator: ",")
            }.sorted()
            let value = TextValue.components(property.value).map { $0.map(TextValue.escape).joined(separator: ",") }.joined(separator: ";")
            return ([(property.group?.uppercased() ?? "") + "." + property.name] + parameters).joined(separator: ";") + ":" + value
        }
        lines.sort()
        let digest = SHA256.hash(data: Array((version.rawValue + "\n" + lines.joined(separator: "\n")).utf8))
        return digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
