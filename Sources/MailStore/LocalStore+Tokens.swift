import Crypto
import Foundation
import GRDB

extension LocalStore {
    /// Creates an API token for an account and returns it; only its hash is stored,
    /// so this is the one time it can be shown.
    public func createToken(email: String) async throws -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = rng.next() }
        let token = "cgt_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let hash = Self.tokenHash(token)
        try await commits.write { db in
            guard let userId = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM user WHERE email = ?"), arguments: [email]) else {
                throw MailStoreError.userNotFound(email)
            }
            try db.cachedStatement(sql: "INSERT INTO apiToken(hash, userId, createdAt) VALUES (?, ?, ?)").execute(arguments: [hash, userId, Date()])
        }
        return token
    }

    /// The account an API token belongs to, or nil for an unknown token.
    public func account(forToken token: String) async throws -> (id: UserID, email: String)? {
        let hash = Self.tokenHash(token)
        let row = try await pool.read { db -> (id: Int64, email: String)? in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT u.id, u.email FROM apiToken t JOIN user u ON u.id = t.userId WHERE t.hash = ?"),
                             arguments: [hash]).map { ($0["id"], $0["email"]) }
        }
        return row.map { (UserID(rawValue: $0.id), $0.email) }
    }

    static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
