import CRM
import Foundation
import MailStore

/// Who is making a web or API request: a gateway account, the CRM user it maps to (by
/// email address) and the records their policy lets them reach.
public struct Identity: Sendable {
    public var accountEmail: String
    public var crmUser: CRMUser
    public var access: RecordAccess
    /// The zone times on pages are shown in (the account's, else its policy's, else the server's).
    public var timeZone: TimeZone

    public init(accountEmail: String, crmUser: CRMUser, access: RecordAccess, timeZone: TimeZone = .current) {
        self.accountEmail = accountEmail
        self.crmUser = crmUser
        self.access = access
        self.timeZone = timeZone
    }

    /// The owner every listed record of `module` must have; nil: any owner.
    func requiredOwner(in module: ModuleDefinition) -> CRMUserID? {
        access.requiredOwner(in: module, for: crmUser.id)
    }

    func canSee(_ record: CRMRecord, in module: ModuleDefinition) -> Bool {
        access.allows(record, in: module, for: crmUser.id)
    }
}
