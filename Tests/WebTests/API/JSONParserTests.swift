import CRM
import Foundation
import Testing
@testable import Web

@Suite("JSON parser: strict RFC 8259 with positions")
struct JSONParserTests {
    private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("parses every kind of value")
    func values() throws {
        let value = try parse(#" {"s": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "n": -12.50e1, "z": 0, "t": true, "f": false, "x": null, "a": [1, [], {}]} "#)
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["n"] == .number(Decimal(-125)))
        #expect(value["z"] == 0)
        #expect(value["t"] == true)
        #expect(value["f"] == false)
        #expect(value["x"].isNull)
        #expect(value["a"] == [1, [], .object([:])])
        #expect(try parse("\"héllo\"") == "héllo")
    }

    @Test("numbers keep every decimal digit")
    func exactNumbers() throws {
        #expect(try parse("0.1") == .number(Decimal(string: "0.1") ?? 0))
        #expect(try parse("99999999999.99") == .number(Decimal(string: "99999999999.99") ?? 0))
    }

    @Test("refuses what RFC 8259 does not allow, saying where", arguments: [
        (#"{"a": 1,}"#, 1, 9, "where a quoted key"),
        ("[1, 2,]", 1, 7, "where a value"),
        (#"{"a": 1, "a": 2}"#, 1, 10, "appears twice"),
        ("{\n  \"a\": tru\n}", 2, 8, "did you mean true"),
        (#"{"a": 'x'}"#, 1, 7, "unexpected '''"),
        (#"{"a": 01}"#, 1, 8, "a comma or }"),
        (#"{"a": 1.}"#, 1, 9, "after the decimal point"),
        (#"{"a": -}"#, 1, 8, "after the minus"),
        ("{\"a\": \"line\nbreak\"}", 1, 12, "control character"),
        (#"{"a": "\x"}"#, 1, 9, "not a JSON escape"),
        (#"{"a": "\ud800"}"#, 1, 14, "low surrogate"),
        (#"{"a": "open"#, 1, 7, "not closed"),
        (#"{"a": 1} x"#, 1, 10, "after the end"),
        ("", 1, 1, "ends where a value"),
        ("// comment\n{}", 1, 1, "unexpected '/'"),
    ])
    func refuses(text: String, line: Int, column: Int, says: String) {
        do {
            let value = try parse(text)
            Issue.record("parsed \(value)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(says), "\(error)")
        }
    }

    @Test("refuses invalid UTF-8 and very deep nesting")
    func limits() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try parse(fine) }
    }
}
