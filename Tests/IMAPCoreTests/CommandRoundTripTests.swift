import Testing
@testable import IMAPCore

/// Every `Command` case: encode with `CommandEncoder`, parse with `CommandParser`, expect equality.
@Suite struct CommandRoundTripTests {
    static let date = InternalDate(year: 2024, month: 2, day: 29, hour: 13, minute: 5, second: 9, timeZoneOffsetMinutes: -330)!
    static let day = SearchDate(year: 2023, month: 12, day: 1)!

    static let commands: [Command] = [
        .capability, .noop, .logout, .starttls, .namespace, .idle, .check, .close, .unselect, .expunge,
        .id(nil), .id([]), .id([IDParameter(key: "name", value: Array("Thunderbird".utf8)), IDParameter(key: "os", value: nil)]),
        .authenticate(mechanism: "PLAIN", initialResponse: nil),
        .authenticate(mechanism: "PLAIN", initialResponse: []),
        .authenticate(mechanism: "PLAIN", initialResponse: Array("\0user\0pässword".utf8)),
        .login(username: Array("alice".utf8), password: Array("p a\"s\\s".utf8)),
        .login(username: Array("jörg@example.com".utf8), password: Array("line\r\nbreak".utf8)),
        .enable(["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"]),
        .select(.inbox, SelectParameters()),
        .select(MailboxName("Müller GmbH"), SelectParameters(condstore: true)),
        .select(MailboxName("INBOX"), SelectParameters(qresync: QResyncParameters(uidValidity: 67890007, modSeq: 20050715194045000))),
        .select(MailboxName("INBOX"), SelectParameters(condstore: true, qresync: QResyncParameters(
            uidValidity: 67890007, modSeq: 90060115194045000, knownUIDs: SequenceSet([SequenceRange(1...29997)]),
            sequenceMatch: .init(knownSequenceSet: SequenceSet([SequenceRange(5...7), SequenceRange(9...9)]), knownUIDSet: SequenceSet([SequenceRange(1...3)]))))),
        .select(MailboxName("INBOX"), SelectParameters(qresync: QResyncParameters(uidValidity: 1, modSeq: 5, sequenceMatch: .init(knownSequenceSet: SequenceSet(1...2), knownUIDSet: SequenceSet(4...5))))),
        .examine(MailboxName("- Create New Opportunity"), SelectParameters()),
        .create(MailboxName("Drafts"), specialUse: []),
        .create(MailboxName("Entwürfe"), specialUse: ["\\Drafts"]),
        .delete(MailboxName("")),
        .rename(from: MailboxName("a/b"), to: MailboxName("c d")),
        .subscribe(MailboxName("&ZeVnLIqe-")),
        .unsubscribe(MailboxName("]")),
        .list(ListCommand(reference: MailboxName(""), patterns: [Array("*".utf8)])),
        .list(ListCommand(reference: MailboxName("~smith/Mail/"), patterns: [Array("foo.*".utf8)])),
        .list(ListCommand(selectionOptions: ["SUBSCRIBED", "RECURSIVEMATCH"], reference: MailboxName(""),
                          patterns: [Array("%".utf8), Array("Other Users/%".utf8)],
                          returnOptions: [.children, .subscribed, .specialUse, .status([.messages, .unseen, .size])])),
        .list(ListCommand(reference: MailboxName(""), patterns: [Array("INBOX".utf8)], parenthesisedPatterns: true)),
        .lsub(reference: MailboxName("#news."), pattern: Array("comp.mail.*".utf8)),
        .status(MailboxName("blurdybloop"), StatusAttribute.allCases),
        .append(MailboxName("saved-messages"), AppendMessage(data: Array("Subject: hi\r\n\r\nbody\r\n".utf8))),
        .append(MailboxName("INBOX"), AppendMessage(flags: [.seen, Flag("$Forwarded")], date: date, data: Array("x".utf8))),
        .append(MailboxName("INBOX"), AppendMessage(flags: [.draft], data: [0, 1, 2, 0xFF], binary: true)),
        .append(MailboxName("Drafts"), AppendMessage(flags: [.draft], data: [], catenate: [
            .text(Array("Subject: fwd\r\n\r\n".utf8)), .url("/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.MIME"), .text([0x41, 0x00]),
        ])),
        .multiAppend(MailboxName("INBOX"), [AppendMessage(flags: [.seen], data: Array("a".utf8)), AppendMessage(date: date, data: [0, 1], binary: true),
                                             AppendMessage(data: Array("c".utf8))]),
        .append(MailboxName("INBOX"), AppendMessage(date: date, data: Array("Subject: Grüße\r\n\r\n".utf8), utf8: true)),
        .uidExpunge(SequenceSet([SequenceRange(3000...3002), SequenceRange(from: .number(3005), to: .star)])),
        .search(SearchCommand(key: .all), uid: false),
        .getQuota(""), .getQuota("user.alice"), .getQuotaRoot(MailboxName("INBOX")),
        .setQuota("", [QuotaLimit("STORAGE", 512), QuotaLimit("MESSAGE", 1000)]), .setQuota("", []),
        .sort(SortCommand(criteria: [SortCriterion(.subject), SortCriterion(reverse: true, .date)], charset: "UTF-8", key: .all), uid: false),
        .sort(SortCommand(criteria: [SortCriterion(.displayFrom)], charset: "US-ASCII", key: .and([.unseen, .from(Array("bob".utf8))])), uid: true),
        .sort(SortCommand(criteria: [SortCriterion(.arrival)], charset: "UTF-8", key: .all, returnOptions: [.min, .max, .count, .all]), uid: true),
        .thread(ThreadCommand(algorithm: .references, charset: "UTF-8", key: .all), uid: true),
        .thread(ThreadCommand(algorithm: .orderedSubject, charset: "UTF-8", key: .and([.seen, .since(day)])), uid: false),
        .search(SearchCommand(returnOptions: [], key: .unseen), uid: true),
        .search(SearchCommand(returnOptions: [.update, .context, .count], partial: PartialRange(1, 500), key: .deleted), uid: true),
        .sort(SortCommand(criteria: [SortCriterion(.size)], charset: "UTF-8", key: .all, returnOptions: [.update], partial: PartialRange(501, 1000)), uid: false),
        .cancelUpdate(["B01"]), .cancelUpdate(["B01", "a.2"]),
        .search(SearchCommand(returnOptions: [.min, .max, .count, .all, .save], charset: "UTF-8", key: .and([.seen, .from(Array("Müller".utf8))])), uid: true),
        .fetch(SequenceSet([SequenceRange(from: .number(1), to: .star)]), FetchAttribute.full + [.uid, .modSeq, .bodyStructure, .rfc822, .rfc822Header, .rfc822Text, .emailID, .threadID, .saveDate], FetchModifiers(), uid: false),
        .fetch(SequenceSet.savedResult, [.bodySection(peek: true, section: SectionSpec(part: [1, 2], kind: .mime), partial: Partial(offset: 0, length: 1024))], FetchModifiers(changedSince: 12345, vanished: true), uid: true),
        .fetch(SequenceSet(2...4), [
            .bodySection(peek: false, section: .complete, partial: nil),
            .bodySection(peek: true, section: SectionSpec(kind: .headerFields(["Subject", "From", "Message-ID"])), partial: nil),
            .bodySection(peek: true, section: SectionSpec(part: [3], kind: .headerFieldsNot(["X-Spam"])), partial: nil),
            .bodySection(peek: true, section: SectionSpec(part: [1], kind: .text), partial: nil),
            .bodySection(peek: true, section: .header, partial: nil),
            .bodySection(peek: true, section: SectionSpec(part: [4, 1]), partial: nil),
            .binary(peek: false, section: [], partial: nil),
            .binary(peek: true, section: [1, 2], partial: Partial(offset: 100, length: 50)),
            .binarySize(section: [2]),
        ], FetchModifiers(), uid: false),
        .store(SequenceSet(2...4), StoreModifiers(), StoreAction(operation: .add, flags: [.deleted]), uid: false),
        .store(SequenceSet([SequenceRange(.star)]), StoreModifiers(unchangedSince: 320162338), StoreAction(operation: .remove, silent: true, flags: [.seen, Flag("$Junk")]), uid: true),
        .store(SequenceSet(1...1), StoreModifiers(), StoreAction(operation: .replace, flags: []), uid: false),
        .copy(SequenceSet(2...4), MailboxName("meeting"), uid: false),
        .copy(SequenceSet([SequenceRange(from: .number(7), to: .number(3))]), MailboxName("Archiv 2024"), uid: true),
        .move(SequenceSet(1...3), MailboxName("台北"), uid: false),
        .move(SequenceSet(42...42), MailboxName("Trash"), uid: true),
    ] + searchKeys.map { .search(SearchCommand(key: $0), uid: false) }

    static let searchKeys: [SearchKey] = [
        .all, .answered, .bcc(Array("bob".utf8)), .before(day), .body(Array("quarterly report".utf8)), .cc(Array("x".utf8)),
        .deleted, .draft, .flagged, .from(Array("\"quoted\"".utf8)), .header(Array("X-Mailer".utf8), Array("".utf8)),
        .keyword(Flag("$Important")), .larger(10_000), .new, .not(.seen), .old, .on(day), .or(.seen, .or(.flagged, .draft)),
        .recent, .seen, .sentBefore(day), .sentOn(day), .sentSince(day), .since(day), .smaller(5), .subject(Array("Grüße".utf8)),
        .older(3600), .younger(86_400), .emailID("E42"), .threadID("T7"), .savedBefore(day), .savedOn(day), .savedSince(day), .saveDateSupported,
        .text(Array("line\nbreak".utf8)), .to(Array("sales@example.com".utf8)), .uid(SequenceSet([SequenceRange(from: .number(1), to: .star)])),
        .unanswered, .undeleted, .undraft, .unflagged, .unkeyword(Flag("$Junk")), .unseen,
        .sequenceSet(SequenceSet([SequenceRange(1...5), SequenceRange(.star)])), .sequenceSet(.savedResult),
        .and([.seen]), .and([.seen, .and([.flagged, .not(.deleted)])]),
        .modSeq(nil, 620162338), .modSeq(SearchModSeqEntry(name: Array("/flags/\\draft".utf8), type: .all), 620162338),
    ]

    @Test(arguments: commands)
    func commandSurvivesEncodeThenParse(_ command: Command) throws {
        let tagged = TaggedCommand(tag: "A001", command: command)
        let bytes = CommandEncoder.encode(tagged)
        let parsed = try CommandParser.parse(bytes)
        #expect(parsed == tagged, "wire: \(String(decoding: bytes, as: UTF8.self))")
    }

    @Test(arguments: commands)
    func encodedCommandFramesAsOneCommand(_ command: Command) {
        let bytes = CommandEncoder.encode(TaggedCommand(tag: "t", command: command))
        var framer = CommandFramer()
        framer.append(bytes)
        #expect(framer.next() == .frame(bytes))
        #expect(framer.next() == nil)
    }
}
