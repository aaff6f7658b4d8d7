import CRMContract
import EmbeddedCRM
import Foundation
import Testing

/// The embedded CRM passes every check of the connector contract suite, both in memory
/// (a serial GRDB queue) and on a file (the WAL database pool that production uses).
@Suite("Embedded CRM passes the connector contract")
struct ConnectorContractTests {
    @Test(arguments: ConnectorContract.checks.map(\.name))
    func contractCheckInMemory(_ name: String) async throws {
        let check = try #require(ConnectorContract.check(named: name))
        let test = try await TestCRM.make()
        try await check.run(test.fixture)
    }

    @Test(arguments: ConnectorContract.checks.map(\.name))
    func contractCheckOnAFile(_ name: String) async throws {
        let check = try #require(ConnectorContract.check(named: name))
        let file = TemporaryFile()
        defer { file.remove() }
        let crm = try EmbeddedCRM(path: file.path, publicURL: try #require(TestCRM.publicURL))
        let test = try await TestCRM.seeded(crm)
        try await check.run(test.fixture)
        try crm.close()
    }
}
