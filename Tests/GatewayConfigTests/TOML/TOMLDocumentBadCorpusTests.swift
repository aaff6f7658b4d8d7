import Testing

@testable import GatewayConfig

/// One invalid document and where and how TOMLKit (toml++) must refuse it; the message is
/// the library's, without its "Error while parsing" prefix.
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

@Suite("TOML documents (TOMLKit): invalid documents")
struct TOMLDocumentBadCorpusTests {
    static let corpus: [BadDocument] = [
        // Structure
        BadDocument("port 1143", 1, 6, "key-value pair: expected '=', saw '1'"),
        BadDocument("[imap]\nhost = \"x\"\nport\n", 3, 5, #"key-value pair: expected '=', saw '\n'"#),
        BadDocument("= 1", 1, 1, "root table: expected keys, tables, whitespace or comments, saw '='"),
        BadDocument("key = ", 1, 7, "key-value pair: encountered end-of-file"),
        BadDocument("a = 1 2", 1, 7, "key-value pair: expected a comment or whitespace, saw '2'"),
        BadDocument("a = true false", 1, 10, "key-value pair: expected a comment or whitespace, saw 'f'"),
        BadDocument("[a] b = 1", 1, 5, "table header: expected a comment or whitespace, saw 'b'"),
        BadDocument("[a", 1, 3, "table header: encountered end-of-file"),
        BadDocument("[[a]", 1, 5, "table header: encountered end-of-file"),
        BadDocument("a = localhost", 1, 5, "value: could not determine value type"),
        BadDocument("a = .5", 1, 5, "floating-point: expected decimal digit, saw '.'"),
        BadDocument("a = 1\r b = 2", 1, 7, #"key-value pair: expected '\n' after '\r', saw ' '"#),
        BadDocument("# bell \u{07} here", 1, 8, "comment: control characters other than TAB (U+0009) are explicitly prohibited in comments"),
        BadDocument("\"\"\"key\"\"\" = 1", 1, 1, "key: multi-line strings are prohibited in keys"),
        // Duplicates and redefinitions
        BadDocument("a = 1\na = 2", 2, 5, "key-value pair: cannot redefine existing integer 'a'"),
        BadDocument("[t]\na = 1\n\"a\" = 2", 3, 7, #"key-value pair: cannot redefine existing integer '"a"a" '"#),
        BadDocument("[a]\n[a]", 2, 1, "table header: cannot redefine existing table 'a'"),
        BadDocument("a = 1\n[a]", 2, 1, "table header: cannot redefine existing integer 'a' as table"),
        BadDocument("a = []\n[[a]]", 2, 1, "table header: cannot redefine existing array 'a' as array-of-tables"),
        BadDocument("[a]\n[[a]]", 2, 1, "table header: cannot redefine existing table 'a' as array-of-tables"),
        BadDocument("[[a]]\n[a]", 2, 1, "table header: cannot redefine existing array 'a' as table"),
        BadDocument("[a]\nb = 1\n[a.b]", 3, 1, "table header: cannot redefine existing integer 'a.b' as table"),
        BadDocument("a.b = 1\n[a]", 2, 1, "table header: cannot redefine existing table 'a'"),
        BadDocument("[a.b]\n[a]\nb.c = 1", 3, 1, "key-value pair: cannot redefine existing table as dotted key-value pair"),
        BadDocument("a = { b = 1 }\na.c = 2", 2, 1, "key-value pair: cannot redefine existing table as dotted key-value pair"),
        BadDocument("a = 1\n[a.b]", 2, 6, "table header: cannot redefine existing integer 'a.b' as table"),
        BadDocument("a = { b = 1, b = 2 }", 1, 18, "key-value pair: cannot redefine existing integer 'b'"),
        // Strings
        BadDocument(#"s = "\q""#, 1, 7, #"string: unknown escape sequence '\q'"#),
        BadDocument(#"s = "\e""#, 1, 7, #"string: escape sequence '\e' is not supported in TOML 1.0.0 and earlier"#),
        BadDocument(#"s = "\u00""#, 1, 10, #"unicode scalar sequence: expected hex digit, saw '"'"#),
        BadDocument(#"s = "\uD800""#, 1, 12, "unicode scalar sequence: unicode surrogates (U+D800 - U+DFFF) are explicitly prohibited"),
        BadDocument(#"s = "\U00110000""#, 1, 16, "unicode scalar sequence: values greater than U+10FFFF are invalid"),
        BadDocument("s = \"bell\u{07}\"", 1, 10, "string: unescaped control characters other than TAB (U+0009) are explicitly prohibited"),
        BadDocument("s = \"abc", 1, 9, "string: encountered end-of-file"),
        BadDocument("s = \"abc\nd\"", 1, 9, "string: unescaped control characters other than TAB (U+0009) are explicitly prohibited"),
        BadDocument("s = 'abc\n'", 1, 9, "literal string: control characters other than TAB (U+0009) are explicitly prohibited"),
        BadDocument("s = \"\"\"abc\n", 1, 12, "string: encountered end-of-file"),
        BadDocument("s = '''abc", 1, 11, "literal string: encountered end-of-file"),
        BadDocument("s = \"\"\"abc\"\"\"\"\"\"", 1, 16, #"key-value pair: expected a comment or whitespace, saw '"'"#),
        BadDocument("s = '''a\u{7F}'''", 1, 9, "literal string: control characters other than TAB (U+0009) are explicitly prohibited"),
        // Numbers
        BadDocument("a = 01", 1, 7, "decimal integer: leading zeroes are prohibited"),
        BadDocument("a = -0_1", 1, 9, "decimal integer: leading zeroes are prohibited"),
        BadDocument("a = 1__0", 1, 7, "decimal integer: underscores may only follow digits"),
        BadDocument("a = 1_", 1, 6, "key-value pair: expected a comment or whitespace, saw '_'"),
        BadDocument("a = 0x", 1, 7, "hexadecimal integer: encountered end-of-file"),
        BadDocument("a = 0xG1", 1, 7, "hexadecimal integer: expected digit, saw 'G'"),
        BadDocument("a = 0b102", 1, 9, "binary integer: expected digit, saw '2'"),
        BadDocument("a = +0x10", 1, 5, "hexadecimal integer: expected '0', saw '+'"),
        BadDocument("a = 9223372036854775808", 1, 24, "decimal integer: '9223372036854775808' is not representable in 64 bits"),
        BadDocument("a = 0x1_0000_0000_0000_0000", 1, 28, "hexadecimal integer: '0x10000000000000000' is not representable in 64 bits"),
        BadDocument("a = 1.", 1, 7, "floating-point: encountered end-of-file"),
        BadDocument("a = 1.e5", 1, 7, "floating-point: expected decimal digit, saw 'e'"),
        BadDocument("a = 1e", 1, 7, "floating-point: encountered end-of-file"),
        BadDocument("a = 1e400", 1, 10, "floating-point: '1e400' could not be interpreted as a value"),
        BadDocument("a = 1-2", 1, 6, "date: expected 4-digit year, saw '-'"),
        BadDocument("a = infinity", 1, 8, "floating-point: expected value-terminator, saw 'i'"),
        // Date-times
        BadDocument("a = 1979-13-01", 1, 12, "date: expected month between 1 and 12 (inclusive), saw 13"),
        BadDocument("a = 2023-02-29", 1, 15, "date: expected day between 1 and 28 (inclusive), saw 29"),
        BadDocument("a = 1979-05-27T25:00:00", 1, 18, "time: expected hour between 0 to 59 (inclusive), saw 25"),
        BadDocument("a = 07:32", 1, 10, "time: encountered end-of-file"),
        BadDocument("a = 1979-05-27T07:32:00+7", 1, 26, "date-time offset: encountered end-of-file"),
        BadDocument("a = 1979-05-27X07:32:00", 1, 5, "value: could not determine value type"),
        // Arrays and inline tables
        BadDocument("a = [1, 2", 1, 10, "array: encountered end-of-file"),
        BadDocument("a = [1 2]", 1, 8, "array: expected comma or closing ']', saw '2'"),
        BadDocument("a = [1,,2]", 1, 8, "array: expected value or closing ']', saw comma"),
        BadDocument("a = { b = 1, }", 1, 14, "inline table: expected key-value pair, saw closing '}' (dangling comma)"),
        BadDocument("a = { b = 1\n}", 1, 12, #"inline table: expected key or closing '}', saw '\n'"#),
        BadDocument("a = { b = 1", 1, 12, "inline table: encountered end-of-file"),
        BadDocument("a = { b 1 }", 1, 9, "key-value pair: expected '=', saw '1'"),
        BadDocument("a = { b = 1 c = 2 }", 1, 13, "inline table: expected comma or closing '}', saw 'c'"),
    ]

    @Test(arguments: corpus)
    func rejectsInvalidDocument(_ document: BadDocument) {
        #expect {
            try TOMLDocument.parse(document.text)
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            let matches = error.line == document.line && error.column == document.column
                && error.message.contains(document.message)
            if !matches { Issue.record("got \(error)") }
            return matches
        }
    }

    @Test func refusesNestingBeyondTheLibrarysLimitWithoutCrashing() {
        let text = "a = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: TOMLError.self) { try TOMLDocument.parse(text) }
    }

    @Test func refusesANulByteWithItsPosition() {
        #expect(throws: TOMLError(line: 2, column: 6, message: "the control character U+0000 is not allowed in a TOML document")) {
            try TOMLDocument.parse("a = 1\nb = \"\0\"")
        }
    }

    @Test func rejectsDocumentsOverOneMebibyte() {
        let text = String(repeating: "#", count: TOMLDocument.maximumInputBytes + 1)
        #expect(
            throws: TOMLError(
                line: 1, column: 1,
                message: "the document is 1048577 bytes long; the limit is 1048576 bytes (1 MiB)")
        ) { try TOMLDocument.parse(text) }
    }

    @Test func describesErrorsWithLineAndColumn() {
        let error = TOMLError(line: 7, column: 12, message: #"expected '=' after key "port""#)
        #expect(error.description == #"line 7, column 12: expected '=' after key "port""#)
    }
}
