/// The connector contract suite: the behaviour crmgate relies on from every CRM connector
/// (matching, visibility, the change cursor, idempotent archiving, error classes, links).
///
/// It imports no test framework; a connector's test target runs each check as one test
/// case, e.g. `@Test(arguments: ConnectorContract.checks.map(\.name))`.
public enum ConnectorContract {
    public static let checks: [ContractCheck] =
        ModuleChecks.all + RecordChecks.all + ValidationChecks.all + MatchingChecks.all
        + VisibilityChecks.all + ChangeFeedChecks.all + ArchiveChecks.all + ErrorClassChecks.all + LinkChecks.all

    /// The check with this name, if any.
    public static func check(named name: String) -> ContractCheck? {
        checks.first { $0.name == name }
    }
}
