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
    public var content: (raw: [UInt8], index: MessageIndex)?
}

extension LocalStore {
    /// UIDs of the messages for which `predicate` holds, ascending. Messages are visited
    /// one at a time from a cursor, so at most one message body is in memory.
    public func uids(in mailbox: MailboxID, loadContent: Bool,
                     where predicate: @escaping @Sendable (SearchableMessage) -> Bool) async throws -> [UInt32] {
        try await pool.read { db in
            let columns = loadContent ? ", b.id AS bodyId, b.size AS bodySize, b.indexJSON" : ""
            let join = loadContent ? "JOIN body b ON b.id = m.bodyId" : ""
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT m.uid, m.flags, m.modSeq, m.internalDate, m.internalZone, m.size, m.bodyId AS messageBodyId, m.savedAt\(columns)
                FROM message m \(join) WHERE m.mailboxId = ? ORDER BY m.uid
                """, arguments: [mailbox.rawValue])
            let decoder = JSONDecoder()
            var matches: [UInt32] = []
            while let row = try cursor.next() {
                var message = SearchableMessage(
                    state: MessageState(uid: UInt32(truncatingIfNeeded: row["uid"] as Int64),
                                        flags: FlagList.decode(row["flags"]), modSeq: UInt64(row["modSeq"] as Int64)),
                    internalDate: Date(timeIntervalSince1970: TimeInterval(row["internalDate"] as Int64)),
                    size: row["size"], content: nil)
                message.internalZoneMinutes = row["internalZone"]
                message.bodyID = row["messageBodyId"]
                message.savedAt = (row["savedAt"] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
                if loadContent {
                    let index = try decoder.decode(MessageIndex.self, from: row["indexJSON"] as Data)
                    let raw = try BodyChunks.read(db, bodyId: row["bodyId"], range: 0..<(row["bodySize"] as Int))
                    message.content = (raw, index)
                }
                if predicate(message) { matches.append(message.state.uid) }
            }
            return matches
        }
    }
}
