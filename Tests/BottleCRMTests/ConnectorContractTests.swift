import BottleCRM
import CRMContract
import Testing

/// The BottleCRM connector passes the same contract as the embedded CRM, against a live
/// BottleCRM (`scripts/bottlecrm`).
@Suite("BottleCRM passes the connector contract", .enabled(if: LiveBottleCRM.wanted))
struct ConnectorContractTests {
    @Test(arguments: ConnectorContract.checks.map(\.name))
    func contractCheck(_ name: String) async throws {
        let check = try #require(ConnectorContract.check(named: name))
        let live = try LiveBottleCRM()
        let connector = try live.connector()
        let fixture = try await live.fixture(connector)
        try await check.run(fixture)
    }
}
