@testable import BottleCRM
import CRM
import Foundation
import Testing

/// The copy of BottleCRM's records turns listings into a change log that survives restarts.
@Suite("BottleCRM record copy and change log")
struct RecordMirrorTests {
    func entry(_ id: String, _ version: String, owner: String? = "alice", closed: Bool = false, emails: [String] = []) -> RecordMirror.Entry {
        RecordMirror.Entry(id: id, fingerprint: version, owner: owner, closed: closed, json: .object(["id": .string(id)]), lookupKeys: emails)
    }

    /// Hands a whole listing to the mirror as the connector does: changed records whole, the
    /// others by id.
    @discardableResult
    func list(_ mirror: RecordMirror, _ entries: [RecordMirror.Entry]) throws -> Int {
        let known = try mirror.fingerprints(of: .opportunities)
        return try mirror.replace(.opportunities, changed: entries.filter { known[$0.id] != $0.fingerprint },
                                  present: Set(entries.filter { known[$0.id] == $0.fingerprint }.map(\.id)))
    }

    func kinds(_ mirror: RecordMirror, after sequence: Int64 = 0) throws -> [String] {
        try mirror.changes(of: .opportunities, after: sequence, limit: 100).map { "\($0.kind) \($0.id)\($0.previousOwner.map { " from \($0)" } ?? "")" }
    }

    @Test func listingsBecomeCreatedChangedReassignedClosedAndDeleted() throws {
        let mirror = try RecordMirror(path: nil)
        #expect(try list(mirror, [entry("a", "1"), entry("b", "1"), entry("c", "1"), entry("d", "1")]) == 4)
        let start = try mirror.lastSequence()
        #expect(try list(mirror, [entry("a", "2"), entry("b", "2", owner: "bob"), entry("c", "2", closed: true), entry("d", "1")]) == 3)
        #expect(try list(mirror, [entry("a", "2"), entry("b", "2", owner: "bob"), entry("d", "1")]) == 1)
        #expect(try kinds(mirror, after: start) == ["changed a", "reassigned b from alice", "closed c", "deleted c"])
        #expect(try list(mirror, [entry("a", "2"), entry("b", "2", owner: "bob"), entry("d", "1")]) == 0)
    }

    @Test func onlyRecordsNeitherChangedNorPresentAreDeleted() throws {
        let mirror = try RecordMirror(path: nil)
        try list(mirror, [entry("a", "1"), entry("b", "1"), entry("c", "1")])
        #expect(try mirror.replace(.opportunities, changed: [entry("a", "2")], present: ["b"]) == 2)
        #expect(try mirror.entry(.opportunities, id: "b") != nil)
        #expect(try mirror.entry(.opportunities, id: "c") == nil)
    }

    @Test func lookupsFollowTheRecords() throws {
        let mirror = try RecordMirror(path: nil)
        try mirror.upsert(.contacts, entry("c1", "1", emails: ["ines@globex.example"]))
        #expect(try mirror.ids(.contacts, lookingUp: "ines@globex.example") == ["c1"])
        try mirror.upsert(.contacts, entry("c1", "2", emails: ["ines@initech.example"]))
        #expect(try mirror.ids(.contacts, lookingUp: "ines@globex.example").isEmpty)
        try mirror.remove(.contacts, id: "c1")
        #expect(try mirror.ids(.contacts, lookingUp: "ines@initech.example").isEmpty)
    }

    @Test func theLogAndPendingWritesSurviveAReopen() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bottlecrm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bottlecrm.sqlite").path
        do {
            let mirror = try RecordMirror(path: path)
            try list(mirror, [entry("a", "1")])
            #expect(try mirror.begin("opportunities|drop-1"))
        }
        let reopened = try RecordMirror(path: path)
        #expect(try kinds(reopened) == ["created a"])
        #expect(try !reopened.begin("opportunities|drop-1"), "a write begun before the restart must be looked up before it is sent again")
        try reopened.finish("opportunities|drop-1")
        #expect(try reopened.begin("opportunities|drop-1"))
    }
}
