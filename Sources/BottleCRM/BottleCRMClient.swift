import AsyncHTTPClient
import CRM
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// How to reach one BottleCRM server.
public struct BottleCRMSettings: Sendable {
    /// The server's base URL (`https://crm.example.com`); the API is under `/api/`.
    public var url: URL
    /// A personal access token (`bcrm_pat_…`), sent as a bearer token. Never logged.
    public var token: String
    /// PEM file of the certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// How long one request may take.
    public var timeout: Duration
    /// How old a module's copy may be before a read fetches it again (the poll interval).
    public var pollInterval: Duration
    /// Rows per page when a module is listed whole.
    public var pageSize: Int

    public init(url: URL, token: String, caFile: String? = nil, timeout: Duration = .seconds(30), pollInterval: Duration = .seconds(60),
                pageSize: Int = 500) {
        self.url = url; self.token = token; self.caFile = caFile; self.timeout = timeout; self.pollInterval = pollInterval
        self.pageSize = max(1, pageSize)
    }
}

/// Requests to BottleCRM's REST API over AsyncHTTPClient: bearer token, JSON both ways,
/// bounded answers, and every failure turned into a `CRMError` of the right class.
///
/// 5xx answers, timeouts and refused connections are transient; 429 waits for a short
/// `Retry-After` and tries again, else is transient; 401 and 403 are permanent and say what
/// is wrong with the token; 400 is permanent and quotes BottleCRM's message; 404 is `nil`.
public final class BottleCRMClient: Sendable {
    public let settings: BottleCRMSettings
    let http: HTTPClient
    private let ownsClient: Bool
    private let sent = Mutex(0)
    /// The largest answer read: a page of 1,000 records fits well within it.
    static let maxBody = 32 << 20

    /// Uses `http` when given (the caller shuts it down), else makes one of its own.
    public init(settings: BottleCRMSettings, http: HTTPClient? = nil) {
        self.settings = settings
        if let http {
            self.http = http
            ownsClient = false
        } else {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let ca = settings.caFile, !ca.isEmpty { tls.trustRoots = .file(ca) }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
            let seconds = Int64(settings.timeout.components.seconds)
            configuration.timeout = .init(connect: .seconds(min(10, max(1, seconds))), read: .seconds(max(1, seconds)))
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 8)
            self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsClient = true
        }
    }

    public func shutdown() async throws {
        if ownsClient { try await http.shutdown() }
    }

    /// Requests sent so far (the benchmark's "HTTP requests per drop").
    public var requestCount: Int { sent.withLock { $0 } }

    /// What an answer says; `nil` body for 204.
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var json: JSONValue?

        /// When BottleCRM answered, by its own clock (the `Date` header).
        var date: Date? { headers.first(name: "Date").flatMap(BottleCRMClient.httpDate) }
    }

    func get(_ path: String, query: [(String, String)] = []) async throws(CRMError) -> JSONValue? {
        try await send(.GET, path, query: query).json
    }

    func post(_ path: String, _ body: JSONValue) async throws(CRMError) -> JSONValue? {
        try await send(.POST, path, body: body).json
    }

    func patch(_ path: String, _ body: JSONValue) async throws(CRMError) -> JSONValue? {
        try await send(.PATCH, path, body: body).json
    }

    /// Deletes; false when there was nothing to delete (404).
    /// Sends one request, waiting out short rate limits; a 404 (and with `refusalIsAnswer` a
    /// 400) comes back as an answer, every other failure as a `CRMError`.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
              refusalIsAnswer: Bool = false) async throws(CRMError) -> Answer {
        var attempt = 0
        while true {
            let answer = try await once(method, path, query: query, body: body)
            if answer.status == 429, attempt < 2, let wait = Self.retryAfter(answer.headers), wait <= 10 {
                attempt += 1
                try? await Task.sleep(for: .seconds(wait))
                continue
            }
            try Self.check(answer, method: method, path: path, refusalIsAnswer: refusalIsAnswer)
            return answer
        }
    }

    private func once(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONValue?) async throws(CRMError) -> Answer {
        var components = URLComponents(url: settings.url, resolvingAgainstBaseURL: false)
        let base = (components?.path ?? "").trimmingSuffix("/")
        components?.path = base + path
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url else { throw CRMError(.permanent, "BottleCRM: \(path) does not make a URL with \(settings.url)") }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(settings.token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalData))
        }
        sent.withLock { $0 += 1 }
        let timeout = TimeAmount.seconds(Int64(max(1, settings.timeout.components.seconds)))
        do {
            let response = try await http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: Self.maxBody)
            let json: JSONValue?
            if bytes.readableBytes == 0 {
                json = nil
            } else if let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView)) {
                json = decoded
            } else {
                // An HTML error page (a proxy's 502, Django's debug page): keep its first words.
                json = .string(String(decoding: bytes.readableBytesView.prefix(300), as: UTF8.self))
            }
            return Answer(status: Int(response.status.code), headers: response.headers, json: json)
        } catch let error as NIOTooManyBytesError {
            throw CRMError(.transient, "BottleCRM's answer to \(method) \(path) is larger than \(Self.maxBody >> 20) MiB (\(error))")
        } catch {
            throw CRMError(.transient, "BottleCRM at \(settings.url.host ?? "?") is unreachable (\(Self.describe(error))); will retry")
        }
    }

    /// Seconds from a `Retry-After` header (seconds or an HTTP date).
    static func retryAfter(_ headers: HTTPHeaders) -> Double? {
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        return httpDate(value).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// An HTTP date (`Sun, 06 Dec 2026 16:46:56 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// Turns an unsuccessful answer into the `CRMError` a caller and a user can act on.
    static func check(_ answer: Answer, method: HTTPMethod, path: String, refusalIsAnswer: Bool) throws(CRMError) {
        let status = answer.status
        if (200..<300).contains(status) || status == 404 || (refusalIsAnswer && status == 400) { return }
        let detail = message(in: answer.json)
        // BottleCRM answers an unknown, expired or revoked token with 403 and these words.
        let tokenRefused = status == 403 && (detail.map { $0.contains("Organization context is required") || $0 == "Invalid token" } ?? false)
        if status == 401 || tokenRefused {
            throw CRMError(.permanent, "BottleCRM refused crmgate's access token (\(status)\(detail.map { ": \($0)" } ?? "")). It is invalid, expired or revoked: an administrator of crmgate must create a new personal access token in BottleCRM and put it in the file [crm] token_file names.")
        }
        switch status {
        case 403:
            throw CRMError(.permanent, "BottleCRM does not allow crmgate's token to \(verb(method)) \(path) (403\(detail.map { ": \($0)" } ?? "")). Give the token's profile the permission (or the token the scope) this needs.")
        case 429:
            let wait = retryAfter(answer.headers).map { " for \(Int($0.rounded(.up))) s" } ?? ""
            throw CRMError(.transient, "BottleCRM asks crmgate to slow down (429)\(wait); will retry", retryAfter: retryAfter(answer.headers))
        case 400, 409, 422:
            let (field, text) = validationMessage(in: answer.json)
            throw CRMError(.permanent, "BottleCRM refused the \(noun(path)) (\(text))", field: field)
        case 500...:
            throw CRMError(.transient, "BottleCRM answered \(status) to \(method) \(path)\(detail.map { " (\($0))" } ?? ""); will retry")
        default:
            throw CRMError(.permanent, "BottleCRM answered \(status) to \(method) \(path)\(detail.map { ": \($0)" } ?? "")")
        }
    }

    /// BottleCRM's own words: `detail`, `error`, `message`, or the first string it sent.
    static func message(in json: JSONValue?) -> String? {
        guard let json else { return nil }
        for key in ["detail", "error", "message", "errors"] {
            if let text = firstText(json[key]) { return text }
        }
        return firstText(json)
    }

    private static func firstText(_ json: JSONValue) -> String? {
        switch json {
        case .string(let text): return text.isEmpty ? nil : String(text.prefix(300))
        case .array(let items): return items.lazy.compactMap(firstText).first
        case .object(let object):
            for key in object.keys.sorted() { if let text = object[key].flatMap(firstText) { return text } }
            return nil
        default: return nil
        }
    }

    /// A validation answer (`{"field": ["message"]}`, maybe under `errors`) as the API field
    /// it names and a sentence quoting BottleCRM.
    static func validationMessage(in json: JSONValue?) -> (field: String?, text: String) {
        var body = json
        if let errors = json?["errors"], errors.object != nil { body = errors }
        if let object = body?.object {
            for key in object.keys.sorted() where !["detail", "error", "message", "status"].contains(key) {
                if let text = object[key].flatMap(firstText) { return (key == "non_field_errors" ? nil : key, key == "non_field_errors" ? text : "\(key): \(text)") }
            }
        }
        return (nil, message(in: json) ?? "it did not say why")
    }

    private static func verb(_ method: HTTPMethod) -> String {
        switch method {
        case .GET: "read"
        case .POST: "create"
        case .PATCH, .PUT: "change"
        case .DELETE: "delete"
        default: "use"
        }
    }

    /// What a request to `path` makes or changes, as a user says it.
    private static func noun(_ path: String) -> String {
        let names = ["opportunities": "opportunity", "cases": "case", "leads": "lead", "contacts": "contact", "accounts": "account",
                     "tasks": "task", "interactions": "archived email", "custom-fields": "custom field"]
        let resource = path.split(separator: "/").first { $0 != "api" }.map(String.init) ?? ""
        return names[resource] ?? "request"
    }

    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "the connection timed out"
            case .readTimeout, .deadlineExceeded: return "the answer timed out"
            case .remoteConnectionClosed: return "the connection was closed"
            default: return "\(client)"
            }
        }
        return "\(error)"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
