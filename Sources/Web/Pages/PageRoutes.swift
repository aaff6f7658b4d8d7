import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// The record pages of the web UI, behind `SessionMiddleware`:
///
/// - `GET /` overview of the modules
/// - `GET /<module>` list (`q`, `state`, `owner`, `sort`, `page`)
/// - `GET /<module>/<id>` record page (the connector's View URL; `emails` pages its emails)
/// - `GET|POST /<module>/<id>/edit` edit form (the Edit URL), `GET|POST /<module>/new`
/// - `POST /<module>/<id>/delete`
/// - `GET /emails/<id>/raw`, `GET /emails/<id>/attachments/<attachmentId>`
///
/// Every POST must carry the session's CSRF token (`FormPost`); records and emails outside
/// the user's scope are 404s (`ScopedCRM`); errors become HTML pages.
struct PageRoutes: Sendable {
    let crm: EmbeddedCRM
    let dependencies: WebDependencies
    let formPost: FormPost

    init(crm: EmbeddedCRM, dependencies: WebDependencies, formPost: FormPost) {
        self.crm = crm
        self.dependencies = dependencies
        self.formPost = formPost
    }

    /// `pages` is behind `SessionMiddleware` and `PageErrorMiddleware`.
    func register(on pages: RouterGroup<WebContext>) {
        let editing = RecordEditing(data: data, crmName: dependencies.crmName)
        let downloads = EmailDownloads(crm: crm)

        pages.get("/") { _, context in
            let home = try await HomePage.load(crm: try self.scoped(context))
            return self.environment(context).page(title: "Overview", body: home.render(self.environment(context)))
        }
        pages.get("emails/:email/raw") { _, context in
            try await downloads.rawMessage(emailID: try context.parameters.require("email"), for: try self.identity(context))
        }
        pages.get("emails/:email/attachments/:attachment") { _, context in
            try await downloads.attachment(emailID: try context.parameters.require("email"), for: try self.identity(context),
                                           attachmentID: try context.parameters.require("attachment"))
        }
        pages.get(":module") { request, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            let query = ListQuery(FormValues(request.uri.query), module: module)
            let list = try await RecordListPage.load(module, query: query, crm: try self.scoped(context), data: self.data)
            return self.environment(context).page(title: module.plural, body: list.render(self.environment(context)))
        }
        pages.get(":module/new") { _, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            return try await editing.form(module, record: nil, context: context)
        }
        pages.get(":module/:id") { request, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module, for: try self.identity(context))
            let emailPage = FormValues(request.uri.query)["emails"].flatMap { Int($0) } ?? 1
            let page = try await RecordViewPage.load(module, record: record, emailPage: emailPage, crm: try self.scoped(context), data: self.data)
            return self.environment(context).page(title: record.name(in: module), body: page.render(self.environment(context)))
        }
        pages.post(":module/new") { request, context in
            let form = try await formPost.checked(request, context: context)
            let module = try await self.data.module(try context.parameters.require("module"))
            return try await editing.save(module, record: nil, form: form, context: context)
        }
        pages.get(":module/:id/edit") { _, context in
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module, for: try self.identity(context))
            return try await editing.form(module, record: record, context: context)
        }
        pages.post(":module/:id/edit") { request, context in
            let form = try await formPost.checked(request, context: context)
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module, for: try self.identity(context))
            return try await editing.save(module, record: record, form: form, context: context)
        }
        pages.post(":module/:id/delete") { request, context in
            _ = try await formPost.checked(request, context: context)
            let module = try await self.data.module(try context.parameters.require("module"))
            let record = try await self.data.record(try context.parameters.require("id"), in: module, for: try self.identity(context))
            return try await editing.delete(module, record: record, context: context)
        }
    }

    private var data: PageData { PageData(crm: crm) }

    private func environment(_ context: WebContext) -> PageEnvironment {
        PageEnvironment(crmName: dependencies.crmName, context: context)
    }

    /// The CRM as the signed-in user may reach it (their policy's scope).
    private func scoped(_ context: WebContext) throws -> ScopedCRM {
        ScopedCRM(crm: crm, identity: try identity(context))
    }

    private func identity(_ context: WebContext) throws -> Identity {
        guard let identity = context.identity else { throw PageError.signedOut }
        return identity
    }
}
