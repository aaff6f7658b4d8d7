import CRM
import Foundation

/// Archiving an email is idempotent by its key and keeps relations and attachment names.
enum ArchiveChecks {
    static let all: [ContractCheck] = [
        ContractCheck("archiving one key twice makes one activity and keeps relations and attachments") { fixture in
            try await idempotent(fixture)
        },
        ContractCheck("archiving concurrently with one key makes one activity") { fixture in
            try await concurrent(fixture)
        },
    ]

    static func email(_ key: String, subject: String, people: [RecordRef], records: [RecordRef],
                      date: Date, _ fixture: ContractFixture) -> EmailArchive {
        let raw = Array("Message-ID: <\(key)>\r\nSubject: \(subject)\r\n\r\nHello\r\n".utf8)
        return EmailArchive(
            key: key, messageID: "<\(key)>", subject: subject,
            from: EmailAddress(name: "Carol", address: "carol@\(fixture.tag).archive.example"),
            to: [EmailAddress(address: fixture.alice.email)], date: date, textBody: "Hello", rawMessage: raw,
            attachments: [
                EmailAttachment(filename: "offer.pdf", contentType: "application/pdf", data: Array("%PDF-1.4".utf8)),
                EmailAttachment(filename: "notes.txt", contentType: "text/plain", data: Array("notes".utf8)),
            ],
            people: people, records: records, owner: fixture.alice.id)
    }

    private static func idempotent(_ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        let samples = SampleRecords(fixture: fixture)
        let contact = try await samples.create(.contacts, name: "Archive \(fixture.tag)")
        let deal = try await samples.create(.opportunities, name: "Archive deal \(fixture.tag)")
        let people = [contact.ref, RecordRef(.users, RecordID(fixture.alice.id.rawValue))]
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let mail = email("first-\(fixture.tag)@contract.example", subject: "Offer \(fixture.tag)",
                         people: people, records: [deal.ref], date: date, fixture)

        let first = try await connector.archiveEmail(mail)
        try expect(first.created, "the first archiveEmail of key \(mail.key) answered created == false")
        try expect(first.key == mail.key, "archiveEmail returned key \(first.key), expected \(mail.key)")
        try expect(Set(first.people) == Set(people), "archiveEmail kept the people \(first.people), expected \(people)")
        try expect(first.records == [deal.ref], "archiveEmail kept the records \(first.records), expected [\(deal.ref)]")
        try expect(first.attachmentNames == ["offer.pdf", "notes.txt"], "archiveEmail kept the attachments \(first.attachmentNames)")

        let second = try await connector.archiveEmail(mail)
        try expect(!second.created, "archiving key \(mail.key) a second time answered created == true")
        try expect(second.id == first.id, "archiving key \(mail.key) again returned activity \(second.id), not the existing \(first.id)")

        let onDeal = try await connector.archivedEmails(relatedTo: deal.ref)
        try expect(onDeal.filter { $0.key == mail.key }.count == 1,
                   "archivedEmails(relatedTo: \(deal.ref)) lists key \(mail.key) \(onDeal.filter { $0.key == mail.key }.count) times, expected once")
        let onContact = try await connector.archivedEmails(relatedTo: contact.ref)
        try expect(onContact.contains { $0.id == first.id }, "archivedEmails(relatedTo: \(contact.ref)) lacks the activity archived to that contact")

        let other = email("second-\(fixture.tag)@contract.example", subject: "Follow-up \(fixture.tag)",
                          people: [contact.ref], records: [deal.ref], date: date.addingTimeInterval(3600), fixture)
        let third = try await connector.archiveEmail(other)
        try expect(third.created && third.id != first.id, "archiving a different key did not make a second activity")
        let both = try await connector.archivedEmails(relatedTo: deal.ref).filter { [mail.key, other.key].contains($0.key) }
        try expect(both.map(\.key) == [other.key, mail.key],
                   "archivedEmails(relatedTo: \(deal.ref)) should list the two activities newest first, got \(both.map(\.key))")
        let all = try await connector.archivedEmails(relatedTo: deal.ref)
        let newest = try await connector.archivedEmails(relatedTo: deal.ref, limit: 1)
        try expect(newest.map(\.id) == all.prefix(1).map(\.id),
                   "archivedEmails(relatedTo: \(deal.ref), limit: 1) should be the newest activity alone, got \(newest.map(\.key))")
        let empty = try await SampleRecords(fixture: fixture).create(.opportunities, name: "No mail \(fixture.tag)")
        let batched = try await connector.archivedEmails(relatedTo: [deal.ref, contact.ref, empty.ref, deal.ref], limit: 1)
        let onContactNewest = try await connector.archivedEmails(relatedTo: contact.ref, limit: 1)
        try expect(Set(batched.keys) == [deal.ref, contact.ref, empty.ref],
                   "archivedEmails(relatedTo: [refs], limit:) should have every ref as a key, got \(batched.keys.map(\.description))")
        try expect(batched[deal.ref]?.map(\.id) == newest.map(\.id) && batched[contact.ref]?.map(\.id) == onContactNewest.map(\.id)
                   && batched[empty.ref]?.isEmpty == true,
                   "archivedEmails(relatedTo: [refs], limit: 1) should give each record what archivedEmails(relatedTo:limit:) gives it")
    }

    private static func concurrent(_ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        let deal = try await SampleRecords(fixture: fixture).create(.opportunities, name: "Race \(fixture.tag)")
        let mail = email("race-\(fixture.tag)@contract.example", subject: "Race \(fixture.tag)",
                         people: [], records: [deal.ref], date: Date(timeIntervalSince1970: 1_800_000_000), fixture)
        let results = try await withThrowingTaskGroup(of: ArchivedEmail.self) { group in
            for _ in 0..<8 { group.addTask { try await connector.archiveEmail(mail) } }
            return try await group.reduce(into: [ArchivedEmail]()) { $0.append($1) }
        }
        try expect(Set(results.map(\.id)).count == 1, "8 concurrent archiveEmail calls with one key made activities \(Set(results.map(\.id)))")
        try expect(results.filter(\.created).count == 1,
                   "8 concurrent archiveEmail calls with one key answered created == true \(results.filter(\.created).count) times, expected once")
        let listed = try await connector.archivedEmails(relatedTo: deal.ref).filter { $0.key == mail.key }
        try expect(listed.count == 1, "after 8 concurrent archiveEmail calls, \(deal.ref) has \(listed.count) activities with the key")
    }
}
