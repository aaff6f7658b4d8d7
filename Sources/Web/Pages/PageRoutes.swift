import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// The record pages of the web UI, behind `SessionMiddleware`:
///
/// - `GET /` overview of the modules
/// - `GET /<module>` list (`q`, `state`, `owner`, `page`)
/// - `GET /<module>/<id>` record page (the connector's View URL)
/// - `GET|POST /<module>/<id>/edit` edit form (the Edit URL), `GET|POST /<module>/new`
/// - `POST /<module>/<id>/delete`
/// - `GET /emails/<id>/raw`, `GET /emails/<id>/attachments/<attachmentId>`
///
/// Every POST must carry the session's CSRF token; errors become HTML pages.
struct PageRoutes: Sendable {
    let crm: EmbeddedCRM
    let dependencies: WebDependencies

    init(crm: EmbeddedCRM, dependencies: WebDependencies) {
        self.crm = crm
        self.dependencies = dependencies
    }

    func register(on group: RouterGroup<WebContext>) {
        let pages = group.add(middleware: PageErrorMiddleware(crmName: dependencies.crmName))
        let editing = RecordEditing(data: data, crmName: dependencies.crmName)
        let downloads = EmailDownloads(crm: crm)

        pages.get("/") { _, context in
            let home = try await HomePage.load(crm: self.crm, user: try self.user(context))
            return self.environment(context).page(title: "Overview", body: home.render(self.environment(context)))
        }
        pages.get("emails/:email/raw") { _, context in
            try await downloads.rawMessage(emailID: try context.parameters.require("email"))
        }
        pages.get("emails/:email/attachments/:attachment") { _, context in
            try await downloads.attachment(emailID: try context.parameters.require("email"),
                                           attachmentID: try context.parameters.require("attachment"))
        }
        pages.get(":module") { request, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            let query = ListQuery(FormValues(request.uri.query), module: module)
            let list = try await RecordListPage.load(module, query: query, user: try self.user(context), data: self.data)
            return self.environment(context).page(title: module.plural, body: list.render(self.environment(context)))
        }
        pages.get(":module/new") { _, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            return try await editing.form(module, record: nil, context: context)
        }
        pages.get(":module/:id") { _, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module)
            let page = try await RecordViewPage.load(module, record: record, data: self.data)
            return self.environment(context).page(title: record.name(in: module), body: page.render(self.environment(context)))
        }
        pages.post(":module/new") { request, context in
            let form = try await self.checkedForm(request, context: context)
            let module = try await self.data.module(try context.parameters.require("module"))
            return try await editing.save(module, record: nil, form: form, context: context)
        }
        pages.get(":module/:id/edit") { _, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module)
            return try await editing.form(module, record: record, context: context)
        }
        pages.post(":module/:id/edit") { request, context in
            let form = try await self.checkedForm(request, context: context)
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module)
            return try await editing.save(module, record: record, form: form, context: context)
        }
        pages.post(":module/:id/delete") { request, context in
            _ = try await self.checkedForm(request, context: context)
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module)
            return try await editing.delete(module, record: record, context: context)
        }
    }

    private var data: PageData { PageData(crm: crm) }

    private func environment(_ context: WebContext) -> PageEnvironment {
        PageEnvironment(crmName: dependencies.crmName, context: context)
    }

    private func user(_ context: WebContext) throws -> CRMUserID {
        guard let identity = context.identity else { throw PageError.signedOut }
        return identity.crmUser.id
    }

    /// The POSTed form, after checking that it carries this session's CSRF token (403 otherwise).
    private func checkedForm(_ request: Request, context: WebContext) async throws -> FormValues {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let form = FormValues(String(buffer: body))
        guard let expected = context.session?.csrfToken, let sent = form["csrf"],
              CSRFToken.matches(sent, expected) else {
            context.logger.notice("web form without a valid CSRF token", metadata: ["path": "\(request.uri.path)"])
            throw PageError.missingCSRFToken
        }
        return form
    }
}

/// Compares CSRF tokens in time independent of where they differ.
enum CSRFToken {
    static func matches(_ sent: String, _ expected: String) -> Bool {
        let a = Array(sent.utf8), b = Array(expected.utf8)
        guard a.count == b.count, !b.isEmpty else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
