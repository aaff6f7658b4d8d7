import Foundation
import Synchronization

/// A signed-in browser session: who, until when, and the token forms must echo (CSRF).
public struct WebSession: Sendable {
    public var id: String
    public var identity: Identity
    public var csrfToken: String
    public var expires: Date
}

/// Browser sessions in memory: a restart signs everyone out, which is acceptable for
/// the embedded CRM's UI and keeps session secrets off disk.
public final class SessionStore: Sendable {
    private let sessions = Mutex<[String: WebSession]>([:])
    let lifetime: TimeInterval

    public init(lifetime: TimeInterval = 12 * 3600) {
        self.lifetime = lifetime
    }

    public func create(for identity: Identity, now: Date = Date()) -> WebSession {
        let session = WebSession(id: Self.randomToken(), identity: identity, csrfToken: Self.randomToken(),
                                 expires: now.addingTimeInterval(lifetime))
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[session.id] = session
        }
        return session
    }

    public func session(_ id: String, now: Date = Date()) -> WebSession? {
        sessions.withLock { table in
            guard let session = table[id] else { return nil }
            if session.expires <= now { table[id] = nil; return nil }
            return session
        }
    }

    public func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
