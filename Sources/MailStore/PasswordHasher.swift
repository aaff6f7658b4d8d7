import Crypto
import _CryptoExtras
import Foundation

/// Salted PBKDF2-HMAC-SHA256 password hashes, stored as
/// `pbkdf2-sha256$<rounds>$<salt base64>$<hash base64>`: a 16-byte random salt, a 32-byte
/// key, 210,000 rounds (OWASP's recommendation for PBKDF2-HMAC-SHA256). Hashes with fewer
/// rounds are replaced at the next successful login.
public enum PasswordHasher {
    public static let rounds = 210_000

    /// True for a PBKDF2 hash made with fewer rounds than today's.
    public static func isOutdated(_ stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let made = Int(parts[1]) else { return false }
        return made < rounds
    }

    public static func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = rng.next() }
        return try hash(password, salt: salt, rounds: rounds)
    }

    static func hash(_ password: String, salt: [UInt8], rounds: Int) throws -> String {
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Constant-time comparison of a password with a stored hash; false for a malformed hash.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256",
              let rounds = Int(parts[1]), rounds >= 1,
              let salt = Data(base64Encoded: String(parts[2])),
              let expected = Data(base64Encoded: String(parts[3])),
              let actual = try? derive(password, salt: Array(salt), rounds: rounds)
        else { return false }
        guard actual.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(actual, expected) { difference |= a ^ b }
        return difference == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256,
            outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Hashing and checking for logins and password changes run on these threads of their own
    /// (half the cores, at least one), never on the threads and event loops that serve IMAP
    /// sessions: a burst of logins delays logins, not other users' commands.
    private static let pool: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "crmgate password hashing"
        queue.maxConcurrentOperationCount = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        queue.qualityOfService = .userInitiated
        return queue
    }()

    /// Runs `work` on the hashing threads.
    static func inPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.addOperation {
                lowerThreadPriority()
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// The hashing threads yield the CPU to the threads serving sessions: nice 10 for the
    /// calling thread (on Linux the nice value is a thread's own, and `who` 0 names the caller).
    /// A login storm then slows logins, not other users' commands.
    private static func lowerThreadPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    /// A random password of 20 characters from an unambiguous alphabet.
    public static func generatePassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(rng.next(upperBound: UInt(alphabet.count)))] })
    }
}
