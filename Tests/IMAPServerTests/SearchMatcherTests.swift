import Testing
@testable import IMAPServer

@Suite("SEARCH's case-insensitive match")
struct SearchMatcherTests {
    @Test func asciiTextMatchesWhateverTheCaseOfEither() {
        #expect(SearchMatcher.contains("Please confirm ORDER 000123 today", Array("order 000123".utf8)))
        #expect(SearchMatcher.contains("needle000042", Array("NEEDLE000042".utf8)))
        #expect(!SearchMatcher.contains("needle000042", Array("needle000043".utf8)))
        #expect(!SearchMatcher.contains("short", Array("longer than the text".utf8)))
        #expect(!SearchMatcher.contains("ab", Array("b@".utf8)), "folding touches letters only")
        #expect(SearchMatcher.contains("anything", []), "an empty string is in every text")
    }

    @Test func textBeyondAsciiIsComparedTheUnicodeWay() {
        #expect(SearchMatcher.contains("Grüße aus MÜNCHEN", Array("münchen".utf8)))
        #expect(SearchMatcher.contains("Grüße aus München", Array("AUS".utf8)), "an ASCII word inside non-ASCII text")
        #expect(SearchMatcher.contains("Ünïcödé at the start", Array("START".utf8)))
        #expect(!SearchMatcher.contains("Grüße aus München", Array("berlin".utf8)))
    }
}
