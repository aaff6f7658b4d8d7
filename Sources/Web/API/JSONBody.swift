import CRM
import Foundation
import Hummingbird

/// Reads an API request body: at most `maxBytes`, JSON, and a JSON object. Each way it
/// can fail is a 4xx `APIError` that says what was wrong and, for bad JSON, where.
enum JSONBody {
    /// Records are small; 256 KiB holds a long description with room to spare.
    static let maxBytes = 256 * 1024

    static func object(from request: Request) async throws -> [String: JSONValue] {
        if let type = request.headers[.contentType], !isJSON(type) {
            throw APIError(.unsupportedMediaType, "the body must be JSON sent with Content-Type: application/json, not \(type)")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw tooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge
        }
        return try object(from: Data(buffer.readableBytesView))
    }

    /// Parses `data` as one JSON object.
    static func object(from data: Data) throws(APIError) -> [String: JSONValue] {
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw APIError(.badRequest, "the request has no body; send a JSON object such as {\"fields\": {…}}")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON: \(error); fix it there")
        }
        guard case .object(let object) = value else {
            throw APIError(.badRequest, "the body must be a JSON object such as {\"fields\": {…}}, not \(value.kindDescription)")
        }
        return object
    }

    private static let tooLarge = APIError(
        .contentTooLarge, "the body is larger than \(maxBytes / 1024) KiB, the most the API accepts for one record; shorten the long text fields")

    private static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
