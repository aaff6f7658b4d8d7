import CRM
import EmbeddedCRM
import Foundation
import Hummingbird
import Testing
@testable import Web

@Suite("JSON API: listing, filters and module descriptions")
struct ListingTests {
    /// Seven opportunities: 0–4 Alice's and open, 5 Bob's and won, 6 Bob's and lost.
    private func seeded() async throws -> (APIHarness, [CRMRecord]) {
        let harness = try await APIHarness.make()
        var records: [CRMRecord] = []
        for i in 0..<7 {
            let stage = i == 5 ? "Closed Won" : i == 6 ? "Closed Lost" : "Proposal"
            let owner = i >= 5 ? harness.bob.id : harness.alice.id
            records.append(try await harness.crm.createRecord(in: .opportunities, RecordDraft(
                owner: owner, fields: ["name": .text(i == 3 ? "Blue widgets" : "Deal \(i)"), "stage": .text(stage)])))
        }
        return (harness, records)
    }

    /// These tests are about listing itself, over everyone's records: an administrator's view.
    static let everything = RecordAccess(scope: .visible, isAdministrator: true)

    @Test("lists page with limit and offset or page, newest change first")
    func paging() async throws {
        let (harness, records) = try await seeded()
        try await harness.run(access: Self.everything) { api in
            let all = try await api.get("/api/v1/opportunities").json
            #expect(all["total"] == 7)
            #expect(all["limit"] == 50)
            #expect(all["offset"] == 0)
            let ids = all["data"].array?.compactMap { $0["id"].string } ?? []
            #expect(ids == records.reversed().map(\.ref.id.rawValue))

            let second = try await api.get("/api/v1/opportunities?limit=3&offset=3").json
            #expect(second["total"] == 7)
            #expect(second["limit"] == 3)
            #expect(second["offset"] == 3)
            #expect(second["data"].array?.compactMap { $0["id"].string } == Array(ids[3..<6]))

            let page3 = try await api.get("/api/v1/opportunities?limit=3&page=3").json
            #expect(page3["offset"] == 6)
            #expect(page3["data"].array?.compactMap { $0["id"].string } == [ids[6]])

            #expect(try await api.get("/api/v1/opportunities?limit=100000").json["limit"] == 500)
            #expect(try await api.get("/api/v1/opportunities?offset=50").json["data"] == [])
        }
    }

    @Test("a page links to the next and previous ones, keeping the filters")
    func pageLinks() async throws {
        let (harness, _) = try await seeded()
        try await harness.run(access: Self.everything) { api in
            let first = try await api.get("/api/v1/opportunities?state=all&limit=3")
            let next = try #require(first.json["next"].string)
            #expect(next == "\(APIHarness.publicURL)/api/v1/opportunities?state=all&limit=3&offset=3")
            #expect(first.json["previous"] == .null)
            #expect(first.headers[.link] == "<\(next)>; rel=\"next\"")

            let second = try await api.get(String(next.dropFirst(APIHarness.publicURL.count)))
            #expect(second.json["offset"] == 3)
            #expect(second.json["previous"].string == "\(APIHarness.publicURL)/api/v1/opportunities?state=all&limit=3&offset=0")
            #expect(second.headers[.link]?.contains(#"rel="prev""#) == true)

            let last = try await api.get("/api/v1/opportunities?state=all&limit=3&page=3")
            #expect(last.json["next"] == .null)
            #expect(last.headers[.link] == "<\(APIHarness.publicURL)/api/v1/opportunities?state=all&limit=3&offset=3>; rel=\"prev\"")
            let all = try await api.get("/api/v1/opportunities?limit=50")
            #expect(all.json["next"] == .null && all.json["previous"] == .null && all.headers[.link] == nil)
        }
    }

    @Test("sort=modified lists oldest change first, page by page, the mirror of the default")
    func oldestFirst() async throws {
        let (harness, records) = try await seeded()
        try await harness.run(access: Self.everything) { api in
            let ids = records.map(\.ref.id.rawValue)
            var seen: [String] = []
            var path: String? = "/api/v1/opportunities?sort=modified&limit=3"
            while let next = path {
                let page = try await api.get(next).json
                #expect(page["total"] == 7)
                seen += page["data"].array?.compactMap { $0["id"].string } ?? []
                path = page["next"].string.map { String($0.dropFirst(APIHarness.publicURL.count)) }
            }
            #expect(seen == ids)
            let newest = try await api.get("/api/v1/opportunities?sort=-modified&limit=2&offset=1").json
            #expect(newest["data"].array?.compactMap { $0["id"].string } == [ids[5], ids[4]])
            #expect(try await api.get("/api/v1/opportunities?sort=modified&offset=7").json["data"] == [])
            let wrong = try await api.get("/api/v1/opportunities?sort=colour")
            #expect(wrong.status == .badRequest && wrong.errorField == "sort")
            #expect(wrong.errorMessage.contains("sort by one of modified, name, number, owner, name, account"), "\(wrong.errorMessage)")
        }
    }

    @Test("sort by a column: names without regard to case, amounts as numbers, references by name; empty values last")
    func sortByColumns() async throws {
        let harness = try await APIHarness.make()
        let zeta = try await harness.crm.createRecord(in: .accounts, RecordDraft(fields: ["name": .text("Zeta Ltd")]))
        let alpha = try await harness.crm.createRecord(in: .accounts, RecordDraft(fields: ["name": .text("alpha GmbH")]))
        for (name, amount, account) in [("beta", 900, zeta.ref), ("Alpha", 12_000, alpha.ref), ("gamma", 80, zeta.ref)] {
            _ = try await harness.crm.createRecord(in: .opportunities, RecordDraft(owner: harness.alice.id, fields: [
                "name": .text(name), "stage": .text("Proposal"), "amount": .number(Decimal(amount)), "account": .reference(account)]))
        }
        _ = try await harness.crm.createRecord(in: .opportunities, RecordDraft(owner: harness.alice.id, fields: ["name": .text("delta"), "stage": .text("Proposal")]))
        try await harness.run { api in
            func names(_ sort: String) async throws -> [String] {
                try await api.get("/api/v1/opportunities?sort=\(sort)").json["data"].array?.compactMap { $0["fields"]["name"].string } ?? []
            }
            let byName = try await names("name"), byNameDown = try await names("-name")
            let byAmount = try await names("amount"), byAmountDown = try await names("-amount"), byAccount = try await names("account")
            #expect(byName == ["Alpha", "beta", "delta", "gamma"])
            #expect(byNameDown == ["gamma", "delta", "beta", "Alpha"])
            #expect(byAmount == ["gamma", "beta", "Alpha", "delta"])   // 80 < 900 < 12,000; no amount last
            #expect(byAmountDown == ["Alpha", "beta", "gamma", "delta"])
            #expect(byAccount == ["Alpha", "beta", "gamma", "delta"])  // alpha GmbH, then Zeta Ltd (by id); none last
        }
    }

    @Test("q finds text in the name, the number and the record's text and list fields")
    func searchReachesTheFields() async throws {
        let harness = try await APIHarness.make()
        _ = try await harness.crm.createRecord(in: .contacts, RecordDraft(owner: harness.alice.id, fields: [
            "firstName": .text("Ines"), "lastName": .text("Fischer"), "emails": .list(["ines@globex.example"]), "title": .text("Head of Logistics")]))
        try await harness.run(access: Self.everything) { api in
            for (q, found) in [("globex.EXAMPLE", 1), ("logistics", 1), ("Fischer", 1), ("nobody", 0), ("100%", 0), ("_", 0)] {
                let total = try await api.get("/api/v1/contacts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)").json["total"]
                #expect(total == .number(Decimal(found)), "q=\(q)")
            }
        }
    }

    @Test("state, owner and q filter the list")
    func filters() async throws {
        let (harness, _) = try await seeded()
        try await harness.run(access: Self.everything) { api in
            #expect(try await api.get("/api/v1/opportunities?state=open").json["total"] == 5)
            let closed = try await api.get("/api/v1/opportunities?state=closed").json
            #expect(closed["total"] == 2)
            #expect(closed["data"].array?.allSatisfy { $0["closed"] == true } == true)
            #expect(try await api.get("/api/v1/opportunities?state=all").json["total"] == 7)
            #expect(try await api.get("/api/v1/opportunities?owner=bob@example.com").json["total"] == 2)
            #expect(try await api.get("/api/v1/opportunities?owner=\(harness.bob.id)").json["total"] == 2)
            #expect(try await api.get("/api/v1/opportunities?owner=me&state=open").json["total"] == 5)
            let search = try await api.get("/api/v1/opportunities?q=blue+WIDGETS").json
            #expect(search["total"] == 1)
            #expect(search["data"][0]["fields"]["name"] == "Blue widgets")
        }
    }

    @Test("modified_since lists only records changed after the instant")
    func modifiedSince() async throws {
        let (harness, records) = try await seeded()
        try await Task.sleep(for: .milliseconds(20))
        let cutoff = Date()
        try await Task.sleep(for: .milliseconds(20))
        let changed = try await harness.crm.updateRecord(records[1].ref, RecordDraft(fields: ["stage": .text("Negotiation")]))
        try await harness.run(access: Self.everything) { api in
            let since = cutoff.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let list = try await api.get("/api/v1/opportunities?modified_since=\(since)").json
            #expect(list["total"] == 1)
            #expect(list["data"][0]["id"].string == changed.ref.id.rawValue)
            // An unencoded "+" of a zone offset arrives as a space and still works.
            #expect(try await api.get("/api/v1/opportunities?modified_since=2000-01-01T00:00:00+02:00").json["total"] == 7)
            #expect(try await api.get("/api/v1/opportunities?modified_since=2000-01-01").json["total"] == 7)
            #expect(try await api.get("/api/v1/opportunities?modified_since=2999-01-01T00:00:00Z").json["total"] == 0)
        }
    }

    @Test("GET /api/v1/modules describes every module and its fields")
    func modules() async throws {
        let harness = try await APIHarness.make()
        try await harness.run(access: Self.everything) { api in
            let response = try await api.get("/api/v1/modules")
            #expect(response.status == .ok)
            let modules = response.json["data"].array ?? []
            #expect(modules.compactMap { $0["key"].string } == ModuleDefinition.builtIns.map(\.key.rawValue))
            let opportunities = try #require(modules.first { $0["key"] == "opportunities" })
            #expect(opportunities["numberPrefix"] == "OPP")
            #expect(opportunities["closedRule"]["field"] == "stage")
            #expect(opportunities["url"] == "/api/v1/opportunities")
            let fields = opportunities["fields"].array ?? []
            let stage = try #require(fields.first { $0["key"] == "stage" })
            #expect(stage["type"] == "choice")
            #expect(stage["required"] == true)
            #expect(stage["choices"].array?.count == 6)
            #expect(fields.first { $0["key"] == "account" }?["references"] == "accounts")
            let tasks = try #require(modules.first { $0["key"] == "tasks" })
            #expect((tasks["fields"].array ?? []).first { $0["key"] == "related" }?["references"].isNull == true)
        }
    }

    @Test("GET /api/v1/users lists the possible owners")
    func users() async throws {
        let harness = try await APIHarness.make()
        try await harness.run(access: Self.everything) { api in
            let users = try await api.get("/api/v1/users").json["data"]
            #expect(users.array?.count == 2)
            #expect(users[1] == ["id": .string(harness.bob.id.rawValue), "name": "Bob Chen", "email": "bob@example.com", "active": true])
        }
    }
}
