import CRM
import CRMContract
import EmbeddedCRM
import Foundation
import Testing

/// An in-memory embedded CRM with two users, alice and bob.
struct TestCRM {
    static let publicURL = URL(string: "http://crm.test:8080")

    let crm: EmbeddedCRM
    let alice: CRMUser
    let bob: CRMUser

    static func make(customModules: [ModuleDefinition] = []) async throws -> TestCRM {
        let url = try #require(publicURL)
        let crm = try EmbeddedCRM(inMemoryWithPublicURL: url, customModules: customModules)
        return try await seeded(crm)
    }

    static func seeded(_ crm: EmbeddedCRM) async throws -> TestCRM {
        let alice = try await crm.createUser(name: "Alice Archer", email: "alice@crm.test")
        let bob = try await crm.createUser(name: "Bob Baker", email: "bob@crm.test")
        return TestCRM(crm: crm, alice: alice, bob: bob)
    }

    var fixture: ContractFixture { ContractFixture(connector: crm, alice: alice, bob: bob) }

    func opportunity(_ name: String, owner: CRMUser? = nil, stage: String = "Prospecting") async throws -> CRMRecord {
        try await crm.createRecord(in: .opportunities, RecordDraft(owner: (owner ?? alice).id, fields: [
            "name": .text(name), "stage": .text(stage),
        ]))
    }
}

/// A database path in a fresh temporary directory, removed by `remove()`.
struct TemporaryFile {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("crm.sqlite").path }
    func remove() { try? FileManager.default.removeItem(at: directory) }
}
