import IMAPCore

/// The ENVELOPE facts of one message, stored with the index (RFC 9051 §7.5.2, `envelope`).
///
/// A Codable mirror of `IMAPCore.Envelope`. Values are unfolded but still RFC 2047-encoded;
/// Sender and Reply-To already default to From when absent or empty, as IMAP requires.
public struct MessageEnvelope: Hashable, Sendable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    public var from: [MessageAddress]
    public var sender: [MessageAddress]
    public var replyTo: [MessageAddress]
    public var to: [MessageAddress]
    public var cc: [MessageAddress]
    public var bcc: [MessageAddress]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(
        date: [UInt8]? = nil, subject: [UInt8]? = nil,
        from: [MessageAddress] = [], sender: [MessageAddress] = [], replyTo: [MessageAddress] = [],
        to: [MessageAddress] = [], cc: [MessageAddress] = [], bcc: [MessageAddress] = [],
        inReplyTo: [UInt8]? = nil, messageID: [UInt8]? = nil
    ) {
        self.date = date; self.subject = subject
        self.from = from; self.sender = sender; self.replyTo = replyTo
        self.to = to; self.cc = cc; self.bcc = bcc
        self.inReplyTo = inReplyTo; self.messageID = messageID
    }

    /// The IMAPCore value the FETCH encoder writes.
    public var envelope: Envelope {
        Envelope(
            date: date, subject: subject,
            from: from.map(\.envelopeAddress), sender: sender.map(\.envelopeAddress),
            replyTo: replyTo.map(\.envelopeAddress), to: to.map(\.envelopeAddress),
            cc: cc.map(\.envelopeAddress), bcc: bcc.map(\.envelopeAddress),
            inReplyTo: inReplyTo, messageID: messageID
        )
    }

    /// Lowercased names of the header fields the envelope is built from.
    static let fieldNames: Set<String> = [
        "date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id",
    ]

    /// Builds the envelope from the unfolded first values of `fieldNames`, keyed by lowercased name.
    static func build(_ values: [String: [UInt8]]) -> MessageEnvelope {
        func addresses(_ name: String) -> [MessageAddress] { values[name].map(AddressListParser.parse) ?? [] }
        let from = addresses("from")
        let sender = addresses("sender")
        let replyTo = addresses("reply-to")
        return MessageEnvelope(
            date: values["date"], subject: values["subject"],
            from: from, sender: sender.isEmpty ? from : sender, replyTo: replyTo.isEmpty ? from : replyTo,
            to: addresses("to"), cc: addresses("cc"), bcc: addresses("bcc"),
            inReplyTo: values["in-reply-to"], messageID: values["message-id"]
        )
    }
}

/// One address of an envelope address list (RFC 9051 §7.5.2, `address`): a group start has
/// `host == nil` and the group name in `mailbox`; a group end has both nil.
public struct MessageAddress: Hashable, Sendable {
    public var name: [UInt8]?
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]? = nil, adl: [UInt8]? = nil, mailbox: [UInt8]?, host: [UInt8]?) {
        self.name = name; self.adl = adl; self.mailbox = mailbox; self.host = host
    }

    public var envelopeAddress: EnvelopeAddress {
        EnvelopeAddress(name: name, adl: adl, mailbox: mailbox, host: host)
    }
}

extension MessageEnvelope: Codable {
    private enum CodingKeys: String, CodingKey {
        case date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageID
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        date = try c.decodeBytes(forKey: .date)
        subject = try c.decodeBytes(forKey: .subject)
        from = try c.decodeIfPresent([MessageAddress].self, forKey: .from) ?? []
        sender = try c.decodeIfPresent([MessageAddress].self, forKey: .sender) ?? []
        replyTo = try c.decodeIfPresent([MessageAddress].self, forKey: .replyTo) ?? []
        to = try c.decodeIfPresent([MessageAddress].self, forKey: .to) ?? []
        cc = try c.decodeIfPresent([MessageAddress].self, forKey: .cc) ?? []
        bcc = try c.decodeIfPresent([MessageAddress].self, forKey: .bcc) ?? []
        inReplyTo = try c.decodeBytes(forKey: .inReplyTo)
        messageID = try c.decodeBytes(forKey: .messageID)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBytes(date, forKey: .date)
        try c.encodeBytes(subject, forKey: .subject)
        for (list, key) in [(from, CodingKeys.from), (sender, .sender), (replyTo, .replyTo), (to, .to), (cc, .cc), (bcc, .bcc)]
        where !list.isEmpty {
            try c.encode(list, forKey: key)
        }
        try c.encodeBytes(inReplyTo, forKey: .inReplyTo)
        try c.encodeBytes(messageID, forKey: .messageID)
    }
}

extension MessageAddress: Codable {
    private enum CodingKeys: String, CodingKey { case name, adl, mailbox, host }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeBytes(forKey: .name)
        adl = try c.decodeBytes(forKey: .adl)
        mailbox = try c.decodeBytes(forKey: .mailbox)
        host = try c.decodeBytes(forKey: .host)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBytes(name, forKey: .name)
        try c.encodeBytes(adl, forKey: .adl)
        try c.encodeBytes(mailbox, forKey: .mailbox)
        try c.encodeBytes(host, forKey: .host)
    }
}
