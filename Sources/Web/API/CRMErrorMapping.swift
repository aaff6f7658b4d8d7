import CRM
import Hummingbird

extension APIError {
    /// Seconds a client should wait before retrying after the CRM was unavailable.
    static let retryAfterSeconds = 5

    /// The answer to a CRM failure: transient → 503 with `Retry-After`; permanent with a
    /// field (validation) → 422 naming it as the body does (`fields.<key>`, `owner`);
    /// other permanent failures → 422 with the CRM's message.
    init(_ error: CRMError, module: ModuleDefinition?) {
        switch error.kind {
        case .transient:
            self.init(.serviceUnavailable, error.message, retryAfter: Self.retryAfterSeconds)
        case .permanent:
            let field = error.field.map { key in module?.field(key) != nil ? RecordInput.path(key) : key }
            self.init(.unprocessableContent, error.message, field: field)
        }
    }
}

/// Turns a `CRMError` that a route did not map itself into its API answer, so that no
/// CRM failure reaches the client as a bare 500.
struct CRMErrorMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as CRMError {
            if error.isTransient {
                context.logger.warning("CRM unavailable for API request", metadata: ["error": "\(error)"])
            }
            throw APIError(error, module: nil)
        }
    }
}
