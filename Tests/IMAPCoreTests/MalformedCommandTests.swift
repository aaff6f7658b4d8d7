import Testing
@testable import IMAPCore

/// A corpus of malformed commands: each is rejected with the right tag (nil when no tag
/// could be read) and a message that says what is wrong.
@Suite struct MalformedCommandTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var tag: String?
        var fragment: String
        var testDescription: String { input.debugDescription }
        init(_ input: String, _ tag: String?, _ fragment: String) { self.input = input; self.tag = tag; self.fragment = fragment }
    }

    static let deepParens = "A1 SEARCH " + String(repeating: "(", count: 60) + "ALL" + String(repeating: ")", count: 60) + "\r\n"
    static let deepNot = "A1 SEARCH " + String(repeating: "NOT ", count: 60) + "ALL\r\n"

    static let cases: [Case] = [
        Case("", nil, "missing tag"),
        Case("\r\n", nil, "missing tag"),
        Case(" NOOP\r\n", nil, "invalid tag"),
        Case("a{b NOOP\r\n", nil, "invalid tag"),
        Case("+a NOOP\r\n", nil, "invalid tag"),
        Case("a\"b NOOP\r\n", nil, "invalid tag"),
        Case("a(b NOOP\r\n", nil, "invalid tag"),
        Case("A1\r\n", "A1", "expected SP after tag"),
        Case("A1 \r\n", "A1", "missing command"),
        Case("A1 FOO\r\n", "A1", "unknown command FOO"),
        Case("A1 (NOOP)\r\n", "A1", "invalid command name"),
        Case("A1 NOOP extra\r\n", "A1", "after the arguments of NOOP"),
        Case("A1 NOOP\r\nA2 NOOP\r\n", "A1", "after the arguments of NOOP"),
        Case("A1 FETCH 0 FLAGS\r\n", "A1", "invalid sequence set '0'"),
        Case("A1 FETCH 1: FLAGS\r\n", "A1", "invalid sequence set '1:'"),
        Case("A1 FETCH a FLAGS\r\n", "A1", "invalid sequence set 'a'"),
        Case("A1 FETCH 1,,2 FLAGS\r\n", "A1", "invalid sequence set '1,,2'"),
        Case("A1 FETCH 1:x FLAGS\r\n", "A1", "invalid sequence set '1:x'"),
        Case("A1 FETCH 99999999999 FLAGS\r\n", "A1", "invalid sequence set"),
        Case("A1 UID EXPUNGE 3:0\r\n", "A1", "invalid sequence set '3:0'"),
        Case("A1 LOGIN \"alice pw\r\n", "A1", "unterminated quoted string"),
        Case("A1 LOGIN \"a\\x\" b\r\n", "A1", "invalid escape"),
        Case("A1 LOGIN {x}\r\nab b\r\n", "A1", "invalid literal size"),
        Case("A1 LOGIN {10}\r\nabc\r\n", "A1", "literal announced 10 octets but only 5 were received"),
        Case("A1 LOGIN {3}\r\na\0b x\r\n", "A1", "NUL byte in literal"),
        Case("A1 LOGIN {3}abc x\r\n", "A1", "expected CRLF after literal announcement"),
        Case("A1 LOGIN alice\r\n", "A1", "expected SP after LOGIN user name"),
        Case("A1 SEARCH (SEEN (FLAGGED)\r\n", "A1", "expected ')' to end search key list"),
        Case("A1 SEARCH SEEN)\r\n", "A1", "unexpected ')'"),
        Case("A1 SEARCH ()\r\n", "A1", "empty search key list"),
        Case(deepParens, "A1", "nesting deeper than 50 levels"),
        Case(deepNot, "A1", "nesting deeper than 50 levels"),
        Case("A1 SEARCH SINCE 32-Jan-2020\r\n", "A1", "invalid date '32-Jan-2020'"),
        Case("A1 SEARCH SINCE 29-Feb-2023\r\n", "A1", "day 29 does not exist in Feb 2023"),
        Case("A1 SEARCH BEFORE 1-Foo-2020\r\n", "A1", "invalid date '1-Foo-2020'"),
        Case("A1 SEARCH ON \"1-Jan-20\"\r\n", "A1", "invalid date"),
        Case("A1 SEARCH FOO\r\n", "A1", "unknown search key FOO"),
        Case("A1 SEARCH\r\n", "A1", "SEARCH needs search criteria"),
        Case("A1 SEARCH KEYWORD \\Seen\r\n", "A1", "takes a keyword, not a system flag"),
        Case("A1 SEARCH LARGER x\r\n", "A1", "expected LARGER size"),
        Case("A1 SEARCH OR SEEN\r\n", "A1", "between the two keys of OR"),
        Case("A1 SEARCH RETURN (FOO) ALL\r\n", "A1", "unknown SEARCH return option FOO"),
        Case("A1 SEARCH RETURN (PARTIAL 1:10 ALL) ALL\r\n", "A1", "PARTIAL and ALL cannot both be asked for"),
        Case("A1 SEARCH RETURN (PARTIAL 1:10 PARTIAL 11:20) ALL\r\n", "A1", "PARTIAL may be given only once"),
        Case("A1 SEARCH RETURN (PARTIAL 0:10) ALL\r\n", "A1", "first position of PARTIAL"),
        Case("A1 SEARCH RETURN (PARTIAL 1:*) ALL\r\n", "A1", "last position of PARTIAL"),
        Case("A1 SORT RETURN (SAVE) (DATE) UTF-8 ALL\r\n", "A1", "SORT does not take the return option SAVE"),
        Case("A1 CANCELUPDATE\r\n", "A1", "CANCELUPDATE needs the quoted tag"),
        Case("A1 CANCELUPDATE B01\r\n", "A1", "tag of an updating search"),
        Case("A1 SEARCH MODSEQ \"/flags/\\\\draft\" none 5\r\n", "A1", "invalid MODSEQ entry type"),
        Case("A1 STORE 1 +FLAGS (\\Se(en)\r\n", "A1", "expected ')' to end flag list"),
        Case("A1 STORE 1 +FLAGS (\\)\r\n", "A1", "invalid flag"),
        Case("A1 STORE 1 +FLAGS (%x)\r\n", "A1", "invalid flag"),
        Case("A1 STORE 1 *FLAGS (\\Seen)\r\n", "A1", "invalid STORE operation"),
        Case("A1 STORE 1 +FLAGX (\\Seen)\r\n", "A1", "invalid STORE operation 'FLAGX'"),
        Case("A1 STORE 1 (UNCHANGEDSINCE x) FLAGS ()\r\n", "A1", "UNCHANGEDSINCE mod-sequence"),
        Case("A1 SELECT\r\n", "A1", "SELECT needs a mailbox name"),
        Case("A1 SELECT \r\n", "A1", "expected mailbox name"),
        Case("A1 SELECT INBOX (FOO)\r\n", "A1", "unknown SELECT parameter FOO"),
        Case("A1 SELECT INBOX (QRESYNC (0 5))\r\n", "A1", "QRESYNC UIDVALIDITY must not be 0"),
        Case("A1 FETCH 1 BODY[1.]\r\n", "A1", "invalid section [1.]"),
        Case("A1 FETCH 1 BODY[0]\r\n", "A1", "part numbers start at 1"),
        Case("A1 FETCH 1 BODY[MIME]\r\n", "A1", "MIME needs a part number"),
        Case("A1 FETCH 1 BODY[FOO]\r\n", "A1", "invalid section [FOO]"),
        Case("A1 FETCH 1 BODY[HEADER.FIELDS]\r\n", "A1", "expected SP after HEADER.FIELDS"),
        Case("A1 FETCH 1 BINARY[1.x]\r\n", "A1", "invalid binary section"),
        Case("A1 FETCH 1 (FLAGS\r\n", "A1", "expected ')' to end FETCH data item list"),
        Case("A1 FETCH 1 FOO\r\n", "A1", "unknown FETCH data item FOO"),
        Case("A1 FETCH 1 BODY[]<5>\r\n", "A1", "expected '.' in partial"),
        Case("A1 FETCH 1 BODY[]<5.0>\r\n", "A1", "partial length must not be 0"),
        Case("A1 FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n", "A1", "CHANGEDSINCE must be greater than 0"),
        Case("A1 FETCH 1 FLAGS (FOO)\r\n", "A1", "unknown FETCH modifier FOO"),
        Case("A1 UID FOO 1\r\n", "A1", "unknown UID command FOO"),
        Case("A1 UID\r\n", "A1", "expected SP after UID"),
        Case("A1 APPEND INBOX (\\Seen) \"32-Jan-2020 10:00:00 +0000\" {1}\r\nx\r\n", "A1", "invalid date-time"),
        Case("A1 APPEND INBOX \"1-Jan-2020 10:00:00 +0000\" {1}\r\nx\r\n", "A1", "invalid date-time \"1-Jan-2020"),
        Case("A1 APPEND INBOX\r\n", "A1", "expected SP after the APPEND mailbox name"),
        Case("A1 APPEND INBOX hello\r\n", "A1", "APPEND needs the message as a literal"),
        Case("A1 APPEND INBOX UTF8 ({1}\r\nx)\r\n", "A1", "APPEND UTF8 needs a literal8"),
        Case("A1 STATUS INBOX (MESSAGES FOO)\r\n", "A1", "unknown status item FOO"),
        Case("A1 STATUS INBOX ()\r\n", "A1", "empty status item list"),
        Case("A1 LIST (RECURSIVEMATCH) \"\" *\r\n", "A1", "RECURSIVEMATCH needs another selection option"),
        Case("A1 LIST \"\"\r\n", "A1", "LIST needs a mailbox pattern"),
        Case("A1 LIST \"\" * RETURN (FOO)\r\n", "A1", "unknown LIST return option FOO"),
        Case("A1 LIST \"\" * FOO\r\n", "A1", "expected RETURN after LIST patterns"),
        Case("A1 CREATE x (USE (Drafts))\r\n", "A1", "special-use attribute must start with '\\'"),
        Case("A1 RENAME a\r\n", "A1", "RENAME needs a new mailbox name"),
        Case("A1 AUTHENTICATE PLAIN ###\r\n", "A1", "invalid base64"),
        Case("A1 AUTHENTICATE PLAIN AGE\r\n", "A1", "invalid base64"),
        Case("A1 ENABLE\r\n", "A1", "expected SP after ENABLE"),
        Case("A1 COPY 1:2\r\n", "A1", "expected SP after the sequence set of COPY"),
        Case("A1 ID (\"name\")\r\n", "A1", "expected SP after ID field name"),
    ]

    @Test(arguments: cases)
    func malformedCommandIsRejectedWithTagAndReason(_ c: Case) {
        do {
            let parsed = try CommandParser.parse(Array(c.input.utf8))
            Issue.record("accepted \(c.input.debugDescription) as \(parsed)")
        } catch {
            #expect(error.tag == c.tag)
            #expect(error.message.contains(c.fragment), "message was: \(error.message)")
        }
    }

    @Test func corpusIsLargeEnough() {
        #expect(Self.cases.count >= 40)
    }
}
