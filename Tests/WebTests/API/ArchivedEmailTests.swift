import CRM
import EmbeddedCRM
import Foundation
import Hummingbird
import Testing
@testable import Web

/// The harness with a contact and an opportunity of the Globex account and two archived
/// emails: the order (a drop to the contact and the deal, with a CSV) and a newer reply
/// archived to the deal alone.
private struct ArchivedMail {
    let harness: APIHarness
    let contact: CRMRecord
    let deal: CRMRecord
    let order: ArchivedEmail
    let reply: ArchivedEmail
    static let raw = Array("Message-ID: <m1@globex.example>\r\nSubject: Order\r\n\r\nSee the list.\r\n".utf8)

    static func make() async throws -> ArchivedMail {
        let harness = try await APIHarness.make()
        let crm = harness.crm
        let contact = try await crm.createRecord(in: .contacts, RecordDraft(owner: harness.alice.id, fields: [
            "firstName": .text("Ines"), "lastName": .text("Fischer"), "emails": .list(["ines@globex.example"]),
            "account": .reference(harness.account.ref),
        ]))
        let deal = try await crm.createRecord(in: .opportunities, RecordDraft(owner: harness.alice.id, fields: [
            "name": .text("Globex order"), "stage": .text("Proposal"), "account": .reference(harness.account.ref),
        ]))
        let order = try await crm.archiveEmail(EmailArchive(
            key: "<m1@globex.example>|deal", messageID: "<m1@globex.example>", subject: "Order",
            from: EmailAddress(name: "Ines Fischer", address: "ines@globex.example"),
            to: [EmailAddress(address: "alice@example.com")], cc: [EmailAddress(name: "Bob Chen", address: "bob@example.com")],
            date: Date(timeIntervalSince1970: 1_772_000_000), textBody: "See the list.", rawMessage: raw,
            attachments: [EmailAttachment(filename: "items.csv", contentType: "text/csv", data: Array("sku,qty\nA-10,20\n\n".utf8)),
                          EmailAttachment(filename: "Prüfbericht \"final\".bin", contentType: "text/html\r\nX-Evil: 1", data: [0, 1, 2])],
            people: [contact.ref], records: [deal.ref], owner: harness.alice.id))
        let reply = try await crm.archiveEmail(EmailArchive(
            key: "<m2@example.com>|deal", messageID: "<m2@example.com>", subject: "Re: Order", from: nil,
            date: Date(timeIntervalSince1970: 1_772_003_600), textBody: "Thanks", rawMessage: Array("Subject: Re: Order\r\n\r\nThanks\r\n".utf8),
            records: [deal.ref], owner: harness.alice.id))
        return ArchivedMail(harness: harness, contact: contact, deal: deal, order: order, reply: reply)
    }

    func attachmentIDs() async throws -> [String] {
        try #require(try await harness.crm.archivedEmail(id: order.id)).attachments.map { String($0.id) }
    }
}

@Suite("JSON API: archived emails, read only")
struct ArchivedEmailTests {
    @Test("a record's emails come a page at a time, with links to the neighbours")
    func recordEmailsPaged() async throws {
        let mail = try await ArchivedMail.make()
        try await mail.harness.run { api in
            let path = "/api/v1/opportunities/\(mail.deal.ref.id)/emails"
            let first = try await api.get(path + "?limit=1")
            #expect(first.json["data"].array?.compactMap { $0["id"].string } == [mail.reply.id.rawValue])
            #expect(first.json["limit"] == 1 && first.json["offset"] == 0 && first.json["previous"] == .null)
            #expect(first.json["total"] == 2)
            let next = try #require(first.json["next"].string)
            #expect(next == "\(APIHarness.publicURL)\(path)?limit=1&offset=1")
            #expect(first.headers[.link] == "<\(next)>; rel=\"next\"")
            let second = try await api.get(String(next.dropFirst(APIHarness.publicURL.count)))
            #expect(second.json["data"].array?.compactMap { $0["id"].string } == [mail.order.id.rawValue])
            #expect(second.json["next"] == .null && second.json["previous"].string == "\(APIHarness.publicURL)\(path)?limit=1&offset=0")
            #expect(try await api.get(path + "?page=3&limit=1").json["data"] == [])
            let wrong = try await api.get(path + "?state=open")
            #expect(wrong.status == .badRequest && wrong.errorField == "state")
            #expect(try await api.get(path + "?offset=99999999999").status == .badRequest)
        }
    }

    @Test("a record lists its emails newest first, related as person or as record")
    func recordEmailsNewestFirst() async throws {
        let mail = try await ArchivedMail.make()
        let attachments = try await mail.attachmentIDs()
        try await mail.harness.run { api in
            let onDeal = try await api.get("/api/v1/opportunities/\(mail.deal.ref.id)/emails")
            #expect(onDeal.status == .ok)
            #expect(onDeal.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(onDeal.json["data"].array?.compactMap { $0["id"].string } == [mail.reply.id.rawValue, mail.order.id.rawValue])
            let onContact = try await api.get("/api/v1/contacts/\(mail.contact.ref.id)/emails")
            #expect(onContact.json["data"].array?.compactMap { $0["id"].string } == [mail.order.id.rawValue])
            #expect(try await api.get("/api/v1/accounts/\(mail.harness.account.ref.id)/emails").json["data"] == [])

            let expected: JSONValue = [
                "id": .string(mail.order.id.rawValue), "messageId": "<m1@globex.example>", "subject": "Order",
                "date": "2026-02-25T06:13:20Z",
                "from": ["name": "Ines Fischer", "email": "ines@globex.example"],
                "to": [["name": .null, "email": "alice@example.com"]],
                "cc": [["name": "Bob Chen", "email": "bob@example.com"]],
                "people": [["module": "contacts", "id": .string(mail.contact.ref.id.rawValue)]],
                "records": [["module": "opportunities", "id": .string(mail.deal.ref.id.rawValue)]],
                "attachments": [
                    ["id": .string(attachments[0]), "filename": "items.csv", "contentType": "text/csv", "size": 17],
                    ["id": .string(attachments[1]), "filename": "Prüfbericht \"final\".bin", "contentType": "application/octet-stream", "size": 3],
                ],
            ]
            #expect(onContact.json["data"][0] == expected)
            let reply = onDeal.json["data"][0]
            #expect(reply["from"].isNull)
            #expect(reply["to"] == [] && reply["cc"] == [] && reply["people"] == [] && reply["attachments"] == [])
        }
    }

    @Test("a record's emails answer 404 for an unknown module or record")
    func recordEmailsOfUnknownModuleOrRecord() async throws {
        let mail = try await ArchivedMail.make()
        try await mail.harness.run { api in
            let module = try await api.get("/api/v1/planets/1/emails")
            #expect(module.status == .notFound)
            #expect(module.errorMessage.contains("no module \"planets\""))
            for path in ["/api/v1/contacts/9999/emails", "/api/v1/contacts/\(mail.deal.ref.id)/emails", "/api/v1/contacts/x/emails"] {
                let record = try await api.get(path)
                #expect(record.status == .notFound, "\(path)")
                #expect(record.errorMessage.contains("no contact with id"), "\(path)")
            }
        }
    }

    @Test("emails are found by Message-ID, one per archive target")
    func emailsByMessageID() async throws {
        let mail = try await ArchivedMail.make()
        let onContact = try await mail.harness.crm.archiveEmail(EmailArchive(
            key: "<m1@globex.example>|contact", messageID: "<m1@globex.example>", subject: "Order", from: nil,
            date: Date(timeIntervalSince1970: 1_772_000_000), textBody: nil, rawMessage: ArchivedMail.raw,
            people: [mail.contact.ref], owner: mail.harness.alice.id))
        try await mail.harness.run { api in
            let both = [mail.order.id.rawValue, onContact.id.rawValue]
            for query in ["messageId=%3Cm1%40globex.example%3E", "messageId=<m1@globex.example>", "messageId=m1%40globex.example"] {
                let found = try await api.get("/api/v1/emails?\(query)")
                #expect(found.status == .ok, "\(query)")
                #expect(found.json["data"].array?.compactMap { $0["id"].string } == both, "\(query)")
            }
            #expect(try await api.get("/api/v1/emails?messageId=%3Cnobody%40example.com%3E").json == ["data": []])
        }
    }

    @Test("a Message-ID with a plus sign is found whether or not the plus is encoded")
    func messageIDWithPlus() async throws {
        let mail = try await ArchivedMail.make()
        let plus = try await mail.harness.crm.archiveEmail(EmailArchive(
            key: "<a+b@globex.example>|deal", messageID: "<a+b@globex.example>", subject: "Plus", from: nil,
            date: Date(timeIntervalSince1970: 1_772_000_000), textBody: nil, rawMessage: ArchivedMail.raw,
            records: [mail.deal.ref], owner: mail.harness.alice.id))
        try await mail.harness.run { api in
            for query in ["messageId=%3Ca%2Bb%40globex.example%3E", "messageId=<a+b@globex.example>"] {
                let found = try await api.get("/api/v1/emails?\(query)")
                #expect(found.json["data"][0]["id"] == .string(plus.id.rawValue), "\(query)")
            }
        }
    }

    @Test("the Message-ID query is required and takes no other parameter", arguments: [
        ("", "messageId", "required"), ("?messageId=", "messageId", "required"), ("?messageId=%20", "messageId", "required"),
        ("?subject=Order", "subject", "takes messageId"), ("?messageId=%3Ca%40b%3E&messageId=%3Cc%40d%3E", "messageId", "twice"),
    ])
    func messageIDQueryRefused(query: String, field: String, says: String) async throws {
        let mail = try await ArchivedMail.make()
        try await mail.harness.run { api in
            let response = try await api.get("/api/v1/emails\(query)")
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.errorField == field)
            #expect(response.errorMessage.contains(says), "\(response.errorMessage)")
        }
    }

    @Test("one email is read by id, and an unknown id answers 404")
    func oneEmail() async throws {
        let mail = try await ArchivedMail.make()
        try await mail.harness.run { api in
            let read = try await api.get("/api/v1/emails/\(mail.order.id)")
            #expect(read.status == .ok)
            let listed = try await api.get("/api/v1/contacts/\(mail.contact.ref.id)/emails").json["data"][0]
            #expect(read.json == ["data": listed])
            for id in ["9999", "not-a-number"] {
                let missing = try await api.get("/api/v1/emails/\(id)")
                #expect(missing.status == .notFound)
                #expect(missing.errorMessage.contains("no archived email with id \"\(id)\""))
            }
        }
    }

    @Test("the raw message downloads as message/rfc822")
    func rawMessage() async throws {
        let mail = try await ArchivedMail.make()
        try await mail.harness.run { api in
            let raw = try await api.get("/api/v1/emails/\(mail.order.id)/raw")
            #expect(raw.status == .ok)
            #expect(raw.headers[.contentType] == "message/rfc822")
            #expect(raw.headers[.contentDisposition]?.hasPrefix("attachment; ") == true)
            #expect(raw.headers[.xContentTypeOptions] == "nosniff")
            #expect(Array(raw.body) == ArchivedMail.raw)
            let missing = try await api.get("/api/v1/emails/9999/raw")
            #expect(missing.status == .notFound)
            #expect(missing.errorMessage.contains("no archived email"))
        }
    }

    @Test("an attachment downloads with a safe content type, only through its own email")
    func attachmentDownload() async throws {
        let mail = try await ArchivedMail.make()
        let ids = try await mail.attachmentIDs()
        try await mail.harness.run { api in
            let csv = try await api.get("/api/v1/emails/\(mail.order.id)/attachments/\(ids[0])")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv")
            #expect(csv.headers[.contentDisposition] == #"attachment; filename="items.csv"; filename*=UTF-8''items.csv"#)
            #expect(csv.text == "sku,qty\nA-10,20\n\n")

            let unsafe = try await api.get("/api/v1/emails/\(mail.order.id)/attachments/\(ids[1])")
            #expect(unsafe.headers[.contentType] == "application/octet-stream")
            #expect(unsafe.headers[.contentDisposition] == #"attachment; filename="Pr_fbericht _final_.bin"; filename*=UTF-8''Pr%C3%BCfbericht%20%22final%22.bin"#)
            #expect(Array(unsafe.body) == [0, 1, 2])

            for path in ["/api/v1/emails/\(mail.reply.id)/attachments/\(ids[0])", "/api/v1/emails/9999/attachments/\(ids[0])",
                         "/api/v1/emails/\(mail.order.id)/attachments/9999", "/api/v1/emails/\(mail.order.id)/attachments/x"] {
                let missing = try await api.get(path)
                #expect(missing.status == .notFound, "\(path)")
                #expect(missing.errorMessage.contains("has no attachment"), "\(path)")
            }
        }
    }

    @Test("the emails segment wins over a module key, and other methods and paths answer in JSON")
    func emailsSegmentWinsOverModule() async throws {
        let mail = try await ArchivedMail.make()
        let email = mail.order.id.rawValue
        let deal = mail.deal.ref.id.rawValue
        try await mail.harness.run { api in
            // Were `emails` taken for a module, these would be 404 "no module" or a record.
            #expect(try await api.get("/api/v1/emails").errorField == "messageId")
            #expect(try await api.get("/api/v1/emails/\(email)").json["data"]["id"] == .string(email))
            for (method, path) in [(HTTPRequest.Method.post, "/api/v1/emails"), (.delete, "/api/v1/emails/\(email)"),
                                   (.patch, "/api/v1/emails/\(email)"), (.put, "/api/v1/emails/\(email)/raw"),
                                   (.delete, "/api/v1/emails/\(email)/attachments/1"), (.post, "/api/v1/opportunities/\(deal)/emails")] {
                let response = try await api.send(method, path, body: method == .post || method == .patch || method == .put ? "{}" : nil)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == "GET", "\(method) \(path)")
                #expect(response.errorMessage.contains("archived emails are read"), "\(method) \(path)")
            }
            for path in ["/api/v1/emails/\(email)/attachments", "/api/v1/emails/\(email)/raw/extra",
                         "/api/v1/emails/\(email)/headers", "/api/v1/opportunities/\(deal)/emails/1"] {
                let response = try await api.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
            }
            #expect(try await api.send(.get, "/api/v1/emails/\(email)", authorization: "").status == .unauthorized)
            #expect(try await api.send(.get, "/api/v1/emails/\(email)/raw", authorization: "").status == .unauthorized)
        }
        let emails = ModuleDefinition(key: "emails", singular: "Email", plural: "Emails", nameField: "name",
                                      fields: [FieldDefinition("name", "Name", .text)])
        #expect(throws: CRMError.self) {
            try EmbeddedCRM(inMemoryWithPublicURL: URL(string: APIHarness.publicURL)!, customModules: [emails])
        }
    }
}
