import Testing

@testable import GatewayConfig

/// One valid document and the table it must produce.
struct GoodDocument: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var expected: TOMLTable

    var testDescription: String { name }
}

@Suite("TOML documents (TOMLKit): valid documents")
struct TOMLDocumentGoodCorpusTests {
    static let corpus: [GoodDocument] = [
        GoodDocument(name: "empty document", text: "", expected: [:]),
        GoodDocument(
            name: "comments and blank lines", text: "# header\n\n   \t\na = 1 # trailing\n# end",
            expected: ["a": 1]),
        GoodDocument(name: "byte order mark", text: "\u{FEFF}a = 1", expected: ["a": 1]),
        GoodDocument(
            name: "bare, quoted and literal keys",
            text: """
                bare_key-1 = 1
                1234 = 2
                "quoted key" = 3
                'literal "key"' = 4
                "" = 5
                "ʎǝʞ" = 6
                """,
            expected: ["bare_key-1": 1, "1234": 2, "quoted key": 3, "literal \"key\"": 4, "": 5, "ʎǝʞ": 6]),
        GoodDocument(
            name: "dotted keys with whitespace and quotes",
            text: """
                site."google.com" = true
                fruit . color = "yellow"
                fruit.flavor = "banana"
                3.14159 = "pi"
                """,
            expected: [
                "site": ["google.com": true],
                "fruit": ["color": "yellow", "flavor": "banana"],
                "3": ["14159": "pi"],
            ]),
        GoodDocument(
            name: "tables, sub-tables and a super-table defined after its child",
            text: """
                [owner]
                name = "Tom"
                [ a . "b c" ]
                x = 1
                [a]
                y = 2
                """,
            expected: ["owner": ["name": "Tom"], "a": ["b c": ["x": 1], "y": 2]]),
        GoodDocument(
            name: "headers may add sub-tables to tables made by dotted keys",
            text: """
                [fruit]
                apple.color = "red"
                apple.taste.sweet = true
                [fruit.apple.texture]
                smooth = true
                """,
            expected: [
                "fruit": ["apple": ["color": "red", "taste": ["sweet": true], "texture": ["smooth": true]]]
            ]),
        GoodDocument(
            name: "arrays of tables",
            text: """
                [[products]]
                name = "Hammer"
                [[products]]

                [[products]]
                name = "Nail"
                """,
            expected: ["products": [["name": "Hammer"], [:], ["name": "Nail"]]]),
        GoodDocument(
            name: "nested arrays of tables and sub-tables of the last element",
            text: """
                [[fruits]]
                name = "apple"
                [fruits.physical]
                color = "red"
                [[fruits.varieties]]
                name = "red delicious"
                [[fruits]]
                name = "banana"
                [[fruits.varieties]]
                name = "plantain"
                """,
            expected: [
                "fruits": [
                    [
                        "name": "apple", "physical": ["color": "red"],
                        "varieties": [["name": "red delicious"]],
                    ],
                    ["name": "banana", "varieties": [["name": "plantain"]]],
                ]
            ]),
        GoodDocument(
            name: "basic string escapes",
            text: #"s = "tab\tquote\"back\\slash \u00E9 \U0001F600 \b\f\n\r end""#,
            expected: ["s": "tab\tquote\"back\\slash é 😀 \u{08}\u{0C}\n\r end"]),
        GoodDocument(
            name: "literal strings keep backslashes",
            text: #"path = 'C:\Users\nodejs\templates'"# + "\n" + #"re = '<\i\c*\s*>'"#,
            expected: ["path": #"C:\Users\nodejs\templates"#, "re": #"<\i\c*\s*>"#]),
        GoodDocument(
            name: "multi-line basic strings",
            text: #"""
                a = """
                Roses are red
                Violets are blue"""
                b = """\
                    The quick \
                    brown fox."""
                c = """Here are two quotation marks: "". Simple."""
                d = """"This," she said, "is just a pointless statement.""""
                e = """tab\there"""
                """#,
            expected: [
                "a": "Roses are red\nViolets are blue",
                "b": "The quick brown fox.",
                "c": #"Here are two quotation marks: "". Simple."#,
                "d": #""This," she said, "is just a pointless statement.""#,
                "e": "tab\there",
            ]),
        GoodDocument(
            name: "multi-line literal strings",
            text: """
                a = '''
                The first newline is
                trimmed in raw strings.
                '''
                b = ''''That,' she said, 'is still pointless.''''
                c = '''I [dw]on't need \\d{2} apples'''
                """,
            expected: [
                "a": "The first newline is\ntrimmed in raw strings.\n",
                "b": "'That,' she said, 'is still pointless.'",
                "c": #"I [dw]on't need \d{2} apples"#,
            ]),
        GoodDocument(
            name: "integers in every base",
            text: """
                a = +99
                b = 42
                c = 0
                d = -17
                e = 1_000
                f = 5_349_221
                g = 0xDEADBEEF
                h = 0xdead_beef
                i = 0o755
                j = 0b1101_0110
                k = -0
                l = 9223372036854775807
                m = -9223372036854775808
                n = 0x7FFFFFFFFFFFFFFF
                """,
            expected: [
                "a": 99, "b": 42, "c": 0, "d": -17, "e": 1000, "f": 5_349_221, "g": 0xDEAD_BEEF,
                "h": 0xDEAD_BEEF, "i": 0o755, "j": 0b1101_0110, "k": 0, "l": .integer(.max),
                "m": .integer(.min), "n": .integer(.max),
            ]),
        GoodDocument(
            name: "floats with fractions, exponents and infinities",
            text: """
                a = +1.0
                b = 3.1415
                c = -0.01
                d = 5e+22
                e = 1e06
                f = -2E-2
                g = 6.626e-34
                h = 224_617.445_991_228
                i = 0e0
                j = 0.0
                k = inf
                l = +inf
                m = -inf
                """,
            expected: [
                "a": 1.0, "b": 3.1415, "c": -0.01, "d": 5e22, "e": 1e6, "f": -0.02, "g": 6.626e-34,
                "h": 224_617.445_991_228, "i": 0.0, "j": 0.0, "k": .float(.infinity), "l": .float(.infinity),
                "m": .float(-.infinity),
            ]),
        GoodDocument(name: "booleans", text: "t = true\nf = false", expected: ["t": true, "f": false]),
        GoodDocument(
            name: "arrays: mixed, nested, multi-line with comments and a trailing comma",
            text: """
                a = [ 1, 2, 3 ]
                b = [ "red", 'yellow', \"\"\"green\"\"\" ]
                c = [ [ 1, 2 ], ["a", "b"] ]
                d = [ 0.5, 1, "x", { k = 1 }, [] ]
                e = [
                  1, # one
                  # a comment line
                  2,
                ]
                f = []
                g = [

                ]
                """,
            expected: [
                "a": [1, 2, 3], "b": ["red", "yellow", "green"], "c": [[1, 2], ["a", "b"]],
                "d": [0.5, 1, "x", ["k": 1], []], "e": [1, 2], "f": [], "g": [],
            ]),
        GoodDocument(
            name: "inline tables, with dotted keys and nesting",
            text: """
                name = { first = "Tom", last = "Preston-Werner" }
                point = {x=1,y=2}
                animal = { type.name = "pug", type.size = "small" }
                nested = { inner = { deep = [ { x = 1 } ] } }
                empty = {}
                """,
            expected: [
                "name": ["first": "Tom", "last": "Preston-Werner"],
                "point": ["x": 1, "y": 2],
                "animal": ["type": ["name": "pug", "size": "small"]],
                "nested": ["inner": ["deep": [["x": 1]]]],
                "empty": [:],
            ]),
        GoodDocument(
            name: "a date followed by a comment is a local date",
            text: "d = 1979-05-27 # birthday",
            expected: ["d": .datetime(TOMLDateTime(kind: .localDate, text: "1979-05-27"))]),
        GoodDocument(
            name: "CRLF line endings (toml++ ends lines in multi-line strings with LF)",
            text: "[a]\r\nb = \"\"\"x\r\ny\"\"\"\r\nc = [\r\n1,\r\n]\r\n",
            expected: ["a": ["b": "x\ny", "c": [1]]]),
        GoodDocument(
            name: "unicode in keys, values and comments",
            text: "\"ключ\" = \"значение\" # комментарий\n'日本' = '語'",
            expected: ["ключ": "значение", "日本": "語"]),
    ]

    @Test(arguments: corpus)
    func parsesValidDocument(_ document: GoodDocument) throws {
        #expect(try TOMLDocument.parse(document.text).root == document.expected)
    }

    @Test func tellsTheFourKindsOfDateTime() throws {
        let table = try TOMLDocument.parse("""
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27 00:32:00.999999-07:00
            ldt = 1979-05-27T07:32:00
            ld = 2024-02-29
            lt = 00:32:00.999999
            arr = [1979-05-27, 07:32:00]
            """).root
        let kinds: [String: TOMLDateTime.Kind] = [
            "odt1": .offsetDateTime, "odt2": .offsetDateTime, "ldt": .localDateTime, "ld": .localDate, "lt": .localTime,
        ]
        for (key, kind) in kinds {
            guard case .datetime(let value) = table[key] else {
                Issue.record("\(key) is not a date-time")
                continue
            }
            #expect(value.kind == kind, "\(key)")
        }
        guard case .datetime(let date) = table["ld"], case .array(let elements) = table["arr"] else { return }
        #expect(date.text == "2024-02-29")
        #expect(elements.count == 2)
    }

    @Test func parsesNotANumber() throws {
        let table = try TOMLDocument.parse("a = nan\nb = +nan\nc = -nan").root
        for key in ["a", "b", "c"] {
            guard case .float(let value) = table[key] else {
                Issue.record("\(key) is not a float")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test func keepsKeysInDocumentOrder() throws {
        let table = try TOMLDocument.parse("zebra = 1\napple = 2\n[middle]\n[aardvark]").root
        #expect(table.keys == ["zebra", "apple", "middle", "aardvark"])
        #expect(table.map(\.key) == table.keys)
    }

    @Test func acceptsNestingOfSixtyFourLevels() throws {
        let text = "a = " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try TOMLDocument.parse(text)
    }

    @Test func findsTheLineOfEveryKeyAndTable() throws {
        let text = """
            # crmgate
            [imap]
            port = 1143
            quoted."dotted.key" = 'x' # comment with "quotes"
            multi = \"\"\"
            [not_a_table]
            \"\"\"
            list = [
              "a", # [not] a table either
              "b",
            ]
            [[policy]]
            name = "a"
            [[policy]]
            name = "b"
            inline = { x = 1 }

            [policy.sub]
            y = 2
            """
        let lines = try TOMLDocument.parse(text).keyLines
        #expect(lines.line(of: ["imap"]) == 2)
        #expect(lines.line(of: ["imap", "port"]) == 3)
        #expect(lines.line(of: ["imap", "quoted", "dotted.key"]) == 4)
        #expect(lines.line(of: ["imap", "multi"]) == 5)
        #expect(lines.line(of: ["not_a_table"]) == nil)
        #expect(lines.line(of: ["imap", "list"]) == 8)
        #expect(lines.line(of: ["policy"]) == 12)
        #expect(lines.line(of: ["policy[1]", "name"]) == 13)
        #expect(lines.line(of: ["policy[2]"]) == 14)
        #expect(lines.line(of: ["policy[2]", "name"]) == 15)
        // Keys inside inline tables fall back to the key that holds them.
        #expect(lines.line(of: ["policy[2]", "inline", "x"]) == 16)
        #expect(lines.line(of: ["policy[2]", "sub", "y"]) == 19)
        #expect(lines.line(of: ["policy[2]", "unknown"]) == 14)
    }

    @Test func acceptsADocumentJustUnderTheSizeLimit() throws {
        let filler = "# " + String(repeating: "x", count: TOMLDocument.maximumInputBytes - 10) + "\n"
        let table = try TOMLDocument.parse(filler + "a = 1").root
        #expect(table == ["a": 1])
    }

    @Test func rendersValuesInTOMLSyntax() {
        let value: TOMLValue = ["s": "a\"b\n", "n": [1, 2.5, true], "quoted key": [:]]
        #expect(value.description == #"{ s = "a\"b\n", n = [1, 2.5, true], "quoted key" = {} }"#)
        #expect(TOMLValue.float(-.infinity).description == "-inf")
    }
}
