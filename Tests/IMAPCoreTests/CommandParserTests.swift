import Testing
@testable import IMAPCore

/// Commands as real clients write them parse to the expected values.
@Suite struct CommandParserTests {
    static func parse(_ s: String) throws -> Command { try CommandParser.parse(Array(s.utf8)).command }
    static func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func commandNamesAreCaseInsensitive() throws {
        #expect(try Self.parse("a uid fetch 1:* (flags) (changedsince 5 vanished)\r\n")
                == .fetch(.all, [.flags], FetchModifiers(changedSince: 5, vanished: true), uid: true))
        #expect(try Self.parse("a nOoP\r\n") == .noop)
    }

    @Test func fetchMacrosAreExpanded() throws {
        #expect(try Self.parse("a FETCH 1 ALL\r\n") == .fetch(SequenceSet(1...1), FetchAttribute.all, FetchModifiers(), uid: false))
        #expect(try Self.parse("a FETCH 1 FAST\r\n") == .fetch(SequenceSet(1...1), FetchAttribute.fast, FetchModifiers(), uid: false))
        #expect(try Self.parse("a FETCH 1 full\r\n") == .fetch(SequenceSet(1...1), FetchAttribute.full, FetchModifiers(), uid: false))
    }

    @Test func bodyPeekWithHeaderFieldsAndPartial() throws {
        #expect(try Self.parse("a FETCH 2:4 BODY.PEEK[HEADER.FIELDS (DATE FROM)]<0.100>\r\n")
                == .fetch(SequenceSet(2...4), [.bodySection(peek: true, section: SectionSpec(kind: .headerFields(["DATE", "FROM"])), partial: Partial(offset: 0, length: 100))], FetchModifiers(), uid: false))
    }

    @Test func loginAcceptsQuotedLiteralAndAtomForms() throws {
        #expect(try Self.parse("a LOGIN {5}\r\nalice \"p\\\"w\"\r\n") == .login(username: Self.b("alice"), password: Self.b("p\"w")))
        #expect(try Self.parse("a LOGIN {5+}\r\nalice {2+}\r\npw\r\n") == .login(username: Self.b("alice"), password: Self.b("pw")))
    }

    @Test func listExtendedWithPatternListAndStatusReturn() throws {
        #expect(try Self.parse("a LIST (subscribed remote) \"\" (INBOX Drafts %) RETURN (STATUS (MESSAGES UNSEEN) CHILDREN)\r\n")
                == .list(ListCommand(selectionOptions: ["SUBSCRIBED", "REMOTE"], reference: MailboxName(""),
                                     patterns: [Self.b("INBOX"), Self.b("Drafts"), Self.b("%")],
                                     returnOptions: [.status([.messages, .unseen]), .children])))
        #expect(try Self.parse("a LIST \"\" Archive/*\r\n") == .list(ListCommand(reference: MailboxName(""), patterns: [Self.b("Archive/*")])))
    }

    /// imapclient 3.0.1's `multiappend` writes two spaces between the messages.
    @Test func multiappendTakesTheMessagesWhateverTheSpacesBetweenThem() throws {
        let messages = [AppendMessage(data: Self.b("one")), AppendMessage(flags: [.seen], data: Self.b("two"))]
        #expect(try Self.parse("a APPEND \"INBOX\" {3}\r\none  (\\Seen) {3}\r\ntwo\r\n") == .multiAppend(MailboxName("INBOX"), messages))
        #expect(try Self.parse("a APPEND INBOX {3}\r\none (\\Seen) {3}\r\ntwo\r\n") == .multiAppend(MailboxName("INBOX"), messages))
        #expect(throws: CommandParseError.self) { try Self.parse("a APPEND INBOX  {3}\r\none\r\n") }
    }

    @Test func searchReturnEmptyMeansAll() throws {
        #expect(try Self.parse("a SEARCH RETURN () UNSEEN\r\n") == .search(SearchCommand(returnOptions: [], key: .unseen), uid: false))
        #expect(try Self.parse("a SEARCH UNSEEN\r\n") == .search(SearchCommand(returnOptions: nil, key: .unseen), uid: false))
    }

    @Test func searchWithCharsetAndLiteral() throws {
        #expect(try Self.parse("a UID SEARCH CHARSET UTF-8 TEXT {7}\r\nGrüße SINCE 1-Feb-1994\r\n")
                == .search(SearchCommand(charset: "UTF-8", key: .and([.text(Self.b("Grüße")), .since(SearchDate(year: 1994, month: 2, day: 1)!)])), uid: true))
    }

    @Test func appendUTF8FormIsRecognised() throws {
        #expect(try Self.parse("a APPEND INBOX UTF8 (~{3}\r\nabc)\r\n") == .append(.inbox, AppendMessage(data: Self.b("abc"), utf8: true)))
    }

    @Test func selectWithQResyncKnownUIDs() throws {
        let expected = QResyncParameters(uidValidity: 67890007, modSeq: 90060115194045000,
                                         knownUIDs: SequenceSet([SequenceRange(41...41), SequenceRange(43...211), SequenceRange(214...541)]))
        #expect(try Self.parse("a SELECT INBOX (QRESYNC (67890007 90060115194045000 41,43:211,214:541))\r\n")
                == .select(.inbox, SelectParameters(qresync: expected)))
    }

    @Test func storeAcceptsFlagsWithoutParenthesesAndNormalisesSystemFlags() throws {
        guard case .store(_, _, let action, _) = try Self.parse("a STORE 1:3 +FLAGS \\seen \\FLAGGED $Work\r\n") else {
            Issue.record("not a STORE"); return
        }
        #expect(action.flags == [.seen, .flagged, Flag("$work")])
        #expect(action.flags.map(\.rawValue) == ["\\Seen", "\\Flagged", "$Work"])
    }

    @Test func authenticateDecodesInitialResponse() throws {
        #expect(try Self.parse("a authenticate plain AHVzZXIAcGFzcw==\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: Array("\0user\0pass".utf8)))
        #expect(try Self.parse("a AUTHENTICATE PLAIN =\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: []))
    }

    @Test func searchKeysNestUpToTheLimit() throws {
        let nested = "a SEARCH " + String(repeating: "NOT ", count: 40) + "ALL\r\n"
        _ = try Self.parse(nested)
    }

    @Test func errorCarriesTagForBADResponse() {
        #expect(throws: CommandParseError(tag: "x9", message: "unknown command FROB")) { try Self.parse("x9 FROB\r\n") }
    }
}

@Suite struct PrimitiveTests {
    @Test func sequenceSetResolvesStarAndReversedRanges() {
        let set = SequenceSet([SequenceRange(from: .number(7), to: .number(3)), SequenceRange(from: .number(5), to: .star), SequenceRange(.number(20))])
        #expect(set.resolved(max: 10) == [3...10, 20...20])
        #expect(set.contains(4, max: 10))
        #expect(!set.contains(2, max: 10))
        #expect(SequenceSet.all.resolved(max: 0) == [])
        #expect(SequenceSet([SequenceRange(from: .star, to: .number(3))]).resolved(max: 5) == [3...5])
    }

    @Test func uidSetIsCompactAndSorted() {
        #expect(UIDSet([7, 1, 2, 3, 3, 9, 8]).description == "1:3,7:9")
        #expect(UIDSet(ranges: [5...6, 1...2, 3...3]).description == "1:3,5:6")
        #expect(UIDSet(ranges: [3...4, 1...2, 2...3]).description == "1:4")
        #expect(UIDSet([4294967295, 4294967294]).description == "4294967294:4294967295")
        #expect(UIDSet([1, 2, 5]).count == 3)
    }

    @Test func internalDateFormatsWithZone() {
        let d = InternalDate(year: 1996, month: 7, day: 7, hour: 2, minute: 44, second: 25, timeZoneOffsetMinutes: -420)!
        #expect(d.imapString == " 7-Jul-1996 02:44:25 -0700")
        #expect(d.secondsSince1970 == 836_732_665)
        #expect(InternalDate(secondsSince1970: 0).imapString == " 1-Jan-1970 00:00:00 +0000")
        #expect(InternalDate(year: 2023, month: 2, day: 29, hour: 0, minute: 0, second: 0, timeZoneOffsetMinutes: 0) == nil)
    }

    @Test func keywordsCompareCaseInsensitively() {
        #expect(Flag("$Forwarded") == Flag("$FORWARDED"))
        #expect(Set([Flag("$a"), Flag("$A")]).count == 1)
        #expect(Flag("\\DELETED").rawValue == "\\Deleted")
        #expect(Flag.seen.isSystemFlag && !Flag("$Junk").isSystemFlag)
    }

    @Test func base64RoundTrips() {
        for s in ["", "a", "ab", "abc", "\0user\0pass"] {
            #expect(Base64.decode(Base64.encode(Array(s.utf8))) == Array(s.utf8))
        }
        #expect(Base64.decode(Array("AB=C".utf8)) == nil)
    }
}
