import CRM
import MailStore

/// Who is making a web or API request: a gateway account and the CRM user it maps to
/// (by email address).
public struct Identity: Sendable {
    public var accountEmail: String
    public var crmUser: CRMUser
}
