import Foundation
import Testing
@testable import MIMECore

@Suite("RFC 5322 dates")
struct DateParserTests {
    /// 2022-06-14 08:00:00 UTC
    private static let reference = Date(timeIntervalSince1970: 1_655_193_600)

    @Test(arguments: [
        "Tue, 14 Jun 2022 10:00:00 +0200",
        "14 Jun 2022 08:00:00 +0000",
        "Tue, 14 Jun 2022 08:00 GMT",
        "Tue, 14 Jun 2022 04:00:00 EDT",
        "Tue, 14 Jun 22 03:00:00 EST",
        "Tue,14 Jun 2022 01:00:00 PDT (Pacific Daylight Time)",
        "tue, 14 june 2022 08:00:00 UT",
        "Tue Jun 14 08:00:00 2022",
        "  Tue, 14 Jun 2022 09:00:00 +0100  ",
        "Tue, 14 Jun 2022 08:00:00 Z",
        "Tue, 14 Jun 2022 08:00:00 XYZ",
    ])
    func parsesToTheSameInstant(value: String) {
        #expect(DateParser.parse(Array(value.utf8)) == Self.reference)
    }

    @Test func twoAndThreeDigitYears() {
        #expect(DateParser.parse(Array("1 Jan 99 00:00:00 +0000".utf8)) == Date(timeIntervalSince1970: 915_148_800))
        #expect(DateParser.parse(Array("1 Jan 49 00:00:00 +0000".utf8)) == Date(timeIntervalSince1970: 2_493_072_000))
        #expect(DateParser.parse(Array("1 Jan 101 00:00:00 +0000".utf8)) == Date(timeIntervalSince1970: 978_307_200))
    }

    @Test(arguments: ["", "yesterday", "32 Jan 2022 10:00:00 +0000", "1 Foo 2022 10:00 +0000", "1 Jan 2022 25:00 +0000", "1 Jan 2022"])
    func rejectsNonsense(value: String) {
        #expect(DateParser.parse(Array(value.utf8)) == nil)
    }
}
