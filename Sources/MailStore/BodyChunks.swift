import Foundation
import GRDB

/// Raw message bytes kept in `bodyChunk` rows of `size` bytes each, so that a byte
/// range is read by touching only the rows that hold it.
enum BodyChunks {
    static let size = 256 * 1024

    static func insert(_ raw: [UInt8], bodyId: Int64, _ db: Database) throws {
        var seq = 0
        var start = 0
        repeat {
            let end = min(start + size, raw.count)
            try db.cachedStatement(sql: "INSERT INTO bodyChunk(bodyId, seq, data) VALUES (?, ?, ?)").execute(arguments: [bodyId, seq, Data(raw[start..<end])])
            seq += 1
            start = end
        } while start < raw.count
    }

    /// The bytes of `range` (clamped to what is stored).
    static func read(_ db: Database, bodyId: Int64, range: Range<Int>) throws -> [UInt8] {
        guard !range.isEmpty, range.lowerBound >= 0 else { return [] }
        let first = range.lowerBound / size
        let last = (range.upperBound - 1) / size
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, data FROM bodyChunk WHERE bodyId = ? AND seq BETWEEN ? AND ? ORDER BY seq"),
                                    arguments: [bodyId, first, last])
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for row in rows {
            let seq: Int = row["seq"]
            let data: Data = row["data"]
            let chunkStart = seq * size
            let lower = max(range.lowerBound - chunkStart, 0)
            let upper = min(range.upperBound - chunkStart, data.count)
            if lower < upper { out.append(contentsOf: data[data.startIndex + lower ..< data.startIndex + upper]) }
        }
        return out
    }
}
