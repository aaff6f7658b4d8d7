import Foundation
import GatewayConfig
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Web

@Suite("Web security: headers, CSRF, cookies, redirects, limits")
struct SecurityTests {
    @Test(arguments: ["/", "/opportunities", "/nosuchmodule", "/signin", "/no/such/path/at/all"])
    func everyAnswerCarriesTheSecurityHeaders(path: String) async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let response = try await client.get(path)
            let csp = try #require(response.headers[.contentSecurityPolicy])
            #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && csp.contains("style-src 'self'"))
            #expect(!csp.contains("unsafe-inline") && !csp.contains("script-src"))
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.headers[.referrerPolicy] == "strict-origin-when-cross-origin")
            #expect(response.headers[.xFrameOptions] == "DENY")
        }
    }

    @Test func apiAnswersCarryTheSecurityHeadersToo() async throws {
        let h = try await APIHarness.make()
        try await h.run { client in
            for response in [try await client.get("/api/v1/opportunities"), try await client.get("/api/v1/opportunities/999"),
                             try await client.send(.get, "/api/v1/opportunities", authorization: "")] {
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func pagesHaveNoInlineStyleOrScriptAndLoadTheStylesheet() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let html = try await client.get("/opportunities/\(h.opportunity.ref.id)").text
            #expect(!html.contains("<style") && !html.contains("<script") && !html.contains(" style="))
            let href = try #require(html.firstMatch(of: /<link rel="stylesheet" href="([^"]+)">/)).1
            let css = try await client.get(String(href))
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.text.contains(".record-form"))
        }
    }

    @Test func signOutWithoutTheTokenIsRefusedAndKeepsTheSession() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let forged = try await client.post("/signout", [])
            #expect(forged.status == .forbidden)
            #expect(forged.text.contains("security token"))
            #expect(try await client.post("/signout", [("csrf", String(repeating: "0", count: 64))]).status == .forbidden)
            #expect(try await client.get("/opportunities").status == .ok)

            let token = try await client.csrfToken(from: "/")
            let signedOut = try await client.post("/signout", [("csrf", token)])
            #expect(signedOut.status == .found)
            #expect(signedOut.headers[.location] == "/signin")
            #expect(try await client.get("/opportunities").status == .found)
        }
    }

    @Test func formPostedFromAnotherSiteIsRefusedEvenWithTheToken() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let token = try await client.csrfToken()
            let body = URLText.query([("csrf", token), ("f.name", "From elsewhere"), ("f.stage", "Proposal")])
            let response = try await client.send(.post, "/opportunities/new", body: body, extraHeaders: [.origin: "https://evil.example"])
            #expect(response.status == .forbidden)
            #expect(try await h.crm.records(in: .opportunities, matching: .init(search: "From elsewhere")).total == 0)
        }
    }

    @Test func signInPostedFromAnotherSiteIsRefused() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let body = "email=alice%40example.com&password=\(URLText.encode(PageHarness.password))"
            for var headers: HTTPFields in [[.origin: "https://evil.example"], [.secFetchSite: "cross-site"], [.origin: "null"]] {
                headers[.contentType] = "application/x-www-form-urlencoded"
                let response = try await client.client.execute(
                    uri: "/signin", method: .post, headers: headers,
                    body: ByteBuffer(string: body))
                #expect(response.status == .forbidden)
                #expect(response.headers[.setCookie] == nil)
            }
        }
    }

    @Test func signInThroughAProxyFromThePublicOriginIsAccepted() async throws {
        let h = try await PageHarness.make()
        try await h.run(publicURL: "https://crm.example.com") { client in
            // Behind a proxy the Host the server sees is not the public one; the Origin is.
            let response = try await client.client.execute(
                uri: "/signin", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://crm.example.com"],
                body: ByteBuffer(string: "email=alice%40example.com&password=\(URLText.encode(PageHarness.password))"))
            #expect(response.status == .found)
            #expect(FormPost(publicURL: URL(string: "http://127.0.0.1:8080")!).publicOrigin == "http://127.0.0.1:8080")
        }
    }

    @Test func sessionCookieIsHttpOnlyLaxAndSecureOnlyOverTLS() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let cookie = try #require(client.setCookie)
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
        }
        try await h.run(publicURL: "https://crm.test") { client in
            let cookie = try #require(client.setCookie)
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"))
        }
    }

    @Test(arguments: [
        ("/opportunities/1", "/opportunities/1"), ("/opportunities?q=a%20b&page=2", "/opportunities?q=a%20b&page=2"),
        ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("/\t/evil.example", "/"), ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"), ("", "/"), ("/ok\n/x", "/"),
    ])
    func signInRedirectsOnlyToLocalPaths(next: String, target: String) {
        #expect(LocalRedirect.target(next) == target)
    }

    @Test func signInFollowsALocalNextButNotAnotherHost() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            for (next, location) in [("%2Fcontacts", "/contacts"), ("%2F%5Cevil.example", "/"), ("%2F%2Fevil.example", "/")] {
                let response = try await client.client.execute(
                    uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "email=alice%40example.com&password=\(URLText.encode(PageHarness.password))&next=\(next)"))
                #expect(response.headers[.location] == location)
            }
        }
    }

    @Test func formBodyOverTheLimitIsA413PageAndSavesNothing() async throws {
        let h = try await PageHarness.make()
        try await h.run { client in
            let token = try await client.csrfToken()
            let response = try await client.post("/opportunities/new", [
                ("csrf", token), ("f.name", "Huge"), ("f.stage", "Proposal"),
                ("f.description", String(repeating: "x", count: WebContext.maxBodyBytes)),
            ])
            #expect(response.status == .contentTooLarge)
            #expect(response.text.contains("larger than 256 KiB"))
            #expect(try await h.crm.records(in: .opportunities, matching: .init(search: "Huge")).total == 0)
        }
    }

    @Test func jsonNestedTooDeeplyIsA400() async throws {
        let h = try await APIHarness.make()
        try await h.run { client in
            let deep = "{\"fields\": {\"name\": " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}}"
            let response = try await client.post("/api/v1/accounts", deep)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage.contains("nests deeper than"))
        }
    }
}
