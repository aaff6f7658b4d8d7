@testable import BottleCRM
import CRM
import NIOHTTP1
import Testing

/// Every BottleCRM answer that is not a success becomes a `CRMError` of the right class,
/// in words an administrator or user can act on.
@Suite("BottleCRM answers as CRM errors")
struct ErrorClassTests {
    func error(_ status: Int, _ json: JSONValue?, headers: HTTPHeaders = [:], method: HTTPMethod = .POST,
               path: String = "/api/opportunities/") -> CRMError? {
        do {
            try BottleCRMClient.check(.init(status: status, headers: headers, json: json), method: method, path: path, refusalIsAnswer: false)
            return nil
        } catch {
            return error
        }
    }

    @Test func successAndNotFoundAreAnswers() {
        #expect(error(200, nil) == nil)
        #expect(error(204, nil) == nil)
        #expect(error(404, .object(["detail": .string("No Lead matches the given query.")])) == nil)
    }

    @Test func serverErrorsAreTransient() throws {
        let failure = try #require(error(500, .string("<h1>Server Error (500)</h1>")))
        #expect(failure.isTransient)
        #expect(failure.message.contains("500") && failure.message.contains("will retry"))
        #expect(try #require(error(503, nil)).isTransient)
    }

    @Test func aRevokedTokenIsPermanentAndSaysWhatToDo() throws {
        let failure = try #require(error(403, .object(["detail": .string("Organization context is required. Please login again.")])))
        #expect(!failure.isTransient)
        #expect(failure.message.contains("access token") && failure.message.contains("token_file"))
        #expect(try #require(error(401, nil)).message.contains("access token"))
    }

    @Test func aMissingScopeIsPermanentAndNamesIt() throws {
        let failure = try #require(error(403, .object(["detail": .string("This token is not scoped for write access to leads. It needs the leads:write scope.")]),
                                         path: "/api/leads/"))
        #expect(!failure.isTransient)
        #expect(failure.message.contains("leads:write"))
    }

    @Test func aValidationErrorQuotesBottleCRMAndNamesTheField() throws {
        let failure = try #require(error(400, .object(["error": .bool(true), "errors": .object([
            "stage": .array([.string("That is not a stage of this deal's pipeline.")]),
        ])])))
        #expect(!failure.isTransient)
        #expect(failure.field == "stage")
        #expect(failure.message == "BottleCRM refused the opportunity (stage: That is not a stage of this deal's pipeline.)")
    }

    @Test func tooManyRequestsIsTransientAndKeepsRetryAfter() throws {
        let failure = try #require(error(429, .object(["detail": .string("Request was throttled.")]), headers: ["Retry-After": "120"]))
        #expect(failure.isTransient)
        #expect(failure.retryAfter == 120)
        #expect(failure.message.contains("120 s"))
    }
}
