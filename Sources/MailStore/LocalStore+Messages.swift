import Foundation
import GRDB
import IMAPCore
import MIMECore

extension LocalStore {
    /// Stores a message durably and returns its UIDVALIDITY and UID (RFC 4315 APPENDUID).
    /// `queueDrop: false` stores a message without queuing it as a drop or a conversation
    /// follow-up (crmgate's own error reports beside a failed drop).
    public func append(_ message: NewMessage, to mailbox: MailboxID, queueDrop: Bool = true) async throws -> (uidValidity: UInt32, uid: UInt32) {
        let stored = try await append([message], to: mailbox, queueDrop: queueDrop)
        return (stored.uidValidity, stored.uids[0])
    }

    /// Stores messages durably in one transaction (MULTIAPPEND, RFC 3502: all or none), with
    /// consecutive UIDs.
    public func append(_ messages: [NewMessage], to mailbox: MailboxID, queueDrop: Bool = true) async throws -> (uidValidity: UInt32, uids: [UInt32]) {
        let bodies = try messages.map { try Self.makeBody($0.raw) }
        let result = try await commits.write { db -> (UInt32, [UInt32], Bool) in
            guard var box = try MailboxRecord.find(db, mailbox) else {
                throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
            }
            let queueing = queueDrop ? try Queueing.of(box, db) : .none
            var uids: [UInt32] = []
            var anyQueued = false
            for (message, body) in zip(messages, bodies) {
                let bodyId = try body.insert(db)
                let (uid, queued, _) = try Self.insert(db, into: &box, queueing: queueing, source: nil, bodyId: bodyId, size: body.record.size,
                                                    internalDate: message.internalDate, zone: message.internalZoneMinutes,
                                                    flags: message.flags)
                uids.append(uid)
                anyQueued = anyQueued || queued
            }
            return (UInt32(truncatingIfNeeded: box.uidValidity), uids, anyQueued)
        }
        changes.publish([mailbox])
        if result.2 { drops.signal() }
        return (result.0, result.1)
    }

    /// Parses the message once and keeps what FETCH needs (RFC 9051 ENVELOPE and BODYSTRUCTURE)
    /// and what header searches read; `insert` stores it all with the bytes.
    static func makeBody(_ raw: [UInt8]) throws -> PreparedBody {
        let index = MessageIndex.parse(raw)
        let record = BodyRecord(
            id: nil, size: raw.count,
            messageIndex: Data(index.stored),
            envelope: Data(ResponseEncoder.encodeEnvelope(index.envelope)),
            bodyStructure: Data(ResponseEncoder.encodeBodyStructure(index.bodyStructure, extensible: true)),
            bodyBasic: Data(ResponseEncoder.encodeBodyStructure(index.bodyStructure, extensible: false)),
            messageIdHeader: index.messageID, threadIds: index.threadIDs.isEmpty ? nil : index.threadIDs.joined(separator: " "))
        return PreparedBody(record: record, raw: raw, searchFields: SearchFields(index: index, raw: raw),
                            bodyText: index.searchableText(in: raw))
    }

    /// Inserts a message with the mailbox's next UID and a new MODSEQ; updates the mailbox row.
    static func insertMessage(_ db: Database, into box: inout MailboxRecord, bodyId: Int64, size: Int,
                              internalDate: Date, zone: Int, flags: [String]) throws -> (uid: UInt32, id: Int64) {
        let uid = box.uidNext
        box.uidNext += 1
        box.highestModSeq += 1
        var record = MessageRecord(
            id: nil, mailboxId: box.id!, uid: uid, bodyId: bodyId,
            internalDate: Int64(internalDate.timeIntervalSince1970.rounded(.down)), internalZone: zone,
            size: size, flags: FlagList.encode(flags.filter { $0 != "\\Recent" }), modSeq: box.highestModSeq,
            savedAt: Int64(Date().timeIntervalSince1970))
        try record.insert(db)
        try box.update(db)
        return (UInt32(truncatingIfNeeded: uid), db.lastInsertedRowID)
    }

    /// UIDs, flags and MODSEQs of every message, ascending by UID (SELECT's snapshot).
    public func states(of mailbox: MailboxID) async throws -> [MessageState] {
        try await pool.read { db in try Self.states(db, mailbox.rawValue) }
    }

    /// What SELECT and EXAMINE show of a mailbox, from one read: its row, its messages'
    /// states and its recent floor (the UIDs above it are \Recent, RFC 3501 §2.3.2).
    public func selection(of user: UserID, named name: String) async throws -> (info: MailboxInfo, states: [MessageState], recentFloor: UInt32) {
        let selection = try await wholeMailboxRead([Self.sizeKey(user, name)]) { db in
            let record = try Self.mailboxRecord(db, user: user, name: name)
            let floor = try Int64.fetchOne(db.cachedStatement(sql: "SELECT recentFloor FROM mailbox WHERE id = ?"), arguments: [record.id]) ?? 0
            let states = try Self.states(db, record.id!)
            return ((info: record.info, states: states, recentFloor: UInt32(truncatingIfNeeded: floor)), states.count)
        }
        // Its later reads by id (changes, searches) know its size too.
        remember(selection.states.count, for: [Self.sizeKey(selection.info.id)])
        return selection
    }

    private static func states(_ db: Database, _ mailbox: Int64) throws -> [MessageState] {
        try states(db.cachedStatement(sql: "SELECT uid, flags, modSeq FROM message WHERE mailboxId = ? ORDER BY uid"), [mailbox])
    }

    /// The states a `uid, flags, modSeq` query finds, read through a cursor: no row object
    /// per message (a SELECT of 100,000 messages made as many).
    private static func states(_ statement: Statement, _ arguments: StatementArguments) throws -> [MessageState] {
        var states: [MessageState] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() { states.append(state(row)) }
        return states
    }

    /// What changed since `modSeq`: the basis of EXISTS, EXPUNGE and flag updates. Sessions
    /// that ask the same of a mailbox that has not changed since share one read
    /// (`RecentChanges`); the change count is taken before the read, so a change committed
    /// meanwhile shows as a new count and the answer is not shared past it.
    public func changes(in mailbox: MailboxID, since modSeq: UInt64) async throws -> MailboxChanges {
        let version = changes.version(of: mailbox)
        if let known = recentChanges.answer(mailbox, since: modSeq, version: version) { return known }
        let read = try await readChanges(in: mailbox, since: modSeq)
        recentChanges.keep(read, of: mailbox, since: modSeq, version: version)
        return read
    }

    private func readChanges(in mailbox: MailboxID, since modSeq: UInt64) async throws -> MailboxChanges {
        // At most the mailbox's messages (and what was expunged since); its size is learnt by
        // SELECT and searches, not counted here.
        try await wholeMailboxRead([Self.sizeKey(mailbox)]) { db in
            let highest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT highestModSeq FROM mailbox WHERE id = ?"), arguments: [mailbox.rawValue])
            guard let highest else { throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)") }
            let changed = try Self.states(db.cachedStatement(sql: "SELECT uid, flags, modSeq FROM message WHERE mailboxId = ? AND modSeq > ? ORDER BY uid"),
                                          [mailbox.rawValue, Int64(modSeq)])
            let expunged = try Int64.fetchAll(db.cachedStatement(sql: "SELECT uid FROM expunged WHERE mailboxId = ? AND modSeq > ? ORDER BY uid"),
                                              arguments: [mailbox.rawValue, Int64(modSeq)])
            return (MailboxChanges(changed: changed, expunged: expunged.map { UInt32(truncatingIfNeeded: $0) },
                                   highestModSeq: UInt64(highest)), nil)
        }
    }

    /// A message's state from a row that starts `uid, flags, modSeq` (read by position: a
    /// column looked up by name costs a lowercased copy of the name, per row).
    static func state(_ row: Row) -> MessageState {
        MessageState(uid: UInt32(truncatingIfNeeded: row[0] as Int64), flags: FlagList.decode(row[1]), modSeq: UInt64(row[2] as Int64))
    }

    /// FETCH metadata for these UIDs (missing ones are left out), ascending by UID. One cached
    /// statement reads each run of consecutive UIDs. Without `structure` (no ENVELOPE, BODY or
    /// BODYSTRUCTURE asked for) the bodies are not read and those three stay empty.
    public func metadata(in mailbox: MailboxID, uids: [UInt32], structure: Bool = true) async throws -> [MessageMetadata] {
        let read = { @Sendable (db: Database) throws -> [MessageMetadata] in
            var result: [MessageMetadata] = []
            result.reserveCapacity(uids.count)
            let statement = try db.cachedStatement(sql: structure ? """
                SELECT m.uid, m.flags, m.modSeq, m.internalDate, m.internalZone, m.size, m.bodyId, m.savedAt,
                       b.envelope, b.bodyStructure, b.bodyBasic
                FROM message m JOIN body b ON b.id = m.bodyId
                WHERE m.mailboxId = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid
                """ : """
                SELECT m.uid, m.flags, m.modSeq, m.internalDate, m.internalZone, m.size, m.bodyId, m.savedAt
                FROM message m WHERE m.mailboxId = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid
                """)
            for run in uids.runs {
                let rows = try Row.fetchCursor(statement, arguments: [mailbox.rawValue, Int64(run.lowerBound), Int64(run.upperBound)])
                while let row = try rows.next() {
                    result.append(MessageMetadata(
                        state: Self.state(row),
                        internalDate: Date(timeIntervalSince1970: TimeInterval(row[3] as Int64)),
                        internalZoneMinutes: row[4], size: row[5],
                        envelope: structure ? row.dataNoCopy(atIndex: 8).map(Array.init) ?? [] : [],
                        bodyStructure: structure ? row.dataNoCopy(atIndex: 9).map(Array.init) ?? [] : [],
                        bodyBasic: structure ? row.dataNoCopy(atIndex: 10).map(Array.init) ?? [] : [], bodyID: row[6],
                        savedAt: (row[7] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }))
                }
            }
            return result
        }
        return uids.count <= Self.readNowLimit ? try readNow(read) : try await pool.read(read)
    }

    /// The parsed index of each of `uids` with its internal date and size (SORT, THREAD), by UID.
    public func indexes(in mailbox: MailboxID, uids: [UInt32]) async throws -> [(uid: UInt32, internalDate: Date, size: Int, index: MessageIndex)] {
        try await pool.read { db in
            var result: [(uid: UInt32, internalDate: Date, size: Int, index: MessageIndex)] = []
            result.reserveCapacity(uids.count)
            let statement = try db.cachedStatement(sql: """
                SELECT m.uid, m.internalDate, m.size, b.messageIndex FROM message m JOIN body b ON b.id = m.bodyId
                WHERE m.mailboxId = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid
                """)
            for run in uids.runs {
                let rows = try Row.fetchCursor(statement, arguments: [mailbox.rawValue, Int64(run.lowerBound), Int64(run.upperBound)])
                while let row = try rows.next() {
                    result.append((UInt32(truncatingIfNeeded: row[0] as Int64), Date(timeIntervalSince1970: TimeInterval(row[1] as Int64)),
                                   row[2], try BodyRecord.index(in: row, at: 3)))
                }
            }
            return result
        }
    }

    /// The raw bytes of one message and its parsed index, or nil when it is gone.
    public func content(in mailbox: MailboxID, uid: UInt32) async throws -> (raw: [UInt8], index: MessageIndex)? {
        guard let stored = try await storedMessage(in: mailbox, uid: uid) else { return nil }
        return (try await read(stored, range: 0..<stored.index.size), stored.index)
    }

    /// A message's parsed index and a handle to read its bytes piece by piece.
    public func storedMessage(in mailbox: MailboxID, uid: UInt32) async throws -> StoredMessage? {
        try readNow { db -> StoredMessage? in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT b.id, b.messageIndex FROM message m JOIN body b ON b.id = m.bodyId
                WHERE m.mailboxId = ? AND m.uid = ?
                """), arguments: [mailbox.rawValue, Int64(uid)]) else { return nil }
            return StoredMessage(bodyID: row[0], index: try BodyRecord.index(in: row, at: 1))
        }
    }

    /// The bytes of `range` of a stored message. Fewer bytes come back only if the message
    /// was expunged everywhere since `storedMessage` (its body is then gone).
    public func read(_ message: StoredMessage, range: Range<Int>) async throws -> [UInt8] {
        let read = { @Sendable (db: Database) in try BodyChunks.read(db, bodyId: message.bodyID, range: range) }
        return range.count <= 256 * 1024 ? try readNow(read) : try await pool.read(read)
    }

    /// Changes flags (RFC 9051 §6.4.6) honouring UNCHANGEDSINCE (RFC 7162 §3.1.3).
    /// Returns the resulting state of every message still present, and the UIDs
    /// refused because they changed after `unchangedSince`.
    public func store(_ operation: FlagOperation, flags: [String], uids: [UInt32], in mailbox: MailboxID,
                      unchangedSince: UInt64? = nil) async throws -> (states: [MessageState], modified: [UInt32]) {
        let result = try await commits.write { db in
            try Self.updateFlags(db, operation, flags: flags, uids: uids, in: mailbox, unchangedSince: unchangedSince)
        }
        if result.2 { changes.publish([mailbox]) }
        return (result.0, result.1)
    }

    /// Copies messages (sharing their stored bodies) into another mailbox (RFC 9051 §6.4.7, RFC 4315 COPYUID).
    public func copy(uids: [UInt32], from source: MailboxID, to destination: MailboxID) async throws -> CopyResult {
        let result = try await commits.write { db in try Self.copy(db, uids: uids, from: source, to: destination) }
        changes.publish([destination])
        if result.queuedDrops { drops.signal() }
        return result
    }

    /// Moves messages atomically: copy, then expunge from the source (RFC 6851).
    public func move(uids: [UInt32], from source: MailboxID, to destination: MailboxID) async throws -> CopyResult {
        let result = try await commits.write { db in try Self.move(db, uids: uids, from: source, to: destination) }
        changes.publish([source, destination])
        if result.queuedDrops { drops.signal() }
        return result
    }

    /// `queueing: false` moves without queuing drops or follow-ups (crmgate returning a processed drop).
    static func move(_ db: Database, uids: [UInt32], from source: MailboxID, to destination: MailboxID,
                     queueing: Bool = true) throws -> CopyResult {
        let copied = try copy(db, uids: uids, from: source, to: destination, queueing: queueing)
        guard let box = try MailboxRecord.find(db, source) else {
            throw MailStoreError.mailboxNotFound("#\(source.rawValue)")
        }
        try recordExpunge(db, mailbox: box, messageIDs: copied.sourceMessageIDs)
        return copied
    }

    static func copy(_ db: Database, uids: [UInt32], from source: MailboxID, to destination: MailboxID,
                     queueing: Bool = true) throws -> CopyResult {
        guard var target = try MailboxRecord.find(db, destination) else {
            throw MailStoreError.mailboxNotFound("#\(destination.rawValue)")
        }
        var sourceUIDs: [UInt32] = []
        var sourceMessageIDs: [Int64] = []
        var destinationUIDs: [UInt32] = []
        var queued = false
        let queueing = queueing ? try Queueing.of(target, db) : .none
        for chunk in uids.sorted().chunked(500) {
            let records = try MessageRecord.find(db, uids: chunk, in: source)
            for record in records {
                let (uid, queuedThis, _) = try insert(db, into: &target, queueing: queueing, source: source.rawValue, bodyId: record.bodyId,
                                                   size: record.size,
                                                   internalDate: Date(timeIntervalSince1970: TimeInterval(record.internalDate)),
                                                   zone: record.internalZone, flags: FlagList.decode(record.flags))
                sourceUIDs.append(UInt32(truncatingIfNeeded: record.uid))
                if let id = record.id { sourceMessageIDs.append(id) }
                destinationUIDs.append(uid)
                queued = queued || queuedThis
            }
        }
        var result = CopyResult(destinationUIDValidity: UInt32(truncatingIfNeeded: target.uidValidity),
                                sourceUIDs: sourceUIDs, destinationUIDs: destinationUIDs)
        result.queuedDrops = queued
        result.sourceMessageIDs = sourceMessageIDs
        return result
    }

    /// STORE inside a transaction: the resulting states, the UIDs refused by UNCHANGEDSINCE,
    /// and whether anything changed (then the mailbox has a new HIGHESTMODSEQ).
    static func updateFlags(_ db: Database, _ operation: FlagOperation, flags: [String], uids: [UInt32], in mailbox: MailboxID,
                            unchangedSince: UInt64? = nil) throws -> (states: [MessageState], modified: [UInt32], changed: Bool) {
        let flags = flags.filter { $0 != "\\Recent" }
        return try updateFlags(db, uids: uids, in: mailbox, unchangedSince: unchangedSince) { FlagList.apply(operation, flags, to: $0) }
    }

    /// Gives each message the flags `change` makes of its current ones, at one new MODSEQ.
    ///
    /// Set-based, for STORE 1:* on a big mailbox: per run of consecutive UIDs one SELECT reads
    /// the messages, the new flags are worked out once per distinct flag list (a mailbox has
    /// few), and one UPDATE per changed list writes them.
    static func updateFlags(_ db: Database, uids: [UInt32], in mailbox: MailboxID, unchangedSince: UInt64? = nil,
                            _ change: ([String]) -> [String]) throws -> (states: [MessageState], modified: [UInt32], changed: Bool) {
        guard var box = try MailboxRecord.find(db, mailbox) else {
            throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
        }
        let newModSeq = box.highestModSeq + 1
        // Past UNCHANGEDSINCE nothing is changed; no limit is the highest MODSEQ there can be.
        let limit = Int64(clamping: unchangedSince ?? UInt64(Int64.max))
        var mapped: [String: (stored: String, flags: [String])] = [:]
        let read = try db.cachedStatement(sql: "SELECT uid, flags, modSeq FROM message WHERE mailboxId = ? AND uid BETWEEN ? AND ? ORDER BY uid")
        let update = try db.cachedStatement(sql: """
            UPDATE message SET flags = ?, modSeq = ? WHERE mailboxId = ? AND uid BETWEEN ? AND ? AND flags = ? AND modSeq <= ?
            """)
        var states: [MessageState] = []
        states.reserveCapacity(uids.count)
        var modified: [UInt32] = []
        var changedAny = false
        for run in uids.runs {
            var changedLists = Set<String>()
            let rows = try Row.fetchCursor(read, arguments: [mailbox.rawValue, Int64(run.lowerBound), Int64(run.upperBound)])
            while let row = try rows.next() {
                let uid = UInt32(truncatingIfNeeded: row[0] as Int64)
                let modSeq: Int64 = row[2]
                if modSeq > limit {
                    modified.append(uid)
                    continue
                }
                let stored: String = row[1]
                let new = mapped[stored] ?? {
                    let flags = FlagList.normalized(change(FlagList.decode(stored)))
                    let result = (FlagList.encode(flags), flags)
                    mapped[stored] = result
                    return result
                }()
                if new.stored == stored {
                    states.append(MessageState(uid: uid, flags: new.flags, modSeq: UInt64(modSeq)))
                } else {
                    changedLists.insert(stored)
                    states.append(MessageState(uid: uid, flags: new.flags, modSeq: UInt64(newModSeq)))
                }
            }
            for stored in changedLists {
                try update.execute(arguments: [mapped[stored]!.stored, newModSeq, mailbox.rawValue,
                                               Int64(run.lowerBound), Int64(run.upperBound), stored, limit])
                changedAny = true
            }
        }
        if changedAny {
            box.highestModSeq = newModSeq
            try box.update(db)
        }
        return (states, modified, changedAny)
    }

    /// Removes every message flagged \Deleted (limited to `uids` when given, for UID EXPUNGE).
    /// Returns the expunged UIDs, ascending.
    public func expunge(_ mailbox: MailboxID, uids: [UInt32]? = nil) async throws -> [UInt32] {
        let expunged = try await commits.write { db -> [UInt32] in
            guard let box = try MailboxRecord.find(db, mailbox) else {
                throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
            }
            var rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, uid FROM message WHERE mailboxId = ? AND (' ' || flags || ' ') LIKE '% \\Deleted %' ORDER BY uid"),
                                        arguments: [mailbox.rawValue])
            if let uids {
                let wanted = Set(uids)
                rows = rows.filter { wanted.contains(UInt32(truncatingIfNeeded: $0["uid"] as Int64)) }
            }
            guard !rows.isEmpty else { return [] }
            try Self.recordExpunge(db, mailbox: box, messageIDs: rows.map { $0["id"] })
            return rows.map { UInt32(truncatingIfNeeded: $0["uid"] as Int64) }
        }
        if !expunged.isEmpty { changes.publish([mailbox]) }
        return expunged
    }

    /// Removes these messages whatever their flags (they went to the upstream server in
    /// proxy mode); returns the UIDs that were there.
    public func remove(_ mailbox: MailboxID, uids: [UInt32]) async throws -> [UInt32] {
        let removed = try await commits.write { db -> [UInt32] in
            guard let box = try MailboxRecord.find(db, mailbox) else {
                throw MailStoreError.mailboxNotFound("#\(mailbox.rawValue)")
            }
            let lookup = try db.cachedStatement(sql: "SELECT id FROM message WHERE mailboxId = ? AND uid = ?")
            var present: [(id: Int64, uid: UInt32)] = []
            for uid in uids {
                if let id = try Int64.fetchOne(lookup, arguments: [mailbox.rawValue, Int64(uid)]) { present.append((id, uid)) }
            }
            guard !present.isEmpty else { return [] }
            try Self.recordExpunge(db, mailbox: box, messageIDs: present.map(\.id))
            return present.map(\.uid)
        }
        if !removed.isEmpty { changes.publish([mailbox]) }
        return removed
    }

    /// Row ids of the messages with these UIDs (missing ones are left out). One cached
    /// statement per UID: preparing a statement with an IN list of its own costs more than
    /// the index look-ups.
    static func messageIDs(_ db: Database, mailbox: MailboxID, uids: [UInt32]) throws -> [Int64] {
        let lookup = try db.cachedStatement(sql: "SELECT id FROM message WHERE mailboxId = ? AND uid = ?")
        return try uids.compactMap { try Int64.fetchOne(lookup, arguments: [mailbox.rawValue, Int64($0)]) }
    }

    /// Deletes messages (all of the mailbox when `messageIDs` is nil), leaving tombstones
    /// at a new MODSEQ so that other sessions and QRESYNC clients learn of it. The
    /// statements are cached: a DELETE on `message` compiles its trigger and foreign-key
    /// actions, which made preparing it per call the most expensive step of a MOVE.
    @discardableResult
    static func recordExpunge(_ db: Database, mailbox: MailboxRecord, messageIDs: [Int64]?) throws -> MailboxRecord {
        var box = mailbox
        box.highestModSeq += 1
        if let messageIDs {
            let tombstone = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO expunged(mailboxId, uid, modSeq) SELECT mailboxId, uid, ? FROM message WHERE id = ? AND mailboxId = ?
                """)
            let delete = try db.cachedStatement(sql: "DELETE FROM message WHERE id = ? AND mailboxId = ?")
            for id in messageIDs {
                try tombstone.execute(arguments: [box.highestModSeq, id, box.id])
                try delete.execute(arguments: [id, box.id])
            }
        } else {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO expunged(mailboxId, uid, modSeq) SELECT mailboxId, uid, ? FROM message WHERE mailboxId = ?")
                .execute(arguments: [box.highestModSeq, box.id])
            try db.cachedStatement(sql: "DELETE FROM message WHERE mailboxId = ?").execute(arguments: [box.id])
        }
        try box.update(db)
        return box
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Array where Element == UInt32 {
    /// The runs of consecutive numbers, ascending: `[1, 2, 3, 7, 9, 10]` is `1...3, 7...7, 9...10`.
    var runs: [ClosedRange<UInt32>] {
        var runs: [ClosedRange<UInt32>] = []
        for number in sorted() {
            if let last = runs.last, number <= last.upperBound &+ 1, number >= last.lowerBound {
                runs[runs.count - 1] = last.lowerBound...Swift.max(last.upperBound, number)
            } else {
                runs.append(number...number)
            }
        }
        return runs
    }
}

/// A parsed message ready to be stored: its `body` row, its bytes, its search fields and
/// the decoded text of its text parts (what BODY searches read).
struct PreparedBody {
    var record: BodyRecord
    let raw: [UInt8]
    let searchFields: SearchFields
    let bodyText: String

    /// Stores them in the transaction `db`; the new body's id.
    func insert(_ db: Database) throws -> Int64 {
        var record = record
        try record.insert(db)
        let id = record.id!
        try BodyChunks.insert(raw, bodyId: id, db)
        try db.cachedStatement(sql: "INSERT INTO searchFields(bodyId, text, bodyText) VALUES (?, ?, ?)")
            .execute(arguments: [id, searchFields.text, bodyText])
        return id
    }
}
