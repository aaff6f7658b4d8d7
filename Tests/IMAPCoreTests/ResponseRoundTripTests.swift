import Testing
@testable import IMAPCore

/// Every `Response`, `UntaggedResponse`, `ResponseCode` and `FetchResponseAttribute` case:
/// encode with `ResponseEncoder`, parse with `ResponseParser`, expect equality.
@Suite struct ResponseRoundTripTests {
    static let codes: [ResponseCode] = simpleResponseCodes.map(\.0) + [
        .badCharset([]), .badCharset(["UTF-8", "US-ASCII"]), .capability(["IMAP4rev1", "IMAP4rev2", "AUTH=PLAIN", "LITERAL+"]),
        .permanentFlags([.seen, .deleted, Flag("$Forwarded")], allowsNewKeywords: true), .permanentFlags([], allowsNewKeywords: false),
        .uidNext(4392), .uidValidity(3857529045), .unseen(12),
        .appendUID(uidValidity: 38505, UIDSet([3955])), .copyUID(uidValidity: 38505, source: UIDSet([304, 319, 320, 321]), destination: UIDSet(3956...3959)),
        .highestModSeq(715194045007), .modified(UIDSet([7, 9, 10, 11])), .mailboxID("M12-4711"),
        .other("X-CUSTOM", nil), .other("X-CUSTOM", "some text"),
    ]

    static let envelope = Envelope(
        date: Array("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)".utf8), subject: Array("=?utf-8?q?Gr=C3=BC=C3=9Fe?= \"quoted\"".utf8),
        from: [EnvelopeAddress(name: Array("Terry Gray".utf8), mailbox: Array("gray".utf8), host: Array("cac.washington.edu".utf8))],
        sender: [EnvelopeAddress(name: nil, mailbox: Array("gray".utf8), host: Array("cac.washington.edu".utf8))],
        replyTo: [],
        to: [EnvelopeAddress(mailbox: Array("team".utf8), host: nil), EnvelopeAddress(name: Array("Jörg".utf8), mailbox: Array("j".utf8), host: Array("x.de".utf8)), EnvelopeAddress(mailbox: nil, host: nil)],
        cc: [], bcc: [], inReplyTo: nil, messageID: Array("<B27397-0100000@cac.washington.edu>".utf8))

    static let textPart = BodyStructure.singlepart(.init(
        kind: .text(subtype: "PLAIN", lines: 12),
        fields: .init(parameters: [.init("CHARSET", Array("utf-8".utf8))], encoding: "QUOTED-PRINTABLE", octets: 3028)))

    static let fullBody = BodyStructure.multipart(.init(
        parts: [
            .singlepart(.init(kind: .text(subtype: "html", lines: 3), fields: .init(id: Array("<id@x>".utf8), description: Array("desc".utf8), octets: 10),
                              ext: .init(md5: Array("Q2hlY2s=".utf8), disposition: .init(kind: "inline"), language: ["en"], location: Array("http://x/".utf8)))),
            .singlepart(.init(kind: .basic(type: "APPLICATION", subtype: "PDF"), fields: .init(parameters: [.init("NAME", Array("Über.pdf".utf8))], encoding: "BASE64", octets: 4096),
                              ext: .init(disposition: .init(kind: "attachment", parameters: [.init("FILENAME", Array("a.pdf".utf8))]), language: ["de", "en"]))),
            .singlepart(.init(kind: .message(subtype: "RFC822", envelope: envelope, body: textPart, lines: 40), fields: .init(encoding: "7BIT", octets: 2000))),
        ],
        subtype: "MIXED", parameters: [.init("BOUNDARY", Array("----=_b".utf8))], disposition: nil, language: [], location: nil))

    static let bodyWithoutExtensions = BodyStructure.multipart(.init(parts: [textPart, .singlepart(.init(kind: .basic(type: "IMAGE", subtype: "PNG"), fields: .init(encoding: "BASE64", octets: 9)))], subtype: "ALTERNATIVE"))

    static let date = InternalDate(year: 1996, month: 7, day: 7, hour: 2, minute: 44, second: 25, timeZoneOffsetMinutes: -420)!

    static let fetchAttributes: [FetchResponseAttribute] = [
        .uid(4827313), .flags([.seen, .recent, Flag("$Forwarded")]), .flags([]), .internalDate(date), .rfc822Size(44827),
        .envelope(envelope), .envelope(Envelope()), .body(bodyWithoutExtensions), .bodyStructure(fullBody), .bodyStructure(textPart),
        .bodySection(.complete, origin: nil, data: Array("Subject: x\r\n\r\nHello\r\n".utf8)),
        .bodySection(SectionSpec(kind: .headerFields(["SUBJECT", "FROM"])), origin: nil, data: Array("short".utf8)),
        .bodySection(SectionSpec(part: [1, 2], kind: .mime), origin: 0, data: nil),
        .bodySection(.text, origin: 100, data: Array("Grüße".utf8)),
        .binarySection(section: [1], origin: nil, data: [0, 1, 2, 3]),
        .binarySection(section: [], origin: 10, data: Array("plain".utf8)),
        .binarySection(section: [2, 1], origin: nil, data: nil),
        .binarySize(section: [1], size: 2048), .modSeq(624140003), .emailID("E42"), .threadID(nil), .threadID("T7"), .saveDate(nil),
        .saveDate(InternalDate(secondsSince1970: 1_800_000_000, timeZoneOffsetMinutes: 0)),
        .rfc822(Array("a\r\nb".utf8)), .rfc822(nil), .rfc822Header(Array("H: v\r\n\r\n".utf8)), .rfc822Text(Array("t".utf8)),
    ]

    static let untagged: [UntaggedResponse] = [
        .status(StatusResponse(.ok, "IMAP4rev2 server ready")), .status(StatusResponse(.preauth, "welcome")),
        .status(StatusResponse(.bye, "Autologout; idle for too long")), .status(StatusResponse(.no, code: .alert, "Disk full")),
        .status(StatusResponse(.bad, "")),
        .capability(["IMAP4rev1", "IMAP4rev2", "STARTTLS", "AUTH=PLAIN", "SASL-IR", "LITERAL+"]),
        .enabled(["CONDSTORE"]), .enabled([]),
        .id(nil), .id([IDParameter(key: "name", value: Array("crmgate".utf8)), IDParameter(key: "vendor", value: nil)]),
        .list(ListResponse(attributes: ["\\HasNoChildren"], delimiter: UInt8(ascii: "/"), name: MailboxName("INBOX"))),
        .list(ListResponse(attributes: [], delimiter: nil, name: MailboxName("Müller GmbH"))),
        .list(ListResponse(attributes: ["\\Drafts", "\\Subscribed"], delimiter: UInt8(ascii: "\\"), name: MailboxName("- Create New Opportunity"), childInfo: ["SUBSCRIBED"], oldName: MailboxName("Old Name"))),
        .lsub(ListResponse(attributes: ["\\Noselect"], delimiter: UInt8(ascii: "."), name: MailboxName("#news.comp.mail.misc"))),
        .namespace(Namespaces(personal: [NamespaceDescription(prefix: [], delimiter: UInt8(ascii: "/"))])),
        .namespace(Namespaces(personal: [NamespaceDescription(prefix: Array("INBOX.".utf8), delimiter: UInt8(ascii: "."))],
                              otherUsers: [NamespaceDescription(prefix: Array("~".utf8), delimiter: nil), NamespaceDescription(prefix: Array("#users/".utf8), delimiter: UInt8(ascii: "/"))],
                              shared: [NamespaceDescription(prefix: Array("#shared/".utf8), delimiter: UInt8(ascii: "/"))])),
        .mailboxStatus(MailboxName("blurdybloop"), [.messages(231), .recent(0), .uidNext(44292), .uidValidity(1), .unseen(3), .size(123456789012), .highestModSeq(7011231777), .deleted(2), .appendLimit(nil), .appendLimit(257890), .mailboxID("M3-99"), .deletedStorage(12)]),
        .mailboxStatus(MailboxName(""), []),
        .flags([.answered, .flagged, .deleted, .seen, .draft]), .exists(23), .recent(5), .expunge(44),
        .vanished(earlier: false, UIDSet([405, 407, 408, 409])), .vanished(earlier: true, UIDSet(1...100)),
        .search([], modSeq: nil), .search([2, 3, 6], modSeq: nil), .search([2, 5], modSeq: 917162500),
        .esearch(ESearchResponse()), .esearch(ESearchResponse(tag: "A282", uid: true, min: 2, max: 47, count: 5, all: UIDSet([2, 10, 11, 47]), modSeq: 99)),
        .esearch(ESearchResponse(tag: "a\"b", count: 0)),
        .quota(root: "", [QuotaResource("STORAGE", usage: 10, limit: 512), QuotaResource("MESSAGE", usage: 3, limit: 1000)]),
        .quota(root: "User quota", [QuotaResource("MESSAGE", usage: 0, limit: 10)]),
        .quotaRoot(MailboxName("INBOX"), roots: [""]), .quotaRoot(MailboxName("Sent Items"), roots: ["User quota", "x"]),
        .quotaRoot(MailboxName("Drafts"), roots: []),
        .esearch(ESearchResponse(tag: "A04", uid: true, count: 3, partial: PartialResult(range: PartialRange(24000, 24500), numbers: []))),
        .esearch(ESearchResponse(tag: "A02", partial: PartialResult(range: PartialRange(1, 4), numbers: [9, 3, 4, 1]))),
        .esearch(ESearchResponse(tag: "C01", uid: true, updates: [.addTo(position: 1, [2733]), .addTo(position: 1, [2731, 2732]),
                                                                  .removeFrom(position: 0, [5, 6, 9])])),
        .fetch(12, [.uid(1), .flags([.seen])]),
    ] + codes.map { .status(StatusResponse(.ok, code: $0, "done")) } + fetchAttributes.map { .fetch(1, [$0]) }

    static let responses: [Response] = [
        .tagged(tag: "A001", StatusResponse(.ok, "LOGIN completed")),
        .tagged(tag: "a.b]", StatusResponse(.no, code: .tryCreate, "[brackets] in text")),
        .tagged(tag: "x", StatusResponse(.bad, code: .parse, "")),
        .tagged(tag: "A3", StatusResponse(.ok, code: .copyUID(uidValidity: 1, source: UIDSet([1]), destination: UIDSet([2])), "MOVE completed")),
        .continuationRequest([]), .continuationRequest(Array("Ready for literal data".utf8)), .continuationRequest(Array("YGgGCSqGSIb3EgECAgIBAAD/////".utf8)),
    ] + untagged.map { .untagged($0) }

    @Test(arguments: responses)
    func responseSurvivesEncodeThenParse(_ response: Response) throws {
        let bytes = ResponseEncoder.encode(response)
        let parsed = try ResponseParser.parse(bytes)
        #expect(parsed == response, "wire: \(String(decoding: bytes, as: UTF8.self))")
    }

    @Test(arguments: codes)
    func responseCodeSurvivesInTaggedResponse(_ code: ResponseCode) throws {
        let response = Response.tagged(tag: "t1", StatusResponse(.no, code: code, "because"))
        #expect(try ResponseParser.parse(ResponseEncoder.encode(response)) == response)
    }

    @Test func preEncodedEnvelopeMatchesEncodedEnvelope() throws {
        let cached = ResponseEncoder.encodeEnvelope(Self.envelope)
        let direct = ResponseEncoder.encode(.untagged(.fetch(3, [.envelope(Self.envelope)])))
        let viaCache = ResponseEncoder.encode(.untagged(.fetch(3, [.preEncoded(name: "ENVELOPE", bytes: cached)])))
        #expect(direct == viaCache)
        let cachedBody = ResponseEncoder.encodeBodyStructure(Self.fullBody, extensible: true)
        let withBody = ResponseEncoder.encode(.untagged(.fetch(3, [.preEncoded(name: "BODYSTRUCTURE", bytes: cachedBody)])))
        #expect(try ResponseParser.parse(withBody) == .untagged(.fetch(3, [.bodyStructure(Self.fullBody)])))
    }

    @Test func bodyOmitsExtensionData() throws {
        let bytes = ResponseEncoder.encodeBodyStructure(Self.textPart, extensible: false)
        #expect(String(decoding: bytes, as: UTF8.self) == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 3028 12)")
    }

    @Test func stringsAreQuotedOrLiteralAsNeeded() {
        let bytes = ResponseEncoder.encode(.untagged(.fetch(1, [.bodySection(.header, origin: nil, data: Array("a\"b".utf8)), .rfc822Text(Array("ü".utf8)), .binarySection(section: [1], origin: nil, data: [0x41, 0])])))
        #expect(String(decoding: bytes, as: UTF8.self) == "* 1 FETCH (BODY[HEADER] \"a\\\"b\" RFC822.TEXT {2}\r\nü BINARY[1] ~{2}\r\nA\0)\r\n")
    }

    @Test func statusTextNeverBreaksTheLine() {
        let bytes = ResponseEncoder.encode(.tagged(tag: "a", StatusResponse(.no, "bad\r\nthing")))
        #expect(bytes == Array("a NO bad  thing\r\n".utf8))
    }
}
