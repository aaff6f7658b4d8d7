import CRM
import Foundation
import Hummingbird

/// What every page needs besides its own data: the CRM's name, who is signed in, the
/// session's form token and how to show dates. Built once per request.
struct PageEnvironment: Sendable {
    var crmName: String
    var identity: Identity?
    /// The session's CSRF token; every form echoes it in a hidden `csrf` input.
    var csrfToken: String
    var formatter: FieldFormatter

    init(crmName: String, identity: Identity?, csrfToken: String, timeZone: TimeZone = .current) {
        self.crmName = crmName
        self.identity = identity
        self.csrfToken = csrfToken
        self.formatter = FieldFormatter(timeZone: timeZone)
    }

    init(crmName: String, context: WebContext) {
        self.init(crmName: crmName, identity: context.identity, csrfToken: context.session?.csrfToken ?? "",
                  timeZone: context.identity?.timeZone ?? .current)
    }

    /// The hidden input that carries the CSRF token.
    var csrfInput: String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(csrfToken))\">"
    }

    /// A whole HTML page in the common layout.
    func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        var response = Response.html(PageLayout.page(title: title, crmName: crmName, identity: identity, csrfToken: csrfToken, body: body), status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
