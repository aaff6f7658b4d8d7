import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// The actions behind the edit and create forms and the delete button: show a form, save
/// it (303 to the record page, or the form again with messages and the user's input),
/// delete (303 to the list).
struct RecordEditing: Sendable {
    let data: PageData
    let crmName: String
    var timeZone: TimeZone = .current

    func form(_ module: ModuleDefinition, record: CRMRecord?, context: WebContext) async throws -> Response {
        let reader = RecordFormReader(module: module, timeZone: timeZone)
        let values = record.map(reader.values(of:)) ?? [:]
        return try await render(module, record: record, values: values, errors: [:], status: .ok, context: context)
    }

    func save(_ module: ModuleDefinition, record: CRMRecord?, form: FormValues, context: WebContext) async throws -> Response {
        let reader = RecordFormReader(module: module, timeZone: timeZone)
        let result = reader.read(form, current: record)
        guard var draft = result.draft else {
            return try await render(module, record: record, values: result.values, errors: result.errors,
                                    status: .unprocessableContent, context: context)
        }
        do {
            if let identity = context.identity {
                try await ScopedCRM(crm: data.crm, identity: identity).checkReferences(of: draft, in: module, current: record)
            }
            let saved: CRMRecord
            if let record {
                if draft.owner == record.owner { draft.owner = nil }
                saved = try await data.crm.updateRecord(record.ref, draft)
            } else {
                if draft.owner == nil { draft.owner = context.identity?.crmUser.id }
                saved = try await data.crm.createRecord(in: module.key, draft)
            }
            context.logger.info("web record saved", metadata: ["record": "\(saved.ref)", "user": "\(context.identity?.accountEmail ?? "")"])
            if let identity = context.identity, !identity.canSee(saved, in: module) {
                return try await handedOver(saved, module: module, context: context)
            }
            return .redirect(to: PagePaths.view(saved.ref), type: .normal)
        } catch let error as CRMError {
            // The CRM's message names the field and says what to change; keep what was typed.
            let key = error.field.flatMap { field in module.field(field) != nil || field == "owner" ? field : nil } ?? ""
            let status: HTTPResponse.Status = error.isTransient ? .serviceUnavailable : .unprocessableContent
            return try await render(module, record: record, values: result.values, errors: [key: error.message],
                                    status: status, context: context)
        }
    }

    /// A record saved with another owner has left the user's scope: its page would be a
    /// 404, so say that it was saved and where it went instead.
    private func handedOver(_ record: CRMRecord, module: ModuleDefinition, context: WebContext) async throws -> Response {
        var owner = "another user"
        if let id = record.owner, let user = try await data.crm.user(id: id) { owner = user.name }
        let name = record.name(in: module)
        let body = """
            <h1>Saved</h1>
            <p class="notice" role="status">\(HTML.escape(name)) is saved and now belongs to \(HTML.escape(owner)), so it is no longer among the \(HTML.escape(module.plural.lowercased())) you can open.</p>
            <p><a href="\(HTML.escape(PagePaths.list(module.key)))">Back to \(HTML.escape(module.plural.lowercased()))</a></p>
            """
        return PageEnvironment(crmName: crmName, context: context).page(title: "Saved", body: body)
    }

    func delete(_ module: ModuleDefinition, record: CRMRecord, context: WebContext) async throws -> Response {
        do {
            try await data.crm.deleteRecord(record.ref)
        } catch let error as CRMError where !error.isTransient {
            throw PageError(status: .conflict, title: "Not deleted", message: error.message)
        }
        context.logger.info("web record deleted", metadata: ["record": "\(record.ref)", "user": "\(context.identity?.accountEmail ?? "")"])
        return .redirect(to: PagePaths.list(module.key), type: .normal)
    }

    private func render(_ module: ModuleDefinition, record: CRMRecord?, values: [String: String], errors: [String: String],
                        status: HTTPResponse.Status, context: WebContext) async throws -> Response {
        guard let identity = context.identity else { throw PageError.signedOut }
        let page = try await RecordFormPage.load(module, record: record, values: values, errors: errors,
                                                 crm: ScopedCRM(crm: data.crm, identity: identity), data: data)
        var environment = PageEnvironment(crmName: crmName, context: context)
        environment.formatter.timeZone = timeZone
        return environment.page(title: page.title, body: page.render(environment), status: status)
    }
}
