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
        let new = try await newMessage(message)
        let info = try await destination(name)
        try await checkQuota(adding: 1, bytes: new.raw.count)
        let (uidValidity, uid) = if let origin {
            try await store.append(new, to: info.id, origin: origin)
        } else {
            try await store.append(new, to: info.id)
        }
        if info.id == selected?.id { selected?.appendedInThisAnswer = true }
        try await ok(tag, "APPEND completed", code: .appendUID(uidValidity: uidValidity, UIDSet([uid])))
    }

    /// MULTIAPPEND (RFC 3502): every message or none, in one transaction, one APPENDUID
    /// with their UIDs. Each is checked as a single APPEND is first.
    func append(tag: String, name: String, messages: [AppendMessage]) async throws {
        var new: [NewMessage] = []
        for message in messages { new.append(try await newMessage(message, number: new.count + 1)) }
        let info = try await destination(name)
        try await checkQuota(adding: new.count, bytes: new.reduce(0) { $0 + $1.raw.count })
        let (uidValidity, uids) = try await store.append(new, to: info.id)
        if info.id == selected?.id { selected?.appendedInThisAnswer = true }
        try await ok(tag, "APPEND completed", code: .appendUID(uidValidity: uidValidity, UIDSet(uids)))
    }

    /// An APPENDed message as the store takes it: its octets (CATENATE's parts joined), not
    /// empty and within the size limit, with NUL octets (sent as literal8) in a form an IMAP
    /// literal may carry; `number` names it among a MULTIAPPEND's.
    private func newMessage(_ message: AppendMessage, number: Int? = nil) async throws -> NewMessage {
        let data = try await data(of: message)
        let which = number.map { "Message \($0)" } ?? "Message"
        guard !data.isEmpty else { throw CommandFailure(text: "Cannot store an empty message\(number.map { " (message \($0))" } ?? "")") }
        guard data.count <= configuration.maxMessageBytes else {
            throw CommandFailure(code: .tooBig, text: "\(which) exceeds the limit of \(configuration.maxMessageBytes) bytes")
        }
        let date = message.date.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSince1970)) } ?? Date()
        return NewMessage(raw: SevenBitConversion.safe(data), flags: message.flags.map(\.rawValue), internalDate: date,
                          internalZoneMinutes: message.date?.timeZoneOffsetMinutes ?? 0)
    }

    /// The message's octets: as sent, or (CATENATE, RFC 4469) its parts joined, each URL
    /// (RFC 5092) read from the user's own mailboxes; a URL that leads nowhere is
    /// NO [BADURL], a result over the size limit NO [TOOBIG].
    func data(of message: AppendMessage) async throws -> [UInt8] {
        guard let parts = message.catenate else { return message.data }
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case .text(let bytes): out += bytes
            case .url(let text): out += try await bytes(at: text)
            }
            guard out.count <= configuration.maxMessageBytes else {
                throw CommandFailure(code: .tooBig, text: "The catenated message exceeds the limit of \(configuration.maxMessageBytes) bytes")
            }
        }
        return out
    }

    private func bytes(at text: String) async throws -> [UInt8] {
        func bad(_ reason: String) -> CommandFailure {
            CommandFailure(code: .other("BADURL", text), text: "Cannot use the URL: \(reason)")
        }
        guard let url = IMAPURL(text) else { throw bad("it is not an IMAP URL to a message (/mailbox;UIDVALIDITY=n/;UID=n)") }
        guard let info = try? await store.mailbox(of: try userID, named: url.mailbox) else { throw bad("no mailbox \(url.mailbox)") }
        if let validity = url.uidValidity, validity != info.uidValidity { throw bad("the mailbox's UIDVALIDITY is not \(validity) any more") }
        guard let stored = try await store.storedMessage(in: info.id, uid: url.uid) else { throw bad("no message with UID \(url.uid)") }
        do {
            guard let bytes = try await sectionBytes(url.section.part, url.section.kind, url.partial, of: stored) else {
                throw bad("the message has no such section")
            }
            return bytes
        } catch is MessageVanished {
            throw bad("the message was expunged meanwhile")
        }
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
