import Foundation
import IMAPCore
import MailStore

extension Session {
    /// APPEND (RFC 9051 §6.3.12) with UIDPLUS's APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).
    /// The message is committed to the store before the tagged OK.
    func append(tag: String, name: MailboxName, message: AppendMessage) async throws {
        try await appendToCRMFolder(tag: tag, name: name, message: message, origin: nil)
    }

    /// APPEND into a local mailbox; `origin` says where a drop goes back to in proxy mode.
    func appendToCRMFolder(tag: String, name: MailboxName, message: AppendMessage, origin: UpstreamOrigin?) async throws {
        guard let user else { return }
        guard !message.data.isEmpty else { throw CommandFailure(text: "Cannot store an empty message") }
        guard message.data.count <= configuration.maxMessageBytes else {
            throw CommandFailure(code: .tooBig, text: "Message exceeds the limit of \(configuration.maxMessageBytes) bytes")
        }
        let info = try await destination(name, of: user.id)
        let date = message.date.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSince1970)) } ?? Date()
        let zone = message.date?.timeZoneOffsetMinutes ?? 0
        let new = NewMessage(raw: message.data, flags: message.flags.map(\.rawValue), internalDate: date, internalZoneMinutes: zone)
        let (uidValidity, uid) = if let origin {
            try await store.append(new, to: info.id, origin: origin)
        } else {
            try await store.append(new, to: info.id)
        }
        try await ok(tag, "APPEND completed", code: .appendUID(uidValidity: uidValidity, UIDSet([uid])))
    }

    /// The mailbox a message goes to (APPEND, COPY, MOVE); NO [TRYCREATE] when it does not
    /// exist, so that clients offer to create it (RFC 9051 §6.3.12), and NO [CANNOT] for a
    /// folder of CRM summaries.
    func destination(_ name: MailboxName, of user: UserID) async throws -> MailboxInfo {
        let decoded = try decodeName(name)
        do {
            return try await store.writableMailbox(of: user, named: decoded)
        } catch MailStoreError.mailboxNotFound {
            throw CommandFailure(code: .tryCreate, text: "Mailbox \"\(decoded)\" does not exist")
        }
    }
}
