import Foundation
import IMAPCore
import MailStore
import MIMECore

extension LocalBackend {
    /// APPEND (RFC 9051 §6.3.12) with UIDPLUS's APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).
    /// The message is committed to the store before the tagged OK.
    /// In proxy mode a message appended to a drop folder goes to the upstream INBOX once
    /// processed, not to a local one.
    func append(tag: String, name: String, message: AppendMessage) async throws {
        try await append(tag: tag, name: name, message: message, origin: crmTreeOnly ? UpstreamOrigin(folder: "INBOX") : nil)
    }

    /// APPEND into a local mailbox; `origin` says where a drop goes back to in proxy mode.
    private func append(tag: String, name: String, message: AppendMessage, origin: UpstreamOrigin?) async throws {
        guard !message.data.isEmpty else { throw CommandFailure(text: "Cannot store an empty message") }
        guard message.data.count <= configuration.maxMessageBytes else {
            throw CommandFailure(code: .tooBig, text: "Message exceeds the limit of \(configuration.maxMessageBytes) bytes")
        }
        let info = try await destination(name)
        try await checkQuota(adding: 1, bytes: message.data.count)
        let date = message.date.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSince1970)) } ?? Date()
        let zone = message.date?.timeZoneOffsetMinutes ?? 0
        // A message with NUL octets (sent as literal8) is stored in a form an IMAP literal may carry.
        let new = NewMessage(raw: SevenBitConversion.safe(message.data), flags: message.flags.map(\.rawValue), internalDate: date, internalZoneMinutes: zone)
        let (uidValidity, uid) = if let origin {
            try await store.append(new, to: info.id, origin: origin)
        } else {
            try await store.append(new, to: info.id)
        }
        try await ok(tag, "APPEND completed", code: .appendUID(uidValidity: uidValidity, UIDSet([uid])))
    }

    /// MULTIAPPEND (RFC 3502): every message or none, in one transaction, one APPENDUID
    /// with their UIDs. Each is checked as a single APPEND is first.
    func append(tag: String, name: String, messages: [AppendMessage]) async throws {
        var new: [NewMessage] = []
        for message in messages {
            guard !message.data.isEmpty else { throw CommandFailure(text: "Cannot store an empty message (message \(new.count + 1))") }
            guard message.data.count <= configuration.maxMessageBytes else {
                throw CommandFailure(code: .tooBig, text: "Message \(new.count + 1) exceeds the limit of \(configuration.maxMessageBytes) bytes")
            }
            let date = message.date.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSince1970)) } ?? Date()
            new.append(NewMessage(raw: SevenBitConversion.safe(message.data), flags: message.flags.map(\.rawValue), internalDate: date,
                                  internalZoneMinutes: message.date?.timeZoneOffsetMinutes ?? 0))
        }
        let info = try await destination(name)
        try await checkQuota(adding: new.count, bytes: new.reduce(0) { $0 + $1.raw.count })
        let (uidValidity, uids) = try await store.append(new, to: info.id)
        try await ok(tag, "APPEND completed", code: .appendUID(uidValidity: uidValidity, UIDSet(uids)))
    }

    /// The mailbox a message goes to (APPEND, COPY, MOVE); NO [TRYCREATE] when it does not
    /// exist, so that clients offer to create it (RFC 9051 §6.3.12), and NO [CANNOT] for a
    /// folder of CRM summaries.
    func destination(_ name: String) async throws -> MailboxInfo {
        do {
            return try await store.writableMailbox(of: try userID, named: name)
        } catch MailStoreError.mailboxNotFound {
            throw CommandFailure(code: .tryCreate, text: "Mailbox \"\(name)\" does not exist")
        }
    }
}
