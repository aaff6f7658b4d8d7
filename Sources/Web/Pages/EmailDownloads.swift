import CRM
import EmbeddedCRM
import Foundation
import Hummingbird

/// `/emails/<id>/raw` (the archived message as `message/rfc822`) and
/// `/emails/<id>/attachments/<attachmentId>` (one attached file), both as downloads so
/// that the browser never renders mail content inside the CRM's pages (a sandboxing CSP
/// of their own; `nosniff` comes with every answer from `SecurityHeaders`).
struct EmailDownloads: Sendable {
    let crm: EmbeddedCRM

    func rawMessage(emailID: String, for identity: Identity) async throws -> Response {
        try await checkVisible(emailID, identity)
        guard let bytes = try await crm.rawMessage(ofEmail: RecordID(emailID)) else {
            throw PageError.notFound("There is no archived email \(emailID).")
        }
        return Self.download(bytes, contentType: "message/rfc822", filename: "email-\(emailID).eml")
    }

    func attachment(emailID: String, for identity: Identity, attachmentID: String) async throws -> Response {
        try await checkVisible(emailID, identity)
        // The attachment must belong to the email named in the URL.
        guard let id = Int64(attachmentID), let attachment = try await crm.attachment(id: id, ofEmail: RecordID(emailID)) else {
            throw PageError.notFound("Email \(emailID) has no attachment \(attachmentID).")
        }
        return Self.download(attachment.data, contentType: Self.safeContentType(attachment.contentType),
                             filename: attachment.filename)
    }

    /// A 404 for an email that does not exist or that the user may not read.
    private func checkVisible(_ emailID: String, _ identity: Identity) async throws {
        guard let email = try await crm.archivedEmail(id: RecordID(emailID)),
              try await ScopedCRM(crm: crm, identity: identity).canSee(email) else {
            throw PageError.notFound("There is no archived email \(emailID).")
        }
    }

    static func download(_ bytes: [UInt8], contentType: String, filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.contentDisposition] = contentDisposition(filename: filename)
        headers[.contentSecurityPolicy] = "sandbox; default-src 'none'"
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 section 4.3,
    /// RFC 8187): old clients read the ASCII name, others the exact one.
    static func contentDisposition(filename: String) -> String {
        let name = filename.isEmpty ? "attachment" : filename
        let ascii = String(name.unicodeScalars.map { scalar -> Character in
            guard scalar.isASCII, scalar.value >= 0x20, scalar.value != 0x7F, scalar != "\"", scalar != "\\" else { return "_" }
            return Character(scalar)
        })
        let exact = name.addingPercentEncoding(withAllowedCharacters: rfc8187AttrChar) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(exact)"
    }

    /// The stored type when it is a plain `type/subtype` (parameters allowed); anything
    /// that could smuggle header text becomes `application/octet-stream`.
    static func safeContentType(_ type: String) -> String {
        let trimmed = type.trimmingCharacters(in: .whitespaces)
        let essence = trimmed.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(token.contains) }),
              trimmed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }) else {
            return "application/octet-stream"
        }
        return trimmed
    }

    private static let rfc8187AttrChar = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
}
