import Crypto
import Foundation
import Synchronization

/// Credentials verified lately, as Dovecot's auth cache keeps them: a re-login with the
/// same password skips the deliberately slow hash. An entry holds no password, only an
/// HMAC of it under a key made at start-up and never stored, together with the stored hash
/// it was checked against: a password changed anywhere (another process included) no
/// longer matches, and `forget` drops an account's entry at once.
final class CredentialCache: Sendable {
    private struct Entry {
        var secret: [UInt8]
        var storedHash: String
        var expires: ContinuousClock.Instant
    }

    private let key = SymmetricKey(size: .bits256)
    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration = .seconds(300), capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// True when `password` was verified for `email` against this very stored hash lately.
    func contains(email: String, password: String, storedHash: String, now: ContinuousClock.Instant = .now) -> Bool {
        let secret = mac(password), key = email.lowercased()
        return entries.withLock { table in
            guard let entry = table[key] else { return false }
            guard entry.expires > now else {
                table.removeValue(forKey: key)
                return false
            }
            return entry.storedHash == storedHash && Self.equal(entry.secret, secret)
        }
    }

    func remember(email: String, password: String, storedHash: String, now: ContinuousClock.Instant = .now) {
        let entry = Entry(secret: mac(password), storedHash: storedHash, expires: now + lifetime)
        entries.withLock { table in
            if table.count >= capacity { table = table.filter { $0.value.expires > now } }
            if table.count < capacity { table[email.lowercased()] = entry }
        }
    }

    func forget(email: String) {
        _ = entries.withLock { $0.removeValue(forKey: email.lowercased()) }
    }

    private func mac(_ password: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: key))
    }

    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
