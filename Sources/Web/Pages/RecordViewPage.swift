import CRM
import EmbeddedCRM

/// `/<module>/<id>`: every field of a record with its label, owner and dates, the contacts
/// related to it, the records that refer to it, and its archived emails with their raw
/// message and attachments. Links to the edit form and offers deletion.
struct RecordViewPage: Sendable {
    var module: ModuleDefinition
    var record: CRMRecord
    var modules: [ModuleDefinition]
    var users: [CRMUser]
    /// Names of every record referenced on the page (fields, contacts' accounts).
    var names: [RecordRef: String]
    var contacts: [CRMRecord]
    /// Records of other modules whose fields refer to this one.
    var linked: [CRMRecord]
    var emails: [ArchivedEmailContent]
    /// How many emails the record has in all.
    var emailCount: Int
    /// Which page of the emails is shown (`?emails=` in the URL, from 1).
    var emailPage: Int

    /// Whether older emails follow this page.
    var olderEmails: Bool { emailCount > emailPage * Self.sectionLimit }

    /// At most this many contacts, linked records and emails (per page) are listed.
    static let sectionLimit = 50

    /// Related records outside the user's scope are left out, and so are their names.
    static func load(_ module: ModuleDefinition, record: CRMRecord, emailPage: Int = 1, crm scoped: ScopedCRM,
                     data: PageData) async throws -> RecordViewPage {
        let crm = data.crm
        let referencing = try await scoped.visible(try await crm.records(referencing: record.ref, limit: sectionLimit))
        let contacts = try await scoped.visible(try await relatedContacts(of: record, referencing: referencing, crm: crm))
        let linked = referencing.filter { $0.ref.module != .contacts || module.key != .accounts }
        let emailPage = max(1, min(emailPage, Int.max / sectionLimit))
        let skipped = (emailPage - 1) * sectionLimit
        let emails = try await crm.archivedEmailContents(relatedTo: record.ref, offset: skipped, limit: sectionLimit)
        return RecordViewPage(module: module, record: record, modules: try await crm.modules(), users: try await data.users(),
                          names: try await data.referenceNames(in: [record] + contacts, for: scoped), contacts: contacts,
                          linked: linked, emails: emails.emails, emailCount: emails.total,
                          emailPage: emailPage)
    }

    /// An account's contacts; for other records the contacts they refer to and the
    /// contacts of the accounts they refer to.
    private static func relatedContacts(of record: CRMRecord, referencing: [CRMRecord], crm: EmbeddedCRM) async throws -> [CRMRecord] {
        if record.ref.module == .accounts { return referencing.filter { $0.ref.module == .contacts } }
        var found: [CRMRecord] = []
        let refs = record.fields.keys.sorted().compactMap { record.fields[$0]?.reference }
        for ref in refs where ref.module == .contacts {
            if let contact = try await crm.record(ref) { found.append(contact) }
        }
        for ref in refs where ref.module == .accounts {
            found += try await crm.records(referencing: ref, in: .contacts, limit: sectionLimit)
        }
        var seen: Set<RecordRef> = [record.ref]
        return Array(found.filter { seen.insert($0.ref).inserted }.prefix(sectionLimit))
    }

    func render(_ environment: PageEnvironment) -> String {
        let formatter = environment.formatter
        let name = record.name(in: module)
        let number = record.number.map { "<span class=\"muted\">\(HTML.escape($0))</span> " } ?? ""
        let closed = module.closedRule?.isClosed(record) == true ? " <span class=\"badge\">closed</span>" : ""
        return """
            <p class="crumbs"><a href="\(HTML.escape(PagePaths.list(module.key)))">\(HTML.escape(module.plural))</a></p>
            <div class="title-row"><h1>\(number)\(HTML.escape(name))\(closed)</h1>
            <a class="button" href="\(HTML.escape(PagePaths.edit(record.ref)))">Edit</a></div>
            \(fields(formatter))
            \(RelatedSections(page: self).render(formatter))
            \(deleteForm(environment))
            """
    }

    private func fields(_ formatter: FieldFormatter) -> String {
        let owner = record.owner.flatMap { id in users.first { $0.id == id }?.name } ?? "—"
        var rows = module.fields.map { field in
            "<dt>\(HTML.escape(field.label))</dt><dd>\(formatter.html(field, of: record, names: names))</dd>"
        }
        rows.append("<dt>Owner</dt><dd>\(HTML.escape(owner))</dd>")
        rows.append("<dt>Created</dt><dd>\(HTML.escape(formatter.dateTime(record.createdAt)))</dd>")
        rows.append("<dt>Modified</dt><dd>\(HTML.escape(formatter.dateTime(record.modifiedAt)))</dd>")
        return "<dl class=\"fields\">\(rows.joined(separator: "\n"))</dl>"
    }

    private func deleteForm(_ environment: PageEnvironment) -> String {
        """
        <details class="danger-zone"><summary>Delete this \(HTML.escape(module.singular.lowercased()))…</summary>
        <form method="post" action="\(HTML.escape(PagePaths.delete(record.ref)))">\(environment.csrfInput)
        <p>Deleting removes it from every list and from the mail folders. This cannot be undone here.</p>
        <button type="submit" class="danger">Delete \(HTML.escape(record.name(in: module)))</button></form></details>
        """
    }
}
