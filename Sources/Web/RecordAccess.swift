import CRM

/// Which records a signed-in user may list, read, change and delete, by the same rule as
/// their mail folders: the policy's `scope` "owned" shows the records they own; "visible"
/// what the CRM lets them see (everyone's records, except in modules whose visibility is
/// `owned`). Administrators see every record of every module.
public struct RecordAccess: Sendable, Equatable {
    public enum Scope: String, Sendable {
        case owned, visible
    }

    public var scope: Scope
    public var isAdministrator: Bool

    public init(scope: Scope, isAdministrator: Bool = false) {
        self.scope = scope
        self.isAdministrator = isAdministrator
    }

    /// A policy's `scope` text; anything but "visible" is the narrower "owned".
    public init(policyScope: String, isAdministrator: Bool = false) {
        self.init(scope: policyScope == Scope.visible.rawValue ? .visible : .owned, isAdministrator: isAdministrator)
    }

    /// The owner every record of `module` must have for `user` to see it; nil: any owner.
    public func requiredOwner(in module: ModuleDefinition, for user: CRMUserID) -> CRMUserID? {
        if isAdministrator { return nil }
        return scope == .owned || module.visibility == .owned ? user : nil
    }

    /// Whether `user` may see `record` of `module`.
    public func allows(_ record: CRMRecord, in module: ModuleDefinition, for user: CRMUserID) -> Bool {
        guard let owner = requiredOwner(in: module, for: user) else { return true }
        return record.owner == owner
    }

    /// How the API's `CRMGate-Scope` header and the UI name this access.
    public var label: String { isAdministrator ? "all" : scope.rawValue }
}
