import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// List, read, create, change and delete records of one module.
extension APIRoutes {
    func list(_ request: Request, context: WebContext) async throws -> Response {
        let module = try await module(context)
        let parameters = try ListParameters(FormValues.pairs(request.uri.query))
        var owner: CRMUserID?
        if let text = parameters.owner {
            guard let user = try await user(named: text, caller: try caller(context)) else {
                throw APIError(.badRequest, "owner \"\(text)\" is not a CRM user; give a user's id or email address, or me (GET /api/v1/users lists them)", field: "owner")
            }
            owner = user.id
        }
        let query = RecordQuery(search: parameters.search, state: parameters.state, owner: owner,
                                modifiedSince: parameters.modifiedSince, offset: parameters.offset, limit: parameters.limit)
        guard parameters.order.recordSort(in: module) != nil else {
            throw APIError(.badRequest, "\(module.plural) cannot be sorted by \"\(parameters.order.key)\"; sort by one of "
                           + ListOrder.keys(of: module).joined(separator: ", ") + " (- in front for descending)", field: "sort")
        }
        let page = try await scoped(context).records(in: module, matching: query, order: parameters.order)
        let renderer = try await renderer(for: module)
        let links = PageLinks(base: crm.publicURL.absoluteString + "/api/v1/" + module.key.rawValue, request: request,
                              limit: parameters.limit, offset: parameters.offset,
                              hasMore: parameters.offset + parameters.limit < page.total)
        return try links.response([
            "data": .array(page.records.map(renderer.render)),
            "total": .number(Decimal(page.total)),
            "limit": .number(Decimal(parameters.limit)),
            "offset": .number(Decimal(parameters.offset)),
        ])
    }

    func show(context: WebContext) async throws -> Response {
        let module = try await module(context)
        let record = try await existingRecord(in: module, context)
        return try .json(try await renderer(for: module).render(record))
    }

    func create(_ request: Request, context: WebContext) async throws -> Response {
        let caller = try caller(context)
        let module = try await module(context)
        let input = try RecordInput(try await JSONBody.object(from: request), module: module)
        var owner = caller.crmUser.id
        if let text = input.owner { owner = try await self.owner(named: text, caller: caller) }
        let record: CRMRecord
        do {
            let draft = RecordDraft(owner: owner, fields: input.fields)
            try await scoped(context).checkReferences(of: draft, in: module, current: nil)
            record = try await crm.createRecord(in: module.key, draft)
        } catch let error as CRMError {
            throw APIError(error, module: module)
        }
        context.logger.info("API created record", metadata: ["record": "\(record.ref)", "user": "\(caller.accountEmail)"])
        let location = crm.publicURL.appendingPathComponent("api/v1").appendingPathComponent(module.key.rawValue)
            .appendingPathComponent(record.ref.id.rawValue)
        return try .json(try await renderer(for: module).render(record), status: .created,
                         headers: [.location: location.absoluteString])
    }

    func update(_ request: Request, context: WebContext) async throws -> Response {
        let caller = try caller(context)
        let module = try await module(context)
        let current = try await existingRecord(in: module, context)
        let input = try RecordInput(try await JSONBody.object(from: request), module: module)
        var owner: CRMUserID?
        if let text = input.owner { owner = try await self.owner(named: text, caller: caller) }
        let record: CRMRecord
        let draft = RecordDraft(owner: owner, fields: input.fields)
        do {
            try await scoped(context).checkReferences(of: draft, in: module, current: current)
            record = try await crm.updateRecord(current.ref, draft)
        } catch let error as CRMError where !error.isTransient && error.field == nil {
            // Deleted between the check above and the write.
            throw APIError(.notFound, error.message)
        } catch let error as CRMError {
            throw APIError(error, module: module)
        }
        context.logger.info("API updated record", metadata: ["record": "\(record.ref)", "user": "\(caller.accountEmail)"])
        return try .json(try await renderer(for: module).render(record))
    }

    func delete(context: WebContext) async throws -> Response {
        let caller = try caller(context)
        let module = try await module(context)
        let current = try await existingRecord(in: module, context)
        do {
            try await crm.deleteRecord(current.ref)
        } catch let error as CRMError where !error.isTransient {
            throw APIError(.notFound, error.message)
        }
        context.logger.info("API deleted record", metadata: ["record": "\(current.ref)", "user": "\(caller.accountEmail)"])
        return Response(status: .noContent)
    }

    /// The owner a body names, or 422 naming `owner` when no active CRM user has that id or address.
    private func owner(named text: String, caller: Identity) async throws -> CRMUserID {
        guard let user = try await user(named: text, caller: caller), user.active else {
            throw APIError(.unprocessableContent, "the owner \"\(text)\" is not an active CRM user; give a user's id or email address (GET /api/v1/users lists them)", field: "owner")
        }
        return user.id
    }
}
