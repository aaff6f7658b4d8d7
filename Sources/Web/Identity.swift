import CRM
import MailStore

/// Who is making a web or API request: a gateway account, the CRM user it maps to (by
/// email address) and the records their policy lets them reach.
public struct Identity: Sendable {
    public var accountEmail: String
    public var crmUser: CRMUser
    public var access: RecordAccess

    public init(accountEmail: String, crmUser: CRMUser, access: RecordAccess) {
        self.accountEmail = accountEmail
        self.crmUser = crmUser
        self.access = access
    }

    /// The owner every listed record of `module` must have; nil: any owner.
    func requiredOwner(in module: ModuleDefinition) -> CRMUserID? {
        access.requiredOwner(in: module, for: crmUser.id)
    }

    func canSee(_ record: CRMRecord, in module: ModuleDefinition) -> Bool {
        access.allows(record, in: module, for: crmUser.id)
    }
}
