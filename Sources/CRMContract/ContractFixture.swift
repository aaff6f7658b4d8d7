import CRM
import Foundation

/// What every contract check runs against: a connector and two of its users.
///
/// A connector's test target builds one per check, seeded with two active CRM users.
/// Checks create their own records, marked with `tag`, and only look at those, so they
/// also run against a CRM that holds other data (a sandbox of a hosted CRM).
public struct ContractFixture: Sendable {
    public var connector: any CRMConnector
    public var alice: CRMUser
    public var bob: CRMUser
    /// Text unique to this run, woven into names, email addresses and domains.
    public var tag: String

    public init(connector: any CRMConnector, alice: CRMUser, bob: CRMUser,
                tag: String = String(UUID().uuidString.prefix(8)).lowercased()) {
        self.connector = connector
        self.alice = alice
        self.bob = bob
        self.tag = tag
    }
}
