import CRM
import EmbeddedCRM
import Foundation
import Hummingbird
import Testing
@testable import Web

@Suite("Web pages: reading")
struct PageReadingTests {
    @Test func overviewCountsTheOpenRecordsTheUserSees() async throws {
        let h = try await PageHarness.make()
        _ = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.bob.id, fields: ["name": .text("Bob's deal"), "stage": .text("Proposal")]))
        _ = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.alice.id, fields: ["name": .text("Won deal"), "stage": .text("Closed Won")]))
        try await h.run { client in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            // Opportunities are the owner's: only Alice's open one counts. Accounts are everyone's.
            #expect(page.text.contains(#"<span class="count">1</span>\#n<span class="card-title">Opportunities</span>"#))
            #expect(page.text.contains(#"href="/accounts""#))
            #expect(page.text.contains("Events"))
        }
    }

    @Test func listHeadersSortByTheirColumn() async throws {
        let h = try await PageHarness.make()
        for name in ["beta deal", "Alpha deal"] {
            _ = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.alice.id, fields: ["name": .text(name), "stage": .text("Proposal")]))
        }
        try await h.run { client in
            let byName = try await client.get("/opportunities?sort=name").text
            let alpha = try #require(byName.range(of: "Alpha deal")), beta = try #require(byName.range(of: "beta deal"))
            #expect(alpha.lowerBound < beta.lowerBound)
            #expect(byName.contains(#"aria-sort="ascending"><a href="/opportunities?state=open&amp;owner=me&amp;sort=-name&amp;page=1""#), "\(byName)")
            #expect(byName.contains(#"<a href="/opportunities?state=open&amp;owner=me&amp;sort=stage&amp;page=1""#))
            let down = try await client.get("/opportunities?sort=-name").text
            #expect(try #require(down.range(of: "beta deal")).lowerBound < (try #require(down.range(of: "Alpha deal"))).lowerBound)
            // An unknown column falls back to the newest change first.
            #expect(try await client.get("/opportunities?sort=colour").text.contains(#"aria-sort="descending""#))
        }
    }

    @Test func listFiltersBySearchStateAndOwner() async throws {
        let h = try await PageHarness.make()
        _ = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.bob.id, fields: ["name": .text("Bob's deal"), "stage": .text("Proposal")]))
        _ = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.alice.id, fields: ["name": .text("Won deal"), "stage": .text("Closed Won")]))
        let closeDate = try #require(CalendarDate("2026-03-05"))
        try await h.run { client in
            let mine = try await client.get("/opportunities").text
            #expect(mine.contains("Fleet tracking") && !mine.contains("Bob&#39;s deal") && !mine.contains("Won deal"))
            #expect(mine.contains("$12,500.00") && mine.contains("Proposal") && mine.contains(DisplayFormat(timeZone: .current).date(closeDate)))
            // Opportunities are the owner's: "everyone" still means Alice's alone.
            let everyone = try await client.get("/opportunities?owner=all").text
            #expect(everyone.contains("Fleet tracking") && !everyone.contains("Bob&#39;s deal"))
            let closed = try await client.get("/opportunities?state=closed&owner=me").text
            #expect(closed.contains("Won deal") && !closed.contains("Fleet tracking"))
            let search = try await client.get("/opportunities?q=fleet+track&state=all&owner=all").text
            #expect(search.contains("Fleet tracking") && !search.contains("Won deal"))
            #expect(search.contains(#"value="fleet track""#))
        }
    }

    @Test func listPagesFollowEachOtherInAStableOrderWithTheFilters() async throws {
        let h = try await PageHarness.make()
        for i in 1...30 {
            _ = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.alice.id, fields: [
                "name": .text("Bulk deal \(i)"), "stage": .text("Proposal"),
            ]))
        }
        try await h.run { client in
            func names(_ html: String) -> [String] { html.matches(of: /Bulk deal \d+/).map { String($0.0) } }
            let first = try await client.get("/opportunities?q=bulk").text
            #expect(first.contains("1–25 of 30"))
            let next = try #require(first.firstMatch(of: /<a rel="next" href="([^"]+)">/)).1
            #expect(next == "/opportunities?q=bulk&amp;state=open&amp;owner=me&amp;page=2")
            let second = try await client.get(String(next).replacingOccurrences(of: "&amp;", with: "&")).text
            #expect(second.contains("26–30 of 30") && second.contains(#"rel="prev""#) && !second.contains(#"rel="next""#))
            let shown = names(first) + names(second)
            #expect(shown.count == 30 && Set(shown).count == 30)
            // Newest change first; records changed in the same instant keep their order by id.
            #expect(shown.first == "Bulk deal 30" && shown.last == "Bulk deal 1")
            #expect(try await client.get("/opportunities?q=bulk").text == first)

            // The Modified header flips the order; the pager and the filter form keep it.
            #expect(first.contains(#"<th scope="col" aria-sort="descending"><a href="/opportunities?q=bulk&amp;state=open&amp;owner=me&amp;sort=modified&amp;page=1""#))
            let oldest = try await client.get("/opportunities?q=bulk&sort=modified").text
            #expect(oldest.contains(#"aria-sort="ascending""#) && oldest.contains(#"<input type="hidden" name="sort" value="modified">"#))
            let oldestNext = try #require(oldest.firstMatch(of: /<a rel="next" href="([^"]+)">/)).1
            #expect(oldestNext.contains("sort=modified"))
            let oldestSecond = try await client.get(String(oldestNext).replacingOccurrences(of: "&amp;", with: "&")).text
            #expect(names(oldest) + names(oldestSecond) == shown.reversed())
        }
    }

    @Test func recordPageShowsFieldsReferencesContactsAndEmails() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let page = try await client.get("/opportunities/\(h.opportunity.ref.id)")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<dt>Stage</dt><dd>Proposal</dd>"))
            #expect(html.contains("<dt>Amount</dt><dd>$12,500.00</dd>"))
            #expect(html.contains(#"<a href="/accounts/\#(h.account.ref.id)">Acme &lt;Corp&gt;</a>"#))
            #expect(html.contains(#"href="/opportunities/\#(h.opportunity.ref.id)/edit">Edit</a>"#))
            // Related contacts: the contacts of the referenced account.
            #expect(html.contains(#"<a href="/contacts/\#(h.contact.ref.id)">Rosa Weber</a>"#))
            #expect(html.contains("Our offer") && html.contains("Rosa Weber &lt;rosa@acme.example&gt;"))
            #expect(html.contains(#"href="/emails/\#(h.email.id)/raw""#))
            #expect(html.contains("Angebot Müller.pdf"))
        }
    }

    @Test func recordPagePagesItsEmailsNewestFirst() async throws {
        let h = try await PageHarness.make()
        for i in 1...54 {
            _ = try await h.crm.archiveEmail(EmailArchive(
                key: "<note\(i)@acme.example>", messageID: "<note\(i)@acme.example>", subject: "Note \(i)",
                from: EmailAddress(name: nil, address: "rosa@acme.example"), date: Date(timeIntervalSince1970: 1_780_000_000 + Double(i) * 60),
                textBody: "n", rawMessage: Array("Subject: Note \(i)\r\n\r\nn\r\n".utf8),
                records: [h.opportunity.ref], owner: h.alice.id))
        }
        try await h.run { client in
            func subjects(_ html: String) -> [String] { html.matches(of: /<td>(Note \d+|Our offer)<\/td>/).map { String($0.1) } }
            let path = "/opportunities/\(h.opportunity.ref.id)"
            let first = try await client.get(path).text
            #expect(subjects(first) == (5...54).reversed().map { "Note \($0)" })
            #expect(first.contains(#"<a rel="next" href="\#(path)?emails=2#emails">Older emails →</a>"#) && !first.contains("Newer emails"))
            #expect(first.contains(#"<h2>Archived emails <span class="muted">(55)</span></h2>"#) && first.contains("Page 1 of 2"))
            let second = try await client.get(path + "?emails=2").text
            #expect(subjects(second) == ["Note 4", "Note 3", "Note 2", "Note 1", "Our offer"])
            #expect(second.contains(#"<a rel="prev" href="\#(path)#emails">← Newer emails</a>"#) && !second.contains("Older emails"))
            #expect(try await client.get(path + "?emails=9").text.contains("No older archived emails."))
        }
    }

    @Test func accountPageListsItsContactsAndLinkedRecords() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let html = try await client.get("/accounts/\(h.account.ref.id)").text
            #expect(html.contains("Rosa Weber") && html.contains("Buyer"))
            #expect(html.contains("Linked records") && html.contains("Fleet tracking"))
        }
    }

    @Test func rawMessageDownloadsAsRFC822() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let raw = try await client.get("/emails/\(h.email.id)/raw")
            #expect(raw.status == .ok)
            #expect(raw.headers[.contentType] == "message/rfc822")
            #expect(raw.headers[.contentDisposition]?.hasPrefix(#"attachment; filename="email-\#(h.email.id).eml""#) == true)
            #expect(raw.text.hasPrefix("Subject: Our offer"))
            #expect(try await client.get("/emails/999/raw").status == .notFound)
        }
    }

    @Test func attachmentDownloadsWithItsTypeAndFilename() async throws {
        let h = try await PageHarness.make()
        let content = try #require(try await h.crm.archivedEmail(id: h.email.id))
        let attachment = try #require(content.attachments.first)
        try await h.run { client in
            let file = try await client.get("/emails/\(h.email.id)/attachments/\(attachment.id)")
            #expect(file.status == .ok)
            #expect(file.headers[.contentType] == "application/pdf")
            #expect(file.headers[.contentDisposition] == #"attachment; filename="Angebot M_ller.pdf"; filename*=UTF-8''Angebot%20M%C3%BCller.pdf"#)
            #expect(file.text == "%PDF-1.4")
            // The attachment must belong to the email in the URL.
            #expect(try await client.get("/emails/999/attachments/\(attachment.id)").status == .notFound)
        }
    }

    @Test(arguments: ["/nosuchmodule", "/opportunities/999999", "/opportunities/abc/edit", "/emails/1/attachments/x"])
    func unknownModuleOrRecordIsA404Page(path: String) async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let page = try await client.get(path)
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<h1>Not found</h1>"))
        }
    }

    @Test func userTextIsEscaped() async throws {
        let h = try await PageHarness.make()
        let record = try await h.crm.createRecord(in: .opportunities, RecordDraft(owner: h.alice.id, fields: [
            "name": .text("<script>alert(1)</script>"), "stage": .text("Proposal"), "description": .text("\"><img src=x>"),
        ]))
        try await h.run { client in
            for path in ["/opportunities/\(record.ref.id)", "/opportunities/\(record.ref.id)/edit", "/opportunities"] {
                let html = try await client.get(path).text
                #expect(!html.contains("<script>alert") && !html.contains("<img src=x>"), "\(path)")
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
        }
    }

    @Test func signedOutBrowserIsSentToSignIn() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let anonymous = PageClient(client: client.client, cookie: nil)
            let response = try await anonymous.get("/opportunities/\(h.opportunity.ref.id)")
            #expect(response.status == .found)
            #expect(response.headers[.location] == "/signin?next=%2Fopportunities%2F\(h.opportunity.ref.id)")
        }
    }
}
