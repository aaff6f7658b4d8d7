import MIMECore

/// What header searches look at (HEADER, SUBJECT, FROM, TO, CC, BCC, SENT*), worked out once
/// when a message is stored (`body.searchFields`): a search then reads one short text per
/// message instead of decoding its parsed index and reading its bytes.
///
/// One line per top-level header field, `name TAB value`, the name lowercased and the value
/// unfolded and RFC 2047-decoded (tabs and line breaks in it made spaces); then, for FROM,
/// TO, CC and BCC, a line per address field as parsed, named with a leading U+0001 (no header
/// name has it): `Display Name <mailbox@host>, …`, groups by their name.
public struct SearchFields: Sendable, Hashable {
    public let text: String

    public init(text: String) { self.text = text }

    public enum AddressField: String, Sendable, CaseIterable {
        case from, to, cc, bcc

        var line: String { "\u{1}" + rawValue }
        func list(_ envelope: MessageEnvelope) -> [MessageAddress] {
            switch self {
            case .from: envelope.from
            case .to: envelope.to
            case .cc: envelope.cc
            case .bcc: envelope.bcc
            }
        }
    }

    public init(index: MessageIndex, raw: [UInt8]) {
        var lines = index.headerFields(in: raw).map { field in
            field.name.lowercased() + "\t" + Self.oneLine(field.value)
        }
        if let envelope = index.root.envelope {
            for field in AddressField.allCases {
                let list = field.list(envelope)
                if !list.isEmpty { lines.append(field.line + "\t" + Self.oneLine(Self.text(of: list))) }
            }
        }
        text = lines.joined(separator: "\n")
    }

    /// The values of the header fields called `name` (any case), in message order.
    public func values(of name: String) -> [Substring] {
        // Field names are ASCII: folded byte by byte as they are compared, without a lowercased copy per message.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            return values(ofLine: name.utf8.lazy.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 })
        }
        return values(ofLine: name.lowercased().utf8)
    }

    /// An address list as parsed; nil when the message has no such field.
    public func addresses(_ field: AddressField) -> Substring? {
        values(ofLine: field.line.utf8).first
    }

    /// The values of the lines named `prefix` (lowercased), scanning the UTF-8 bytes once without splitting.
    private func values(ofLine prefix: some Collection<UInt8>) -> [Substring] {
        var values: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = utf8[start..<end]
            if line.starts(with: prefix) {
                let tab = utf8.index(start, offsetBy: prefix.count)
                if tab < end, utf8[tab] == UInt8(ascii: "\t") { values.append(text[utf8.index(after: tab)..<end]) }
            }
            start = end == utf8.endIndex ? end : utf8.index(after: end)
        }
        return values
    }

    private static func oneLine(_ value: String) -> String {
        String(value.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// `Display Name <mailbox@host>` per address, display names' RFC 2047 words decoded; a
    /// group is its name and a colon, its end nothing.
    private static func text(of list: [MessageAddress]) -> String {
        list.map { address -> String in
            let name = address.name.map { HeaderDecoding.decodeEncodedWords($0) } ?? ""
            guard let mailbox = address.mailbox else { return "" }  // the end of a group
            let local = String(decoding: mailbox, as: UTF8.self)
            guard let host = address.host else { return HeaderDecoding.decodeEncodedWords(mailbox) + ":" }  // a group's name
            let email = local + "@" + String(decoding: host, as: UTF8.self)
            return name.isEmpty ? email : "\(name) <\(email)>"
        }.joined(separator: ", ")
    }
}
