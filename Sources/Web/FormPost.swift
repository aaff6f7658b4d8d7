import Foundation
import Hummingbird

/// The checks of a browser's form POST: a body within `WebContext.maxUploadSize` (413
/// beyond), sent from a page of this server, and, once signed in, the session's CSRF token.
struct FormPost: Sendable {
    /// The origin users open the pages at (`[web] public_url`), e.g. `https://crm.example.com`;
    /// behind a proxy it differs from the `Host` the server sees.
    let publicOrigin: String

    init(publicURL: URL?) {
        var origin = (publicURL?.scheme ?? "http").lowercased() + "://" + (publicURL?.host ?? "").lowercased()
        if let port = publicURL?.port { origin += ":\(port)" }
        publicOrigin = origin
    }

    /// The form of a signed-in session's POST, after checking its CSRF token (403 otherwise).
    func checked(_ request: Request, context: WebContext) async throws -> FormValues {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let form = FormValues(String(buffer: body))
        guard !isCrossSite(request), let expected = context.session?.csrfToken, let sent = form["csrf"],
              CSRFToken.matches(sent, expected) else {
            context.logger.notice("web form without a valid CSRF token", metadata: ["path": "\(request.uri.path)"])
            throw PageError.missingCSRFToken
        }
        return form
    }

    /// Whether a browser says the request comes from another site: `Sec-Fetch-Site:
    /// cross-site`, or an `Origin` that is neither the public URL's nor the host the request
    /// was sent to. Clients that send neither (curl, scripts) are judged by the CSRF token alone.
    func isCrossSite(_ request: Request) -> Bool {
        if request.headers[.secFetchSite]?.lowercased() == "cross-site" { return true }
        guard let origin = request.headers[.origin]?.lowercased() else { return false }
        if origin == publicOrigin { return false }
        guard let host = request.head.authority?.lowercased() else { return true }
        return origin != "http://" + host && origin != "https://" + host
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
