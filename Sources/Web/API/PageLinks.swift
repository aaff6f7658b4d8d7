import CRM
import Foundation
import Hummingbird

/// The URLs of a list page's neighbours, with the request's other parameters kept and
/// `limit` and `offset` set: the `next` and `previous` fields of a list answer and its
/// `Link` header (RFC 8288).
struct PageLinks {
    var next: String?
    var previous: String?

    /// `base` is the list's absolute URL without a query; `hasMore` whether records follow this page.
    init(base: String, request: Request, limit: Int, offset: Int, hasMore: Bool) {
        let kept = FormValues.pairs(request.uri.query).filter { !["offset", "page", "limit"].contains($0.name) }
        func url(offset: Int) -> String {
            base + "?" + URLText.query(kept.map { ($0.name, $0.value) } + [("limit", String(limit)), ("offset", String(offset))])
        }
        next = hasMore ? url(offset: offset + limit) : nil
        previous = offset > 0 ? url(offset: max(0, offset - limit)) : nil
    }

    /// The fields of a list answer.
    var fields: [String: JSONValue] {
        ["next": next.map(JSONValue.string) ?? .null, "previous": previous.map(JSONValue.string) ?? .null]
    }

    /// A list answer: `body` with `next` and `previous`, and the `Link` header.
    func response(_ body: [String: JSONValue]) throws -> Response {
        var response = try Response.json(.object(body.merging(fields) { first, _ in first }))
        apply(to: &response)
        return response
    }

    /// Sets the `Link` header when there is a neighbour.
    private func apply(to response: inout Response) {
        let links = [next.map { "<\($0)>; rel=\"next\"" }, previous.map { "<\($0)>; rel=\"prev\"" }].compactMap { $0 }
        if !links.isEmpty { response.headers[.link] = links.joined(separator: ", ") }
    }
}
