import Testing

@testable import GatewayConfig

/// One invalid document and where and how the parser must refuse it.
struct BadDocument: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var message: String

    init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        self.text = text
        self.line = line
        self.column = column
        self.message = message
    }

    var testDescription: String { message }
}

@Suite("TOML parser: invalid documents")
struct TOMLParserBadCorpusTests {
    static let corpus: [BadDocument] = [
        // Structure
        BadDocument("port 1143", 1, 6, #"expected '=' after key "port""#),
        BadDocument("[imap]\nhost = \"x\"\nport\n", 3, 5, #"expected '=' after key "port""#),
        BadDocument("= 1", 1, 1, "expected a key, found '='"),
        BadDocument("key = ", 1, 7, "expected a value, found the end of the document"),
        BadDocument("a = 1 2", 1, 7, #"unexpected '2' after the value of "a"; expected a new line"#),
        BadDocument("a = true false", 1, 10, #"unexpected 'f' after the value of "a""#),
        BadDocument("[a] b = 1", 1, 5, "unexpected 'b' after the table header [a]"),
        BadDocument("[a", 1, 3, "expected ']' to close the table header [a]"),
        BadDocument("[[a]", 1, 4, "expected ']]' to close the array-of-tables header [[a]]"),
        BadDocument("a = localhost", 1, 5, "found 'localhost'; strings must be quoted"),
        BadDocument("a = .5", 1, 5, "expected a value, found '.'"),
        BadDocument("a = 1\r b = 2", 1, 6, "a carriage return must be followed by a line feed"),
        BadDocument("# bell \u{07} here", 1, 8, "the control character U+0007 is not allowed in a comment"),
        BadDocument("\"\"\"key\"\"\" = 1", 1, 1, "a key cannot be a multi-line string"),
        // Duplicates and redefinitions
        BadDocument("a = 1\na = 2", 2, 1, #"duplicate key "a"; it is already defined on line 1"#),
        BadDocument("[t]\na = 1\n\"a\" = 2", 3, 1, #"duplicate key "a" in [t]; it is already defined on line 2"#),
        BadDocument("[a]\n[a]", 2, 1, "table [a] is defined twice; it was first defined on line 1"),
        BadDocument("a = 1\n[a]", 2, 1, "cannot define table [a]: the key is already an integer (line 1)"),
        BadDocument("a = []\n[[a]]", 2, 1, "cannot append to [[a]]: the key is already an array (line 1)"),
        BadDocument("[a]\n[[a]]", 2, 1, "cannot append to [[a]]: it is already a table (line 1)"),
        BadDocument("[[a]]\n[a]", 2, 1, "cannot define table [a]: it is already an array of tables (line 1)"),
        BadDocument("[a]\nb = 1\n[a.b]", 3, 1, "cannot define table [a.b]: the key is already an integer (line 2)"),
        BadDocument("a.b = 1\n[a]", 2, 1, "cannot define table [a]: dotted keys on line 1 already defined it"),
        BadDocument("[a.b]\n[a]\nb.c = 1", 3, 1, #"cannot add "b.c" with a dotted key: [a.b] is a table defined on line 1"#),
        BadDocument("a = { b = 1 }\na.c = 2", 2, 1, #"cannot add "a.c": "a" is already a table (line 1), which cannot hold keys"#),
        BadDocument("a = 1\n[a.b]", 2, 2, #"cannot define [a.b]: "a" is already an integer (line 1)"#),
        BadDocument("a = { b = 1, b = 2 }", 1, 14, #"duplicate key "b""#),
        // Strings
        BadDocument(#"s = "\q""#, 1, 6, #"invalid escape sequence '\q' in a string"#),
        BadDocument(#"s = "\e""#, 1, 6, #"invalid escape sequence '\e'"#),
        BadDocument(#"s = "\u00""#, 1, 6, #"the escape \u needs exactly 4 hexadecimal digits"#),
        BadDocument(#"s = "\uD800""#, 1, 6, #"the escape \uD800 is not a Unicode scalar value"#),
        BadDocument(#"s = "\U00110000""#, 1, 6, "is not a Unicode scalar value"),
        BadDocument("s = \"bell\u{07}\"", 1, 10, "the control character U+0007 is not allowed in a string"),
        BadDocument("s = \"abc", 1, 5, "unterminated string: expected a closing '\"' on the same line"),
        BadDocument("s = \"abc\nd\"", 1, 5, "unterminated string"),
        BadDocument("s = 'abc\n'", 1, 5, "unterminated string: expected a closing \"'\""),
        BadDocument("s = \"\"\"abc\n", 1, 5, "unterminated multi-line string: expected a closing '\"\"\"'"),
        BadDocument("s = '''abc", 1, 5, "unterminated multi-line string"),
        BadDocument("s = \"\"\"abc\"\"\"\"\"\"", 1, 16, "too many quotes"),
        BadDocument("s = '''a\u{7F}'''", 1, 9, "is not allowed in a literal string"),
        // Numbers
        BadDocument("a = 01", 1, 5, "leading zeros are not allowed in the number 01"),
        BadDocument("a = -0_1", 1, 6, "leading zeros are not allowed"),
        BadDocument("a = 1__0", 1, 6, "invalid number 1__0: an underscore must stand between two digits"),
        BadDocument("a = 1_", 1, 6, "an underscore must stand between two digits"),
        BadDocument("a = 0x", 1, 7, "invalid number 0x: expected digits"),
        BadDocument("a = 0xG1", 1, 7, "invalid number 0xG1: unexpected 'G'"),
        BadDocument("a = 0b102", 1, 9, "unexpected '2'"),
        BadDocument("a = +0x10", 1, 5, "a sign is not allowed on a hexadecimal, octal or binary integer"),
        BadDocument("a = 9223372036854775808", 1, 5, "the integer 9223372036854775808 does not fit in 64 bits"),
        BadDocument("a = 0x1_0000_0000_0000_0000", 1, 5, "does not fit in 64 bits"),
        BadDocument("a = 1.", 1, 7, "expected digits after the decimal point"),
        BadDocument("a = 1.e5", 1, 7, "expected digits after the decimal point"),
        BadDocument("a = 1e", 1, 7, "expected digits after the exponent"),
        BadDocument("a = 1e400", 1, 5, "the float 1e400 is out of range"),
        BadDocument("a = 1-2", 1, 6, "invalid number 1-2: unexpected '-'"),
        BadDocument("a = infinity", 1, 5, "found 'infinity'; strings must be quoted"),
        // Date-times
        BadDocument("a = 1979-13-01", 1, 10, "invalid date-time 1979-13-01: the month must be from 1 to 12"),
        BadDocument("a = 2023-02-29", 1, 13, "the day must be from 1 to 28"),
        BadDocument("a = 1979-05-27T25:00:00", 1, 16, "the hour must be from 0 to 23"),
        BadDocument("a = 07:32", 1, 10, "expected ':'"),
        BadDocument("a = 1979-05-27T07:32:00+7", 1, 26, "the offset hour needs 2 digits"),
        BadDocument("a = 1979-05-27X07:32:00", 1, 15, "expected 'T' or a space between the date and the time"),
        // Arrays and inline tables
        BadDocument("a = [1, 2", 1, 5, "unterminated array: expected ']'"),
        BadDocument("a = [1 2]", 1, 8, "expected ',' or ']' after an array element, found '2'"),
        BadDocument("a = [1,,2]", 1, 8, "expected a value in the array, found ','"),
        BadDocument("a = { b = 1, }", 1, 14, "a trailing comma is not allowed in an inline table"),
        BadDocument("a = { b = 1\n}", 1, 12, "an inline table must close on the line it opens"),
        BadDocument("a = { b = 1", 1, 5, "unterminated inline table: expected '}'"),
        BadDocument("a = { b 1 }", 1, 9, #"expected '=' after key "b""#),
        BadDocument("a = { b = 1 c = 2 }", 1, 13, "expected ',' or '}' in the inline table, found 'c'"),
    ]

    @Test(arguments: corpus)
    func rejectsInvalidDocument(_ document: BadDocument) {
        #expect {
            try TOMLParser.parse(document.text)
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            let matches = error.line == document.line && error.column == document.column
                && error.message.contains(document.message)
            if !matches { Issue.record("got \(error)") }
            return matches
        }
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let depth = TOMLParser.maximumNestingDepth + 1
        let text = "a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(text) }
        do {
            _ = try TOMLParser.parse(text)
        } catch {
            #expect(error.message == "the document nests deeper than 64 levels")
        }
    }

    @Test func rejectsKeysNestedBeyondTheLimit() throws {
        let key = (0...TOMLParser.maximumNestingDepth).map { "k\($0)" }.joined(separator: ".")
        #expect(throws: TOMLError(line: 1, column: 1, message: "the document nests deeper than 64 levels")) {
            try TOMLParser.parse("[\(key)]")
        }
    }

    @Test func rejectsDocumentsOverOneMebibyte() {
        let text = String(repeating: "#", count: TOMLParser.maximumInputBytes + 1)
        #expect(
            throws: TOMLError(
                line: 1, column: 1,
                message: "the document is 1048577 bytes long; the limit is 1048576 bytes (1 MiB)")
        ) { try TOMLParser.parse(text) }
    }

    @Test func describesErrorsWithLineAndColumn() {
        let error = TOMLError(line: 7, column: 12, message: #"expected '=' after key "port""#)
        #expect(error.description == #"line 7, column 12: expected '=' after key "port""#)
    }

    @Test func countsColumnsInUnicodeScalars() {
        #expect(throws: TOMLError(line: 2, column: 8, message: #"expected '=' after key "ключ""#)) {
            try TOMLParser.parse("a = 'ё'\n\"ключ\" ?")
        }
    }
}
