import GRDB
import Synchronization

/// Write transactions of concurrent callers committed together (group commit).
///
/// Every write must be on disk before its caller answers (`synchronous = FULL`), so each
/// commit waits for a sync of the WAL. Under load (ten IMAP sessions moving mail while
/// drops complete) that wait, not the CPU, is what limits the writer. Here the writes
/// that queue up while a transaction commits go into the next transaction together, each
/// in a savepoint of its own, and share its sync.
///
/// The batches run on the database's own writer queue, one after the other with no hop in
/// between, for as long as writes keep coming; a lone write is a transaction of its own.
/// Every caller returns only after the transaction holding its write has committed, so
/// "durable before acknowledged" holds. A write that throws is rolled back to its
/// savepoint and fails alone; a transaction that cannot begin or commit fails every
/// write of its batch with that error.
public final class GroupCommit: Sendable {
    private let writer: any DatabaseWriter
    /// Writes waiting for the next transaction, and whether the writer queue is taking them.
    private let state = Mutex<(waiting: [any QueuedWrite], draining: Bool)>(([], false))
    /// At most this many writes share a transaction, so that one commit stays short.
    static let batchLimit = 64

    public init(_ writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `body` in a write transaction and returns its result once that has committed.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let startDraining = state.withLock { state in
                state.waiting.append(Write(body: body, continuation: continuation))
                let start = !state.draining
                state.draining = true
                return start
            }
            if startDraining { writer.asyncWriteWithoutTransaction { db in self.drain(db) } }
        }
    }

    /// On the writer queue: commits batch after batch until nobody waits.
    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.waiting.prefix(Self.batchLimit))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try db.inTransaction(.immediate) {
                    if batch.count == 1 {
                        try batch[0].run(db)
                    } else {
                        for write in batch { write.runInSavepoint(db) }
                    }
                    return .commit
                }
                for write in batch { write.finish(failure: nil) }
            } catch {
                for write in batch { write.finish(failure: error) }
            }
        }
    }

    /// Writes waiting now (tests use it to fill a batch).
    var waitingCount: Int { state.withLock { $0.waiting.count } }
}

/// One caller's write: its body, its outcome, and the caller to resume.
protocol QueuedWrite: AnyObject, Sendable {
    /// Runs the body as the whole transaction; throws what it throws.
    func run(_ db: Database) throws
    /// Runs the body in a savepoint, rolled back alone if the body throws.
    func runInSavepoint(_ db: Database)
    /// Resumes the caller with the body's outcome, or with `failure` when the transaction
    /// holding the write did not commit.
    func finish(failure: (any Error)?)
}

/// `outcome` is set and read on the writer queue only, by one drain at a time, which is
/// what makes the unchecked Sendable sound.
private final class Write<T: Sendable>: QueuedWrite, @unchecked Sendable {
    let body: @Sendable (Database) throws -> T
    let continuation: CheckedContinuation<T, any Error>
    var outcome: Result<T, any Error>?

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(_ db: Database) throws {
        do {
            outcome = .success(try body(db))
        } catch {
            outcome = .failure(error)
            throw error
        }
    }

    func runInSavepoint(_ db: Database) {
        do {
            try db.inSavepoint {
                outcome = .success(try body(db))
                return .commit
            }
        } catch {
            outcome = .failure(error)
        }
    }

    func finish(failure: (any Error)?) {
        switch (outcome, failure) {
        case (.failure(let error)?, _), (_, let error?): continuation.resume(throwing: error)
        case (.success(let value)?, nil): continuation.resume(returning: value)
        case (nil, nil): continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_MISUSE, message: "a queued write was never run"))
        }
    }
}
