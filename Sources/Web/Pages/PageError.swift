import CRM
import Hummingbird
import Logging

/// A request the record pages cannot serve, answered with an HTML page that says what
/// happened and what to do: an unknown module or record, a form without its token.
struct PageError: Error, Sendable {
    var status: HTTPResponse.Status
    var title: String
    var message: String

    static func notFound(_ message: String) -> PageError {
        PageError(status: .notFound, title: "Not found", message: message)
    }

    static let signedOut = PageError(status: .unauthorized, title: "Signed out", message: "Sign in again to continue.")

    static let missingCSRFToken = PageError(
        status: .forbidden, title: "Form not accepted",
        message: "The form did not carry this session's security token (it may be from an old page or another site). Go back, reload the page and send it again.")
}

/// Turns whatever a page handler throws into an HTML error page. Internals (stack traces,
/// SQL) never reach the browser: unexpected errors are logged and shown as a generic 500.
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let crmName: String

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as PageError {
            return page(for: error, context: context)
        } catch let error as CRMError where error.isTransient {
            context.logger.warning("CRM unavailable for a web page", metadata: ["error": "\(error.message)"])
            return page(for: PageError(status: .serviceUnavailable, title: "The CRM is busy",
                                       message: "The CRM could not answer just now. Wait a moment and reload the page."), context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return page(for: PageError(status: .contentTooLarge, title: "Form too large",
                                       message: "The form is larger than \(WebContext.maxBodyBytes / 1024) KiB, the most the web UI accepts. Nothing was saved: go back, shorten the longest text and send it again."), context: context)
        } catch let error as any HTTPResponseError {
            return page(for: PageError(status: error.status, title: error.status.reasonPhrase,
                                       message: "The request could not be served (\(error.status.code) \(error.status.reasonPhrase))."), context: context)
        } catch {
            context.logger.error("web page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return page(for: PageError(status: .internalServerError, title: "Something went wrong",
                                       message: "The page could not be shown because of an error on the server. It has been logged; try again later."), context: context)
        }
    }

    private func page(for error: PageError, context: WebContext) -> Response {
        let body = """
            <h1>\(HTML.escape(error.title))</h1>
            <p class="notice">\(HTML.escape(error.message))</p>
            <p><a href="/">Back to the overview</a></p>
            """
        return PageEnvironment(crmName: crmName, context: context).page(title: error.title, body: body, status: error.status)
    }
}
