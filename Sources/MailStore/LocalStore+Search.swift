import Foundation
import GRDB
import MIMECore

/// One message as SEARCH sees it; `content` only when the search looks into headers or bodies.
public struct SearchableMessage: Sendable {
    public var state: MessageState
    public var internalDate: Date
    /// The internal date's zone, minutes east of UTC (its calendar day is the one in that zone).
    public var internalZoneMinutes = 0
    /// The stored body (shared by copies): the message's EMAILID (RFC 8474).
    public var bodyID: Int64 = 0
    /// When it was saved into its mailbox (RFC 8514); nil when not known.
    public var savedAt: Date?
    public var size: Int
    /// Its header fields as header searches read them (with `SearchDepth.fields` and up).
    public var fields: SearchFields?
    /// The decoded text of its text parts, as BODY searches read it (with `SearchDepth.bodyText` and up).
    public var bodyText: String?
    /// Its bytes and parsed index (with `SearchDepth.content`: TEXT).
    public var content: (raw: [UInt8], index: MessageIndex)?
}

/// How much of each message a search reads: its state only (flags, dates, size), also its
/// header fields, also its body text, or also its bytes.
public enum SearchDepth: Int, Sendable, Comparable {
    case state, fields, bodyText, content

    public static func < (a: SearchDepth, b: SearchDepth) -> Bool { a.rawValue < b.rawValue }
}

/// A condition every match of a search meets, checked by SQLite before a message is read
/// into Swift: the stored header fields (`fields`) or body text (`bodyText`) contain
/// `needle` (ASCII) with ASCII case folded (SQLite's `lower`). A text beyond ASCII always
/// passes (Unicode case folding can turn such a character into an ASCII letter, e.g. the
/// Kelvin sign), so the prefilter never drops a match; the predicate still decides.
public struct SearchPrefilter: Sendable, Equatable {
    public enum Text: Sendable { case fields, bodyText }
    public var text: Text
    public var needle: String

    public init?(_ text: Text, needle: [UInt8]) {
        guard !needle.isEmpty, needle.allSatisfy({ $0 < 0x80 && $0 != 0 }) else { return nil }
        self.text = text
        self.needle = String(decoding: needle, as: UTF8.self)
    }

    var column: String { text == .fields ? "s.text" : "s.bodyText" }
}

extension LocalStore {
    /// UIDs of the messages for which `predicate` holds, ascending. Messages are visited
    /// one at a time from a cursor, so at most one message body is in memory; with a
    /// `prefilter`, only those that pass it.
    public func uids(in mailbox: MailboxID, depth: SearchDepth, prefilter: SearchPrefilter? = nil,
                     where predicate: @escaping @Sendable (SearchableMessage) -> Bool) async throws -> [UInt32] {
        let depth = max(depth, prefilter == nil ? .state : prefilter!.text == .fields ? .fields : .bodyText)
        return try await wholeMailboxRead([Self.sizeKey(mailbox)]) { db in
            let columns = (depth >= .fields ? ", s.text" : "") + (depth >= .bodyText ? ", s.bodyText" : "")
                + (depth >= .content ? ", b.size, b.messageIndex" : "")
            let join = (depth >= .fields ? " LEFT JOIN searchFields s ON s.bodyId = m.bodyId" : "")
                + (depth >= .content ? " JOIN body b ON b.id = m.bodyId" : "")
            var condition = ""
            var arguments: StatementArguments = [mailbox.rawValue]
            if let prefilter {
                let column = prefilter.column
                // length() counts characters, of a blob bytes: they differ when the text is not all ASCII.
                condition = " AND (\(column) IS NULL OR instr(lower(\(column)), ?) > 0 OR length(\(column)) <> length(CAST(\(column) AS BLOB)))"
                arguments += [prefilter.needle.lowercased()]
            }
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT m.uid, m.flags, m.modSeq, m.internalDate, m.internalZone, m.size, m.bodyId, m.savedAt\(columns)
                FROM message m\(join) WHERE m.mailboxId = ?\(condition) ORDER BY m.uid
                """), arguments: arguments)
            var matches: [UInt32] = []
            var seen = 0
            while let row = try cursor.next() {
                seen += 1
                // By position (see `LocalStore.state`): uid, flags, modSeq, internalDate, internalZone,
                // size, bodyId, savedAt, then the search fields, the body text, the body's size and its stored index.
                var message = SearchableMessage(state: Self.state(row), internalDate: Date(timeIntervalSince1970: TimeInterval(row[3] as Int64)),
                                                size: row[5], content: nil)
                message.internalZoneMinutes = row[4]
                message.bodyID = row[6]
                message.savedAt = (row[7] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
                if depth >= .fields { message.fields = (row[8] as String?).map(SearchFields.init(text:)) }
                if depth >= .bodyText { message.bodyText = row[9] }
                if depth >= .content {
                    let index = try BodyRecord.index(in: row, at: 11)
                    message.content = (try BodyChunks.read(db, bodyId: message.bodyID, range: 0..<(row[10] as Int)), index)
                }
                // Every body has its fields (schema v10) and text (v12); should one lack them, they are made from its bytes.
                if depth >= .fields, message.fields == nil || (depth >= .bodyText && message.bodyText == nil) {
                    let content = try message.content ?? Self.content(db, bodyId: message.bodyID)
                    message.fields = message.fields ?? SearchFields(index: content.index, raw: content.raw)
                    if depth >= .bodyText { message.bodyText = message.bodyText ?? content.index.searchableText(in: content.raw) }
                }
                if predicate(message) { matches.append(message.state.uid) }
            }
            // With a prefilter, the messages seen are not the mailbox's size.
            return (matches, prefilter == nil ? seen : nil)
        }
    }

    private static func content(_ db: Database, bodyId: Int64) throws -> (raw: [UInt8], index: MessageIndex) {
        guard let row = try Row.fetchOne(db, sql: "SELECT size, messageIndex FROM body WHERE id = ?", arguments: [bodyId]) else {
            return ([], MessageIndex.parse([]))
        }
        return (try BodyChunks.read(db, bodyId: bodyId, range: 0..<(row[0] as Int)), try BodyRecord.index(in: row, at: 1))
    }
}
