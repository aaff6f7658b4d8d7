/// A connector failure, classified so callers know whether to retry.
///
/// `transient`: the CRM is unreachable, overloaded, timed out or rate-limited; the same
/// call may succeed later (retry with back-off). `permanent`: the CRM refused the
/// request (validation, missing record, no permission); retrying will not help, and
/// `message` tells the user what to do.
public struct CRMError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable { case transient, permanent }

    public var kind: Kind
    public var message: String
    /// The field the error is about, when one is (validation errors).
    public var field: String?
    /// For a transient error: how many seconds the CRM asked to wait (`Retry-After`).
    public var retryAfter: Double?

    public init(_ kind: Kind, _ message: String, field: String? = nil, retryAfter: Double? = nil) {
        self.kind = kind; self.message = message; self.field = field; self.retryAfter = retryAfter
    }

    public var description: String { message }
    public var isTransient: Bool { kind == .transient }

    public static func notFound(_ ref: RecordRef) -> CRMError {
        CRMError(.permanent, "\(ref.module) record \(ref.id) does not exist (it may have been deleted)")
    }

    public static func unknownModule(_ key: ModuleKey) -> CRMError {
        CRMError(.permanent, "the CRM has no module \"\(key)\"")
    }
}
