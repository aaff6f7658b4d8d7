import Foundation
import Hummingbird
import Logging
import MailStore

/// `GET/POST /signin` and `POST /signout`. Signing out is a form with the session's CSRF
/// token like every other; signing in has no session yet, so a sign-in posted from another
/// site's page (`Origin`, `Sec-Fetch-Site`) is refused instead (login CSRF).
struct SignInRoutes: Sendable {
    let authenticator: AccountAuthenticator
    let throttle: LoginThrottle
    let sessions: SessionStore
    let crmName: String
    let secureCookies: Bool
    let formPost: FormPost

    /// `open` takes the sign-in page, `signedIn` (behind `SessionMiddleware`) the sign-out.
    func register(open: RouterGroup<WebContext>, signedIn: RouterGroup<WebContext>) {
        open.get("signin") { request, _ in
            try self.form(next: request.uri.queryParameters["next"].map(String.init), error: nil)
        }
        open.post("signin") { request, context in
            try await self.signIn(request, context: context)
        }
        signedIn.post("signout") { request, context in
            _ = try await self.formPost.checked(request, context: context)
            if let id = context.session?.id { self.sessions.remove(id) }
            var response = Response.redirect(to: "/signin", type: .found)
            response.setCookie(Cookie(name: SessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: self.secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }
    }

    private struct SignInForm: Decodable {
        var email: String
        var password: String
        var next: String?
    }

    private func signIn(_ request: Request, context: WebContext) async throws -> Response {
        if formPost.isCrossSite(request) {
            context.logger.notice("web sign-in posted from another site refused", metadata: ["origin": "\(request.headers[.origin] ?? "")"])
            return try self.form(next: nil, error: "This sign-in form came from another site. Sign in on this page instead.", status: .forbidden)
        }
        let form: SignInForm
        do {
            form = try await URLEncodedFormDecoder().decode(SignInForm.self, from: request, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw error
        } catch {
            return try self.form(next: nil, error: "Enter your email address and password.", status: .badRequest)
        }
        let email = form.email.trimmingCharacters(in: .whitespaces)
        let attempt: LoginThrottle.Attempt<Identity>
        do {
            // The same throttle as IMAP logins: a growing delay per failure, then a refusal.
            attempt = try await throttle.attempt(user: email, address: context.remoteAddress?.ipAddress ?? "unknown") {
                do {
                    return try await authenticator.identity(email: email, password: form.password)
                } catch AccountAuthenticator.Failure.invalidCredentials {
                    return nil
                }
            }
        } catch AccountAuthenticator.Failure.noCRMUser(let email) {
            context.logger.notice("web sign-in without CRM user", metadata: ["user": "\(email)"])
            return try self.form(next: form.next, error: "\(email) has no user in the CRM; ask your administrator to add one.", status: .forbidden)
        }
        let identity: Identity
        switch attempt {
        case .accepted(let signedIn):
            identity = signedIn
        case .rejected:
            context.logger.notice("web sign-in failed", metadata: ["user": "\(email)"])
            return try self.form(next: form.next, error: "Wrong email address or password.", status: .unauthorized)
        case .refused:
            context.logger.warning("web sign-in refused: too many recent failures", metadata: ["user": "\(email)"])
            var response = try self.form(next: form.next, error: "Too many failed sign-ins; try again in a few minutes.", status: .tooManyRequests)
            response.headers[.retryAfter] = "\(Int(throttle.policy.window.components.seconds))"
            return response
        }
        context.logger.info("web sign-in", metadata: ["user": "\(identity.accountEmail)"])
        let session = sessions.create(for: identity)
        var response = Response.redirect(to: LocalRedirect.target(form.next), type: .found)
        response.setCookie(Cookie(name: SessionMiddleware.cookieName, value: session.id, path: "/",
                                  secure: secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    private func form(next: String?, error: String?, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = """
            <h1>Sign in</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(HTML.escape($0))</p>" } ?? "")
            <form class="stack" method="post" action="/signin">
            <label>Email address<input type="email" name="email" autocomplete="username" required autofocus></label>
            <label>Password<input type="password" name="password" autocomplete="current-password" required></label>
            <input type="hidden" name="next" value="\(HTML.escape(LocalRedirect.target(next)))">
            <button type="submit">Sign in</button>
            </form>
            <p class="muted">Use your crmgate mail account.</p>
            """
        return Response.html(PageLayout.page(title: "Sign in", crmName: crmName, identity: nil, csrfToken: "", body: body), status: status)
    }
}

extension Response {
    /// An HTML page response.
    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
