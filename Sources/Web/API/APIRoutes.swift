import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// The JSON API under `/api/v1`, for every module, built-in and custom; callers
/// authenticate with a bearer token (`TokenMiddleware`, `crmgate token create EMAIL`).
///
/// - `GET /api/v1/modules`: the modules and their fields (`ModuleJSON`).
/// - `GET /api/v1/users`: the CRM users, i.e. the possible owners.
/// - `GET /api/v1/<module>`: a page of records (`ListParameters`) as
///   `{"data": [record…], "total": n, "limit": l, "offset": o, "next": url, "previous": url}`,
///   the neighbours' URLs also in a `Link` header.
/// - `POST /api/v1/<module>`: creates a record (`RecordInput`) → 201, the record and `Location`.
/// - `GET /api/v1/<module>/<id>`: one record (`RecordJSON`).
/// - `PATCH /api/v1/<module>/<id>`: changes the fields given (`null` clears one), and the owner.
/// - `DELETE /api/v1/<module>/<id>`: → 204.
/// - `GET /api/v1/<module>/<id>/emails`, `GET /api/v1/emails?messageId=…`, `GET /api/v1/emails/<id>`
///   with `/raw` and `/attachments/<attachmentId>`: archived emails, read only (`APIRoutes+Emails`).
///
/// Every 4xx is an `APIError` naming the field; a request that fails writes nothing.
/// Records and emails outside the caller's scope (`ScopedCRM`) answer 404 like unknown
/// ones, and every answer says the scope in `CRMGate-Scope`.
struct APIRoutes: Sendable {
    let crm: EmbeddedCRM
    let dependencies: WebDependencies

    init(crm: EmbeddedCRM, dependencies: WebDependencies) {
        self.crm = crm
        self.dependencies = dependencies
    }

    func register(on group: RouterGroup<WebContext>) {
        group.add(middleware: CRMErrorMiddleware())
        group.get("modules") { _, _ in try await self.modules() }
        group.get("users") { _, _ in try await self.users() }
        registerEmails(on: group)
        group.get(":module") { request, context in try await self.list(request, context: context) }
        group.post(":module") { request, context in try await self.create(request, context: context) }
        group.get(":module/:id") { _, context in try await self.show(context: context) }
        group.patch(":module/:id") { request, context in try await self.update(request, context: context) }
        group.delete(":module/:id") { _, context in try await self.delete(context: context) }
        // Other methods and deeper paths get a JSON answer too, not an empty 404.
        for method in [HTTPRequest.Method.put, .patch, .delete] {
            group.on(":module", method: method) { request, context in try self.notAllowed(request, context, allow: "GET, POST") }
        }
        for method in [HTTPRequest.Method.post, .put] {
            group.on(":module/:id", method: method) { request, context in try self.notAllowed(request, context, allow: "GET, PATCH, DELETE") }
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            group.on(":module/:id/**", method: method) { request, _ -> Response in
                throw APIError(.notFound, "the API has no \(request.uri.path); \(Self.usage)")
            }
        }
    }

    static let usage = "records are listed (GET) and created (POST) at /api/v1/<module>, and read (GET), changed (PATCH) and deleted (DELETE) at /api/v1/<module>/<id>"

    /// 405 with `Allow`, for a method the path does not take (RFC 9110 §15.5.6).
    func notAllowed(_ request: Request, _ context: WebContext, allow: String, usage: String = Self.usage) throws -> Response {
        var response = try APIError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path); \(usage)")
            .response(from: request, context: context)
        response.headers[.allow] = allow
        return response
    }

    // MARK: Modules and users

    private func modules() async throws -> Response {
        try .json(["data": .array(try await crm.modules().map(ModuleJSON.render))])
    }

    private func users() async throws -> Response {
        let users = try await crm.users().map { user -> JSONValue in
            ["id": .string(user.id.rawValue), "name": .string(user.name), "email": .string(user.email), "active": .bool(user.active)]
        }
        return try .json(["data": .array(users)])
    }

    // MARK: Shared by the record routes

    /// The module named by the path, or 404.
    func module(_ context: WebContext) async throws -> ModuleDefinition {
        let key = context.parameters.get("module") ?? ""
        let modules = try await crm.modules()
        guard let module = modules.first(where: { $0.key.rawValue == key }) else {
            let keys = modules.map(\.key.rawValue).joined(separator: ", ")
            throw APIError(.notFound, "the CRM has no module \"\(key)\"; its modules are \(keys) (GET /api/v1/modules describes them)")
        }
        return module
    }

    /// The record the path names, or 404; also 404 when it is outside the caller's scope,
    /// so that guessing ids tells nothing.
    func existingRecord(in module: ModuleDefinition, _ context: WebContext) async throws -> CRMRecord {
        let id = context.parameters.get("id") ?? ""
        guard let record = try await scoped(context).record(RecordRef(module.key, RecordID(id)), in: module) else {
            throw APIError(.notFound, "there is no \(module.singular.lowercased()) with id \"\(id)\" (it may have been deleted); GET /api/v1/\(module.key) lists them")
        }
        return record
    }

    /// The CRM as the caller may reach it.
    func scoped(_ context: WebContext) throws -> ScopedCRM {
        ScopedCRM(crm: crm, identity: try caller(context))
    }

    func caller(_ context: WebContext) throws -> Identity {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, "missing API token: send the header Authorization: Bearer <token>")
        }
        return identity
    }

    /// The CRM user `text` names: an id, an email address, or `me` for the caller.
    func user(named text: String, caller: Identity) async throws -> CRMUser? {
        if text.lowercased() == "me" { return caller.crmUser }
        if text.contains("@") { return try await crm.user(email: text) }
        return try await crm.user(id: CRMUserID(text))
    }

    /// Renders records of `module` with their owners' names, fetched once.
    func renderer(for module: ModuleDefinition) async throws -> RecordJSON {
        let users = try await crm.users()
        return RecordJSON(module: module, users: Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }), crm: crm)
    }
}
