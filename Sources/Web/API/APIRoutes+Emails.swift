import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// Read access to archived emails, the activities the drop folders create: a record's
/// emails, the emails with one Message-ID, one email (`EmailJSON`), its raw message and
/// its attachments. Downloads are made safe as the web UI's (`EmailDownloads`).
///
/// The constant `emails` segment wins over `:module` (Hummingbird's trie tries constant
/// segments before captures), and no module may be called `emails` (`ModuleCatalog`).
extension APIRoutes {
    static let emailUsage = "archived emails are read (GET) at /api/v1/<module>/<id>/emails, /api/v1/emails?messageId=<Message-ID>, /api/v1/emails/<id>, /api/v1/emails/<id>/raw and /api/v1/emails/<id>/attachments/<attachmentId>"

    func registerEmails(on group: RouterGroup<WebContext>) {
        group.get(":module/:id/emails") { request, context in try await self.recordEmails(request, context: context) }
        group.get("emails") { request, context in try await self.emails(request, context: context) }
        group.get("emails/:email") { _, context in try await self.email(context: context) }
        group.get("emails/:email/raw") { _, context in try await self.rawEmail(context: context) }
        group.get("emails/:email/attachments/:attachment") { _, context in try await self.emailAttachment(context: context) }
        for path in [":module/:id/emails", "emails", "emails/:email", "emails/:email/raw", "emails/:email/attachments/:attachment"] {
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                group.on(RouterPath(path), method: method) { request, context in
                    try self.notAllowed(request, context, allow: "GET", usage: Self.emailUsage)
                }
            }
        }
        // Deeper or partial paths get a JSON 404 too, not an empty one.
        for path in ["emails/:email/attachments", "emails/:email/**"] {
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                group.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw APIError(.notFound, "the API has no \(request.uri.path); \(Self.emailUsage)")
                }
            }
        }
    }

    /// `GET /api/v1/<module>/<id>/emails`: the record's emails (as person or as record), newest
    /// first, a page at a time (`limit`, `offset` or `page`) with links to the neighbours and
    /// the total.
    func recordEmails(_ request: Request, context: WebContext) async throws -> Response {
        let module = try await module(context)
        let record = try await existingRecord(in: module, context)
        let parameters = try ListParameters(FormValues.pairs(request.uri.query), known: ["limit", "offset", "page"])
        let page = try await crm.archivedEmailContents(relatedTo: record.ref, offset: parameters.offset, limit: parameters.limit)
        let links = PageLinks(base: crm.publicURL.absoluteString + "/api/v1/\(module.key)/\(record.ref.id)/emails", request: request,
                              limit: parameters.limit, offset: parameters.offset,
                              hasMore: page.total > parameters.offset + parameters.limit)
        return try links.response([
            "data": .array(page.emails.map(EmailJSON.render)),
            "total": .number(Decimal(page.total)),
            "limit": .number(Decimal(parameters.limit)),
            "offset": .number(Decimal(parameters.offset)),
        ])
    }

    /// `GET /api/v1/emails?messageId=<id>`: every email archived with that Message-ID, one per target.
    func emails(_ request: Request, context: WebContext) async throws -> Response {
        let parameters = try ListParameters.values(of: FormValues.pairs(request.uri.query),
                                                   known: ["messageId"], takes: "/api/v1/emails takes")
        // An unencoded `+` in a query string arrives as a space, and a Message-ID has no spaces.
        let text = (parameters["messageId"] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "+")
        guard !text.isEmpty else {
            throw APIError(.badRequest, "messageId is required: give the Message-ID with its angle brackets, percent-encoded, such as /api/v1/emails?messageId=%3Cm1%40example.com%3E (a record's emails are at /api/v1/<module>/<id>/emails)", field: "messageId")
        }
        // Stored Message-IDs always carry their angle brackets.
        let messageID = text.hasPrefix("<") && text.hasSuffix(">") ? text : "<\(text)>"
        let emails = try await scoped(context).visible(try await crm.archivedEmailContents(messageID: messageID))
        return try .json(["data": .array(emails.map(EmailJSON.render))])
    }

    /// `GET /api/v1/emails/<id>`.
    func email(context: WebContext) async throws -> Response {
        let id = try emailID(context)
        return try .json(["data": EmailJSON.render(try await visibleEmail(id, context))])
    }

    /// `GET /api/v1/emails/<id>/raw`: the message as archived, `message/rfc822`.
    func rawEmail(context: WebContext) async throws -> Response {
        let id = try emailID(context)
        _ = try await visibleEmail(id, context)
        guard let bytes = try await crm.rawMessage(ofEmail: id) else { throw Self.noEmail(id) }
        return EmailDownloads.download(bytes, contentType: "message/rfc822", filename: "email-\(id).eml")
    }

    /// `GET /api/v1/emails/<id>/attachments/<attachmentId>`: the file, if it belongs to that email.
    func emailAttachment(context: WebContext) async throws -> Response {
        let id = try emailID(context)
        let text = try context.parameters.require("attachment")
        guard let email = try await crm.archivedEmail(id: id), try await scoped(context).canSee(email),
              let attachmentID = Int64(text), let attachment = try await crm.attachment(id: attachmentID, ofEmail: id) else {
            throw APIError(.notFound, "archived email \"\(id)\" has no attachment with id \"\(text)\"; GET /api/v1/emails/\(id) lists its attachments")
        }
        return EmailDownloads.download(attachment.data, contentType: EmailDownloads.safeContentType(attachment.contentType),
                                       filename: attachment.filename)
    }

    /// The archived email, or 404 when there is none or the caller may not read it.
    private func visibleEmail(_ id: RecordID, _ context: WebContext) async throws -> ArchivedEmailContent {
        guard let email = try await crm.archivedEmail(id: id), try await scoped(context).canSee(email) else { throw Self.noEmail(id) }
        return email
    }

    private func emailID(_ context: WebContext) throws -> RecordID {
        RecordID(try context.parameters.require("email"))
    }

    private static func noEmail(_ id: RecordID) -> APIError {
        APIError(.notFound, "there is no archived email with id \"\(id)\"; GET /api/v1/<module>/<id>/emails or /api/v1/emails?messageId=<Message-ID> finds them")
    }
}
