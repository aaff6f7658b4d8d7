/// The ENVELOPE of a message as IMAP describes it (RFC 9051 §7.5.2, `envelope`).
///
/// Header values are kept as the raw bytes of the header field (unfolded, still
/// RFC 2047-encoded), because that is what IMAP sends: clients decode them.
public struct Envelope: Hashable, Sendable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    public var from: [EnvelopeAddress]
    public var sender: [EnvelopeAddress]
    public var replyTo: [EnvelopeAddress]
    public var to: [EnvelopeAddress]
    public var cc: [EnvelopeAddress]
    public var bcc: [EnvelopeAddress]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(
        date: [UInt8]? = nil, subject: [UInt8]? = nil,
        from: [EnvelopeAddress] = [], sender: [EnvelopeAddress] = [], replyTo: [EnvelopeAddress] = [],
        to: [EnvelopeAddress] = [], cc: [EnvelopeAddress] = [], bcc: [EnvelopeAddress] = [],
        inReplyTo: [UInt8]? = nil, messageID: [UInt8]? = nil
    ) {
        self.date = date; self.subject = subject
        self.from = from; self.sender = sender; self.replyTo = replyTo
        self.to = to; self.cc = cc; self.bcc = bcc
        self.inReplyTo = inReplyTo; self.messageID = messageID
    }
}

/// One element of an ENVELOPE address list (RFC 9051 §7.5.2, `address`).
/// A group start is `mailbox = group name, host = nil`; a group end has both nil.
public struct EnvelopeAddress: Hashable, Sendable {
    public var name: [UInt8]?
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]? = nil, adl: [UInt8]? = nil, mailbox: [UInt8]?, host: [UInt8]?) {
        self.name = name; self.adl = adl; self.mailbox = mailbox; self.host = host
    }
}
