import Testing
@testable import IMAPServer

@Suite("LIST patterns")
struct MailboxPatternTests {
    @Test(arguments: [
        ("", "*", "Customers/Acme Corp", true),
        ("", "%", "Customers/Acme Corp", false),
        ("", "%", "Customers", true),
        ("", "Customers/%", "Customers/Acme Corp", true),
        ("Customers", "%", "Customers/Acme Corp", true),
        ("Customers/", "%", "Customers/Acme Corp", true),
        ("", "inbox", "INBOX", true),
        ("", "Inbox/*", "INBOX/Sub", true),
        ("", "- Create*", "- Create New Opportunity", true),
        ("", "*GmbH", "Müller GmbH", true),
        ("", "M%r*", "Müller GmbH", true),
        ("", "Sent", "Sent Items", false),
    ])
    func patternMatching(reference: String, pattern: String, name: String, expected: Bool) {
        #expect(MailboxPattern(reference: reference, pattern: pattern).matches(name) == expected)
    }

    @Test func pathologicalPatternsStayFast() {
        let pattern = MailboxPattern(reference: "", pattern: String(repeating: "*a", count: 200) + "b")
        #expect(!pattern.matches(String(repeating: "a", count: 1000)))
    }
}
