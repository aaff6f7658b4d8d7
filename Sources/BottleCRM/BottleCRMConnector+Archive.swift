import CRM
import Foundation

/// Emails archived as BottleCRM interactions (`kind = "email"`).
///
/// An interaction belongs to exactly one record and its participants cannot be written
/// through the API, so crmgate writes one interaction per related record (the records, then
/// the contacts and leads; an account only when there is nothing else) and puts the
/// addresses, the attachment names and its key in the body. The key is the last line; a
/// retry after an unknown outcome looks for it among the record's interactions.
extension BottleCRMConnector {
    /// BottleCRM's limits on an interaction.
    static let maxSubject = 200
    static let maxBody = 10_000
    static let keyMarker = "crmgate-key: "

    public func archiveEmail(_ email: EmailArchive) async throws -> ArchivedEmail {
        try await keys.run("archive|\(email.key)") {
            if let done = try mirror.archive(email.key) { return archived(email, done, created: false) }
            let links = try interactionLinks(email)
            guard !links.isEmpty else {
                throw CRMError(.permanent, "BottleCRM keeps an email with a lead, contact, account, opportunity or case, and this one names none")
            }
            let direction = try await direction(of: email)
            let uncertain = try !mirror.begin("archive|\(email.key)")
            var made: [String] = []
            for (link, ref) in links {
                if uncertain, let found = try await interaction(withKey: email.key, on: link, ref) {
                    made.append(found)
                    continue
                }
                let answer = try await client.send(.POST, "/api/interactions/", body: .object([
                    "kind": .string("email"), "direction": .string(direction),
                    "subject": .string(String(email.subject.prefix(Self.maxSubject))),
                    "body": .string(Self.body(of: email)),
                    "occurred_at": .string(min(email.date, Date()).formatted(.iso8601)),
                    link: .string(ref.id.rawValue),
                ]))
                if answer.status == 404 { throw CRMError.notFound(ref) }
                guard let id = answer.json?["id"].string else {
                    throw CRMError(.transient, "BottleCRM did not answer with the new interaction's id; will retry")
                }
                made.append(id)
            }
            let archive = RecordMirror.Archive(key: email.key, interactions: made, messageID: email.messageID,
                                               people: email.people, records: email.records)
            try mirror.save(archive)
            try mirror.finish("archive|\(email.key)")
            let result = archived(email, archive, created: true)
            for (_, ref) in links { await activities.add(result, to: ref) }
            for key in Set(links.map(\.ref.module)) { notifier.publish(key) }
            return result
        }
    }

    /// BottleCRM's largest page of interactions.
    static let interactionPage = 200

    public func archivedEmails(relatedTo ref: RecordRef, limit: Int?) async throws -> [ArchivedEmail] {
        guard let link = try? mapping(ref.module).interactionLink else { return [] }
        let wanted = limit ?? Int.max
        // Kept as long as a copy goes without a whole listing: crmgate's archives are added to
        // the lists as they happen, a webhook for an interaction made in BottleCRM drops them.
        if let cached = await activities.emails(ref, limit: wanted, maxAge: .seconds(fullListingInterval)) { return cached }
        var rows: [JSONValue] = []
        var complete = false
        while rows.count < wanted {
            let page = min(wanted - rows.count, Self.interactionPage)
            let answer = try await client.send(.GET, "/api/interactions/", query: [(link, ref.id.rawValue), ("limit", "\(page)"), ("offset", "\(rows.count)")])
            if answer.status == 404 { return [] }
            let got = answer.json?["interactions"].array ?? []
            rows += got
            if got.count < page {
                complete = true
                break
            }
        }
        let emails = rows.filter { $0["kind"].string == "email" }
        let known = try mirror.archives(ofInteractions: emails.compactMap(\.id))
        let archived = emails.compactMap { row -> ArchivedEmail? in
            guard let id = row.id else { return nil }
            let body = row["body"].string ?? ""
            let archive = known[id]
            return ArchivedEmail(id: RecordID(archive?.interactions.first ?? id), key: archive?.key ?? Self.key(in: body) ?? "bottlecrm:\(id)",
                                 messageID: archive?.messageID, subject: row["subject"].string ?? "",
                                 date: Self.date(row["occurred_at"]) ?? Date(timeIntervalSince1970: 0),
                                 people: archive?.people ?? [], records: archive?.records ?? [ref],
                                 attachmentNames: Self.attachmentNames(in: body), created: false)
        }
        await activities.store(ref, limit: wanted, complete: complete, archived)
        return archived
    }

    /// The records an email's interactions go to, each with the interaction field naming it.
    private func interactionLinks(_ email: EmailArchive) throws -> [(link: String, ref: RecordRef)] {
        var links: [(link: String, ref: RecordRef)] = []
        func add(_ ref: RecordRef) {
            guard !links.contains(where: { $0.ref == ref }), let link = try? mapping(ref.module).interactionLink else { return }
            links.append((link, ref))
        }
        for ref in email.records where ref.module != .accounts { add(ref) }
        for ref in email.people where ref.module == .contacts || ref.module == .leads { add(ref) }
        if links.isEmpty { for ref in email.records where ref.module == .accounts { add(ref) } }
        return links
    }

    /// Inbound, unless the mail is from the archiving user's own address.
    private func direction(of email: EmailArchive) async throws -> String {
        guard let from = email.from?.address.lowercased(), let owner = try await user(id: email.owner) else { return "inbound" }
        return owner.email.lowercased() == from ? "outbound" : "inbound"
    }

    /// The interaction with this key among the record's latest, if an earlier attempt made it.
    private func interaction(withKey key: String, on link: String, _ ref: RecordRef) async throws -> String? {
        let answer = try await client.get("/api/interactions/", query: [(link, ref.id.rawValue), ("limit", "200")])
        return (answer?["interactions"].array ?? []).first { Self.key(in: $0["body"].string ?? "") == key }?.id
    }

    private func archived(_ email: EmailArchive, _ archive: RecordMirror.Archive, created: Bool) -> ArchivedEmail {
        ArchivedEmail(id: RecordID(archive.interactions.first ?? ""), key: email.key, messageID: email.messageID, subject: email.subject,
                      date: email.date, people: archive.people, records: archive.records,
                      attachmentNames: email.attachments.map(\.filename), created: created)
    }

    /// The interaction's text: who wrote to whom, the attachments' names, the text of the
    /// mail (cut to fit), and the key as the last line.
    static func body(of email: EmailArchive) -> String {
        var header: [String] = []
        if let from = email.from { header.append("From: \(from)") }
        if !email.to.isEmpty { header.append("To: \(email.to.map(\.description).joined(separator: ", "))") }
        if !email.cc.isEmpty { header.append("Cc: \(email.cc.map(\.description).joined(separator: ", "))") }
        if !email.attachments.isEmpty { header.append("Attachments: \(email.attachments.map(\.filename).joined(separator: ", "))") }
        let footer = "\n\n-- \n\(keyMarker)\(email.key)"
        let head = header.joined(separator: "\n") + "\n\n"
        let room = max(0, maxBody - head.count - footer.count - 20)
        var text = (email.textBody ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > room { text = String(text.prefix(room)) + "\n[…]" }
        return head + text + footer
    }

    static func key(in body: String) -> String? {
        guard let line = body.split(separator: "\n").last, line.hasPrefix(keyMarker) else { return nil }
        return String(line.dropFirst(keyMarker.count))
    }

    static func attachmentNames(in body: String) -> [String] {
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            if line.hasPrefix("Attachments: ") {
                return line.dropFirst("Attachments: ".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        return []
    }
}
