import Testing
@testable import MIMECore

@Suite("RFC 2047 encoded words")
struct HeaderDecodingTests {
    @Test(arguments: [
        ("=?utf-8?B?R3LDvMOfZQ==?=", "Grüße"),
        ("=?iso-8859-1?Q?M=FCller?=", "Müller"),
        ("=?ISO-8859-1?q?a_b?=", "a b"),
        ("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),
        ("=?utf-8?Q?a?=\t\t=?iso-8859-1?Q?=E9?=", "aé"),
        ("=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b"),
        ("Re: =?utf-8?Q?caf=C3=A9?= now", "Re: café now"),
        ("=?utf-8?B?w6k=?==?utf-8?B?w6k=?=", "éé"),
        ("=?utf-8*en?Q?hi?=", "hi"),
        ("=?iso-8859-15?Q?=A4?=", "€"),
        ("=?windows-1252?Q?=80?=", "€"),
        ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
        ("=?x-unknown?Q?plain?=", "plain"),
        ("no encoding at all", "no encoding at all"),
        ("=?broken", "=?broken"),
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
        ("=?utf-8?Q?has space?=", "=?utf-8?Q?has space?="),
    ])
    func decodes(input: String, expected: String) {
        #expect(HeaderDecoding.decodeEncodedWords(Array(input.utf8)) == expected)
    }

    @Test func multiByteCharacterSplitAcrossAdjacentWordsSurvives() {
        // "é" is C3 A9; each word carries one byte.
        #expect(HeaderDecoding.decodeEncodedWords(Array("=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=".utf8)) == "é")
    }

    @Test func raw8BitLatin1FallsBackToWindows1252() {
        #expect(HeaderDecoding.decodeEncodedWords([0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]) == "Müller")
    }
}
