import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// How many requests a transport (and its copies) sent: the figure the benchmarks and
/// `crmgate sync` show, since "one request when nothing changed" is a goal.
public final class DAVRequestCounter: Sendable {
    private let count = Mutex(0)
    public init() {}
    public var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

/// How to reach one account on a DAV server.
public struct DAVAccount: Hashable, Sendable {
    /// Where discovery starts: the server's root or the account's own collection URL.
    public var url: URL
    public var username: String
    public var password: String

    public init(url: URL, username: String, password: String) {
        self.url = url
        self.username = username
        self.password = password
    }
}

/// An HTTP answer of a DAV server, body read whole (bounded).
public struct DAVResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var url: URL

    /// The `ETag` header, as the server wrote it (quotes included).
    public var etag: String? { headers.first(name: "ETag") }
}

/// Requests to one DAV account over AsyncHTTPClient: Basic authentication, a timeout,
/// bodies bounded, redirects answered by the caller (a PROPFIND must stay a PROPFIND).
public struct DAVTransport: Sendable {
    public let account: DAVAccount
    let http: HTTPClient
    let timeout: TimeAmount
    /// The Basic `Authorization` header value, made once.
    private let authorization: String
    /// Requests sent so far.
    public let requests = DAVRequestCounter()
    /// The largest answer read: a first listing of many thousand items fits well within it.
    public static let maxBody = 64 << 20

    public init(account: DAVAccount, http: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.account = account
        self.http = http
        self.timeout = timeout
        authorization = "Basic " + Data("\(account.username):\(account.password)".utf8).base64EncodedString()
    }

    /// The form hrefs are kept and compared in: the path, percent-decoded. Servers encode
    /// differently (`%40` or `@`), and an href written by us must match the one listed later.
    public func canonical(_ href: String) -> String {
        if href.hasPrefix("http://") || href.hasPrefix("https://"), let url = URL(string: href) {
            return URLComponents(url: url, resolvingAgainstBaseURL: false)?.path ?? url.path
        }
        return href.removingPercentEncoding ?? href
    }

    /// `href` (a path, encoded or canonical, or a URL) on the account's server.
    public func resolve(_ href: String) throws(DAVError) -> URL {
        var components = URLComponents(url: account.url, resolvingAgainstBaseURL: true)
        components?.path = canonical(href)
        components?.query = nil
        guard let url = components?.url else {
            throw .protocolViolation("\"\(href.prefix(200))\" is not a URL")
        }
        return url
    }

    /// Sends a request; `body` goes as `contentType` (WebDAV XML unless said otherwise).
    public func send(_ method: String, _ url: URL, body: [UInt8]? = nil, contentType: String = "application/xml; charset=utf-8",
                     headers extra: [(String, String)] = []) async throws(DAVError) -> DAVResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "User-Agent", value: "crmgate")
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        let response: HTTPClientResponse
        let collected: ByteBuffer
        requests.increment()
        do {
            response = try await http.execute(request, timeout: timeout)
            collected = try await response.body.collect(upTo: Self.maxBody)
        } catch {
            throw .unreachable("\(method) \(url.absoluteString): \(error)")
        }
        let status = Int(response.status.code)
        if status == 401 { throw .unauthorized(url: url.absoluteString) }
        return DAVResponse(status: status, headers: response.headers, body: Array(collected.readableBytesView), url: url)
    }
}
