import CRM
import Foundation
import Testing

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test(arguments: ["2024-02-29", "0001-01-01", "9999-12-31", "2025-12-15"])
    func validDatesParseAndPrintTheSame(_ text: String) throws {
        let date = try #require(CalendarDate(text))
        #expect(date.description == text)
    }

    @Test(arguments: ["2023-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "25-01-01", "2025-1-01",
                      "2025/01/01", "2025-01-01T00:00", "", "abcd-ef-gh", "0000-01-01"])
    func invalidDatesAreRejected(_ text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func componentsAreValidated() {
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 10000, month: 1, day: 1) == nil)
    }

    @Test func datesOrderChronologically() throws {
        let dates = try ["2025-01-02", "2024-12-31", "2025-01-01"].map { try #require(CalendarDate($0)) }
        #expect(dates.sorted().map(\.description) == ["2024-12-31", "2025-01-01", "2025-01-02"])
    }

    @Test func codableUsesTheWireFormatAndRejectsBadText() throws {
        let date = try #require(CalendarDate("2025-06-15"))
        let json = try JSONEncoder().encode([date])
        #expect(String(decoding: json, as: UTF8.self) == #"["2025-06-15"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == [date])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2025-02-30"]"#.utf8)) }
    }
}
