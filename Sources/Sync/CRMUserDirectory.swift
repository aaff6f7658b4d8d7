import CRM
import Synchronization

/// The CRM users of gateway accounts, by email address, looked up at most once per
/// `lifetime`: routing the change feed asks for every account on every round, and a
/// remote CRM should not be asked that often.
public final class CRMUserDirectory: Sendable {
    let connector: any CRMConnector
    let lifetime: Duration
    private let cache = Mutex<(users: [String: CRMUser?], since: ContinuousClock.Instant?)>(([:], nil))

    public init(connector: any CRMConnector, lifetime: Duration = .seconds(600)) {
        self.connector = connector
        self.lifetime = lifetime
    }

    /// The CRM user with this email address, nil when there is none.
    public func user(_ email: String) async throws -> CRMUser? {
        let key = email.lowercased()
        let now = ContinuousClock.now
        let known = cache.withLock { cache -> CRMUser?? in
            if let since = cache.since, now - since > lifetime { cache = ([:], nil) }
            return cache.users[key]
        }
        if let known { return known }
        let user = try await connector.user(email: email)
        cache.withLock { cache in
            cache.users[key] = .some(user)
            if cache.since == nil { cache.since = now }
        }
        return user
    }

    /// Forgets everything (a configuration reload).
    public func reset() {
        cache.withLock { $0 = ([:], nil) }
    }
}
