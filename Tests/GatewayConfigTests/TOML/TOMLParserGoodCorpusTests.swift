import Testing

@testable import GatewayConfig

/// One valid document and the table it must produce.
struct GoodDocument: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var expected: TOMLTable

    var testDescription: String { name }
}

@Suite("TOML parser: valid documents")
struct TOMLParserGoodCorpusTests {
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
            name: "date-times of every kind are kept as written",
            text: """
                odt1 = 1979-05-27T07:32:00Z
                odt2 = 1979-05-27T00:32:00-07:00
                odt3 = 1979-05-27T00:32:00.999999+07:00
                odt4 = 1979-05-27 07:32:00Z
                ldt = 1979-05-27T07:32:00
                ld = 2024-02-29
                lt = 00:32:00.999999
                arr = [1979-05-27, 07:32:00]
                """,
            expected: [
                "odt1": .datetime(TOMLDateTime(kind: .offsetDateTime, text: "1979-05-27T07:32:00Z")),
                "odt2": .datetime(TOMLDateTime(kind: .offsetDateTime, text: "1979-05-27T00:32:00-07:00")),
                "odt3": .datetime(TOMLDateTime(kind: .offsetDateTime, text: "1979-05-27T00:32:00.999999+07:00")),
                "odt4": .datetime(TOMLDateTime(kind: .offsetDateTime, text: "1979-05-27 07:32:00Z")),
                "ldt": .datetime(TOMLDateTime(kind: .localDateTime, text: "1979-05-27T07:32:00")),
                "ld": .datetime(TOMLDateTime(kind: .localDate, text: "2024-02-29")),
                "lt": .datetime(TOMLDateTime(kind: .localTime, text: "00:32:00.999999")),
                "arr": [
                    .datetime(TOMLDateTime(kind: .localDate, text: "1979-05-27")),
                    .datetime(TOMLDateTime(kind: .localTime, text: "07:32:00")),
                ],
            ]),
        GoodDocument(
            name: "a date followed by a comment is a local date",
            text: "d = 1979-05-27 # birthday",
            expected: ["d": .datetime(TOMLDateTime(kind: .localDate, text: "1979-05-27"))]),
        GoodDocument(
            name: "CRLF line endings", text: "[a]\r\nb = \"\"\"x\r\ny\"\"\"\r\nc = [\r\n1,\r\n]\r\n",
            expected: ["a": ["b": "x\r\ny", "c": [1]]]),
        GoodDocument(
            name: "unicode in keys, values and comments",
            text: "\"ключ\" = \"значение\" # комментарий\n'日本' = '語'",
            expected: ["ключ": "значение", "日本": "語"]),
    ]

    @Test(arguments: corpus)
    func parsesValidDocument(_ document: GoodDocument) throws {
        #expect(try TOMLParser.parse(document.text) == document.expected)
    }

    @Test func parsesNotANumber() throws {
        let table = try TOMLParser.parse("a = nan\nb = +nan\nc = -nan")
        for key in ["a", "b", "c"] {
            guard case .float(let value) = table[key] else {
                Issue.record("\(key) is not a float")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test func keepsKeysInDocumentOrder() throws {
        let table = try TOMLParser.parse("zebra = 1\napple = 2\n[middle]\n[aardvark]")
        #expect(table.keys == ["zebra", "apple", "middle", "aardvark"])
        #expect(table.map(\.key) == table.keys)
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = TOMLParser.maximumNestingDepth - 1
        let text = "a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try TOMLParser.parse(text)
    }

    @Test func acceptsADocumentJustUnderTheSizeLimit() throws {
        let filler = "# " + String(repeating: "x", count: TOMLParser.maximumInputBytes - 10) + "\n"
        let table = try TOMLParser.parse(filler + "a = 1")
        #expect(table == ["a": 1])
    }

    @Test func rendersValuesInTOMLSyntax() {
        let value: TOMLValue = ["s": "a\"b\n", "n": [1, 2.5, true], "quoted key": [:]]
        #expect(value.description == #"{ s = "a\"b\n", n = [1, 2.5, true], "quoted key" = {} }"#)
        #expect(TOMLValue.float(-.infinity).description == "-inf")
    }
}
