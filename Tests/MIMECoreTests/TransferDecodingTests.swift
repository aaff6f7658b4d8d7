import Testing
@testable import MIMECore

@Suite("Content-Transfer-Encoding decoders")
struct TransferDecodingTests {
    @Test(arguments: [
        ("SGVsbG8=", "Hello"),
        ("SGVs\r\nbG8h", "Hello!"),
        ("S G V s b G 8 =", "Hello"),
        ("SGVsbG8*!", "Hello"),
        ("", ""),
    ])
    func base64IsLenient(input: String, expected: String) {
        #expect(TransferDecoding.base64(Array(input.utf8)) == Array(expected.utf8))
    }

    @Test(arguments: [
        ("a=3Db", Array("a=b".utf8)),
        ("soft=\r\nbreak", Array("softbreak".utf8)),
        ("soft= \t\nbreak", Array("softbreak".utf8)),
        ("bad=ZZescape", Array("bad=ZZescape".utf8)),
        ("end=", Array("end".utf8)),
        ("lower=c3=a9", Array("lower".utf8) + [0xC3, 0xA9]),
    ])
    func quotedPrintableIsLenient(input: String, expected: [UInt8]) {
        #expect(TransferDecoding.quotedPrintable(Array(input.utf8)) == expected)
    }
}

@Suite("Quoted-printable: white space at line ends")
struct QuotedPrintableTrailingSpaceTests {
    @Test func whiteSpaceAtTheEndOfAnEncodedLineIsDeletedAndEncodedSpaceKept() {
        let encoded = Array("one   \r\ntwo\t \nthree=20\r\nfour =\r\nfive \t".utf8)
        #expect(String(decoding: TransferDecoding.quotedPrintable(encoded), as: UTF8.self) == "one\r\ntwo\nthree \r\nfour five")
    }
}
