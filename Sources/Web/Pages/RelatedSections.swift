import CRM
import EmbeddedCRM

/// The sections under a record's fields: related contacts, linked records and archived
/// emails (with links to the raw message and each attachment).
struct RelatedSections {
    let page: RecordViewPage

    func render(_ formatter: FieldFormatter) -> String {
        [contacts(formatter), linked, emails(formatter)].joined(separator: "\n")
    }

    private func contacts(_ formatter: FieldFormatter) -> String {
        let module = ModuleDefinition.contacts
        let rows = page.contacts.map { contact in
            let cells = [
                "<a href=\"\(HTML.escape(PagePaths.view(contact.ref)))\">\(HTML.escape(contact.name(in: module)))</a>",
                HTML.escape(contact.fields["title"]?.text ?? ""),
                contact.emailAddresses.map { "<a href=\"mailto:\(HTML.escape($0))\">\(HTML.escape($0))</a>" }.joined(separator: ", "),
                HTML.escape(contact.fields["phone"]?.text ?? ""),
                contact.fields["account"]?.reference.map { formatter.reference($0, names: page.names) } ?? "",
            ]
            return "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        let body = rows.isEmpty
            ? "<p class=\"empty\">No related contacts.</p>"
            : table(["Name", "Title", "Email", "Phone", "Account"], rows)
        return "<section><h2>Related contacts</h2>\(body)</section>"
    }

    private var linked: String {
        guard !page.linked.isEmpty else { return "" }
        let rows = page.linked.map { record in
            let module = page.modules.first { $0.key == record.ref.module }
            let kind = module?.singular ?? record.ref.module.rawValue
            let name = module.map { record.name(in: $0) } ?? record.ref.id.rawValue
            let closed = module?.closedRule?.isClosed(record) == true ? " <span class=\"badge\">closed</span>" : ""
            return "<tr><td>\(HTML.escape(kind))</td><td class=\"nowrap\">\(HTML.escape(record.number ?? ""))</td>"
                + "<td><a href=\"\(HTML.escape(PagePaths.view(record.ref)))\">\(HTML.escape(name))</a>\(closed)</td></tr>"
        }
        return "<section><h2>Linked records</h2>\(table(["Type", "Number", "Name"], rows))</section>"
    }

    private func emails(_ formatter: FieldFormatter) -> String {
        let rows = page.emails.map { email in
            let id = email.summary.id
            let attachments = email.attachments.map { attachment in
                "<a href=\"\(HTML.escape(PagePaths.attachment(attachment.id, ofEmail: id)))\">\(HTML.escape(attachment.filename))</a>"
                    + " <span class=\"muted\">(\(HTML.escape(Self.size(attachment.size))))</span>"
            }
            let cells = [
                "<span class=\"nowrap\">\(HTML.escape(formatter.dateTime(email.summary.date)))</span>",
                HTML.escape(email.summary.subject.isEmpty ? "(no subject)" : email.summary.subject),
                HTML.escape(email.from?.description ?? "—"),
                attachments.isEmpty ? "<span class=\"muted\">—</span>" : attachments.joined(separator: "<br>"),
                "<a href=\"\(HTML.escape(PagePaths.rawEmail(id)))\">Raw message</a> <span class=\"muted\">(\(HTML.escape(Self.size(email.rawSize))))</span>",
            ]
            return "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        let body = rows.isEmpty
            ? "<p class=\"empty\">\(page.emailPage > 1 ? "No older archived emails." : "No archived emails.")</p>"
            : table(["Date", "Subject", "From", "Attachments", "Message"], rows)
        let count = page.emailCount > 0 ? " <span class=\"muted\">(\(page.emailCount))</span>" : ""
        return "<section id=\"emails\"><h2>Archived emails\(count)</h2>\(body)\(emailPager)</section>"
    }

    /// Newer and older pages of the emails, on the same record page.
    private var emailPager: String {
        func link(_ number: Int) -> String {
            HTML.escape(PagePaths.view(page.record.ref) + (number > 1 ? "?emails=\(number)" : "") + "#emails")
        }
        let newer = page.emailPage > 1 ? "<a rel=\"prev\" href=\"\(link(page.emailPage - 1))\">← Newer emails</a>" : ""
        let older = page.olderEmails ? "<a rel=\"next\" href=\"\(link(page.emailPage + 1))\">Older emails →</a>" : ""
        guard !newer.isEmpty || !older.isEmpty else { return "" }
        let pages = (page.emailCount + RecordViewPage.sectionLimit - 1) / RecordViewPage.sectionLimit
        return "<nav class=\"pager\" aria-label=\"Email pages\">\(newer)<span class=\"muted\">Page \(page.emailPage) of \(max(pages, page.emailPage))</span>\(older)</nav>"
    }

    private func table(_ head: [String], _ rows: [String]) -> String {
        "<table><thead><tr>\(head.map { "<th scope=\"col\">\($0)</th>" }.joined())</tr></thead><tbody>\(rows.joined(separator: "\n"))</tbody></table>"
    }

    /// `12 KB`, `3.4 MB`.
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        if bytes < 1024 * 1024 { return "\((bytes + 512) / 1024) KB" }
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
