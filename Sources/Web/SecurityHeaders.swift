import Hummingbird

/// The headers every answer of the web server carries: Hummingbird's
/// `ContentSecurityMiddleware` (CSP and `X-Content-Type-Options: nosniff`) with a policy
/// that allows no script at all and styles only from this server, plus `Referrer-Policy`
/// and `X-Frame-Options` for browsers that predate `frame-ancestors`.
enum SecurityHeaders {
    /// Pages load their one stylesheet from `/assets/`; nothing else is fetched, no
    /// script runs, forms post only here, and no site may frame the pages.
    static let contentSecurityPolicy: ContentSecurityPolicy = [
        .defaultSrc(.none), .styleSrc(.self), .imgSrc(.self), .formAction(.self), .frameAncestors(.none), .baseURI(.none),
    ]

    static func middleware() -> ContentSecurityMiddleware<WebContext> {
        ContentSecurityMiddleware(contentSecurityPolicy: contentSecurityPolicy)
    }
}

/// Adds `Referrer-Policy` and `X-Frame-Options`, and turns errors thrown by handlers into
/// their responses here, so that the security headers added around it reach error answers
/// (404s of unknown paths, 413s) too.
struct ResponseHardeningMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        // Links leave with the origin only, never a record's path.
        response.headers[.referrerPolicy] = "strict-origin-when-cross-origin"
        response.headers[.xFrameOptions] = "DENY"
        return response
    }
}

/// Hummingbird re-exports `HTTPFields`, not the field name type it holds.
typealias HTTPFieldName = HTTPFields.Element.Name

extension HTTPFieldName {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    /// RFC 8288 links of a list page (`next`, `prev`).
    static let link = Self("Link")!
    /// The access of the API's caller: `all` (an administrator), `owned` or `visible`.
    static let crmgateScope = Self("CRMGate-Scope")!
}
