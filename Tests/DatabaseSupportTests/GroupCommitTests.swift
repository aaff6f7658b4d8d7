import Foundation
import GRDB
import Synchronization
import Testing
@testable import DatabaseSupport

@Suite("Group commit")
struct GroupCommitTests {
    /// A pool on disk (WAL, like the stores) with one table, and a count of its commits.
    final class World: Sendable {
        let directory: URL
        let pool: DatabasePool
        let commits: GroupCommit
        let counter = CommitCounter()

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("groupcommit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            pool = try DatabasePool(path: directory.appendingPathComponent("test.sqlite").path)
            try pool.write { db in try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)") }
            pool.add(transactionObserver: counter)
            commits = GroupCommit(pool)
        }

        func names() throws -> [String] {
            try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM item ORDER BY id") }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    final class CommitCounter: TransactionObserver, Sendable {
        private let count = Mutex(0)
        var commits: Int { count.withLock { $0 } }
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { count.withLock { $0 += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    /// Set once something has happened (the write holding the writer runs, a lock is taken).
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }

        func wait() async throws {
            while !isSet { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    final class Outcomes: Sendable {
        private let outcomes = Mutex<[String: Bool]>([:])
        var all: [String: Bool] { outcomes.withLock { $0 } }
        func record(_ name: String, _ succeeded: Bool) { outcomes.withLock { $0[name] = succeeded } }
    }

    @Test func aLoneWriteCommitsInItsOwnTransactionAndReturnsItsValue() async throws {
        let world = try World()
        let id = try await world.commits.write { db -> Int64 in
            try db.execute(sql: "INSERT INTO item(name) VALUES ('a')")
            return db.lastInsertedRowID
        }
        #expect(id == 1)
        #expect(try world.names() == ["a"])
        #expect(world.counter.commits == 1)
    }

    @Test func writesThatQueueWhileATransactionRunsShareTheNextCommit() async throws {
        let world = try World()
        let commits = world.commits
        let running = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The first write holds the writer until ten more are queued behind it.
            group.addTask {
                try await commits.write { db in
                    running.set()
                    try db.execute(sql: "INSERT INTO item(name) VALUES ('first')")
                    while commits.waitingCount < 10 { Thread.sleep(forTimeInterval: 0.001) }
                }
            }
            try await running.wait()
            for i in 0..<10 {
                group.addTask { try await commits.write { db in try db.execute(sql: "INSERT INTO item(name) VALUES (?)", arguments: ["w\(i)"]) } }
            }
            try await group.waitForAll()
        }
        #expect(try world.names().count == 11)
        #expect(world.counter.commits == 2)
    }

    @Test func aFailingWriteIsRolledBackAloneAndTheOthersOfItsBatchCommit() async throws {
        let world = try World()
        let commits = world.commits
        let results = Outcomes()
        let running = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await commits.write { _ in
                    running.set()
                    while commits.waitingCount < 3 { Thread.sleep(forTimeInterval: 0.001) }
                }
            }
            try await running.wait()
            for name in ["ok1", "bad", "ok2"] {
                group.addTask {
                    do {
                        try await commits.write { db in
                            try db.execute(sql: "INSERT INTO item(name) VALUES (?)", arguments: [name])
                            if name == "bad" {
                                try db.execute(sql: "INSERT INTO item(name) VALUES ('also written by bad')")
                                try db.execute(sql: "INSERT INTO item(name) VALUES ('bad')")  // UNIQUE violation
                            }
                        }
                        results.record(name, true)
                    } catch {
                        results.record(name, false)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(results.all == ["ok1": true, "bad": false, "ok2": true])
        #expect(try Set(world.names()) == ["ok1", "ok2"])
        #expect(world.counter.commits == 2)
    }

    @Test func aWriteIsVisibleToEveryReaderWhenItReturns() async throws {
        let world = try World()
        for i in 0..<50 {
            try await world.commits.write { db in try db.execute(sql: "INSERT INTO item(name) VALUES (?)", arguments: ["n\(i)"]) }
            #expect(try world.names().count == i + 1)
        }
    }

    @Test func aWriteThatThrowsAloneFailsWithItsOwnErrorAndLeavesNothing() async throws {
        struct Refused: Error {}
        let world = try World()
        await #expect(throws: Refused.self) {
            try await world.commits.write { db in
                try db.execute(sql: "INSERT INTO item(name) VALUES ('x')")
                throw Refused()
            }
        }
        #expect(try world.names().isEmpty)
        #expect(try await world.commits.write { _ in 7 } == 7)
    }

    @Test func aWriterLockedByAnotherConnectionFailsTheBatchWithTheBusyError() async throws {
        let world = try World()
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        let path = world.directory.appendingPathComponent("test.sqlite").path
        let commits = GroupCommit(try DatabasePool(path: path, configuration: configuration))
        let other = try DatabaseQueue(path: path)
        let locked = Flag(), release = Flag()
        let holder = Task.detached {
            try await other.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                locked.set()
                while !release.isSet { Thread.sleep(forTimeInterval: 0.001) }
                try db.execute(sql: "COMMIT")
            }
        }
        try await locked.wait()
        await #expect(throws: DatabaseError.self) {
            try await commits.write { db in try db.execute(sql: "INSERT INTO item(name) VALUES ('blocked')") }
        }
        release.set()
        try await holder.value
        try await commits.write { db in try db.execute(sql: "INSERT INTO item(name) VALUES ('later')") }
        #expect(try world.names() == ["later"])
    }
}
