import Foundation
import GRDB

/// The mailboxes every new account gets, with their SPECIAL-USE attribute (RFC 6154).
let defaultMailboxes: [(name: String, specialUse: String?)] = [
    ("INBOX", nil), ("Sent", "\\Sent"), ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"), ("Junk", "\\Junk"), ("Archive", "\\Archive"),
]

extension LocalStore {
    /// Creates an account with its default mailboxes, all subscribed.
    @discardableResult
    public func createUser(email: String, password: String) async throws -> UserID {
        let hash = try await PasswordHasher.inPool { try PasswordHasher.hash(password) }
        let email = email.trimmingCharacters(in: .whitespaces)
        return try await commits.write { db in
            if try UserRecord.filter(UserRecord.Columns.email == email).fetchCount(db) > 0 {
                throw MailStoreError.userExists(email)
            }
            var user = UserRecord(id: nil, email: email, passwordHash: hash, createdAt: Date())
            try user.insert(db)
            let userId = user.id!
            for (name, use) in defaultMailboxes {
                _ = try Self.insertMailbox(db, userId: userId, name: name, specialUse: use)
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscription(userId, name) VALUES (?, ?)").execute(arguments: [userId, name])
            }
            return UserID(rawValue: userId)
        }
    }

    /// The account of a user whose password lives on the upstream IMAP server (proxy mode),
    /// created on first login without mailboxes (the CRM tree is all crmgate stores for it) and
    /// with a hash no password matches. `created` is true when it is new.
    public func provisionUpstreamAccount(email: String) async throws -> (id: UserID, created: Bool) {
        let email = email.trimmingCharacters(in: .whitespaces)
        // Every login asks; only the first writes (and waits for its sync).
        let known = try await pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM user WHERE email = ?"), arguments: [email])
        }
        if let known { return (UserID(rawValue: known), false) }
        return try await commits.write { db in
            if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM user WHERE email = ?"), arguments: [email]) {
                return (UserID(rawValue: id), false)
            }
            var user = UserRecord(id: nil, email: email, passwordHash: Self.upstreamPasswordMarker, createdAt: Date())
            try user.insert(db)
            return (UserID(rawValue: user.id!), true)
        }
    }

    /// Stored instead of a hash for upstream accounts: not a PBKDF2 record, so it never verifies.
    static let upstreamPasswordMarker = "upstream"

    public func setPassword(email: String, password: String) async throws {
        let hash = try await PasswordHasher.inPool { try PasswordHasher.hash(password) }
        try await commits.write { db in
            try db.cachedStatement(sql: "UPDATE user SET passwordHash = ? WHERE email = ?").execute(arguments: [hash, email])
            if db.changesCount == 0 { throw MailStoreError.userNotFound(email) }
        }
        credentials.forget(email: email)
    }

    /// Sets the time zone (an IANA name) the account reads times in; nil follows its policy's.
    public func setTimeZone(email: String, _ zone: String?) async throws {
        try await commits.write { db in
            try db.cachedStatement(sql: "UPDATE user SET timeZone = ? WHERE email = ?").execute(arguments: [zone, email])
            if db.changesCount == 0 { throw MailStoreError.userNotFound(email) }
        }
    }

    /// The account's own time zone, nil when it follows its policy's.
    public func timeZone(email: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT timeZone FROM user WHERE email = ? COLLATE NOCASE"), arguments: [email])
        }
    }

    public func listUsers() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT email FROM user ORDER BY email"))
        }
    }

    /// The account for these credentials, or nil. Slow on purpose (PBKDF2), also for unknown
    /// users, unless the same password was verified against the same stored hash lately. A
    /// hash made with weaker parameters than today's is replaced once the password checks.
    public func authenticate(email: String, password: String) async throws -> UserID? {
        let row = try await pool.read { db -> (id: Int64, passwordHash: String)? in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, passwordHash FROM user WHERE email = ?"), arguments: [email])
                .map { ($0["id"], $0["passwordHash"]) }
        }
        if let row, credentials.contains(email: email, password: password, storedHash: row.passwordHash) {
            return UserID(rawValue: row.id)
        }
        // Without the account, the same work against a decoy, so that timing does not reveal which accounts exist.
        let stored = row?.passwordHash ?? Self.decoyHash
        let matches = try await PasswordHasher.inPool { PasswordHasher.verify(password, against: stored) }
        guard let row, matches else { return nil }
        var current = row.passwordHash
        if PasswordHasher.isOutdated(current) {
            let upgraded = try await PasswordHasher.inPool { try PasswordHasher.hash(password) }
            try await commits.write { db in
                // Only if the password did not change meanwhile.
                try db.cachedStatement(sql: "UPDATE user SET passwordHash = ? WHERE id = ? AND passwordHash = ?")
                    .execute(arguments: [upgraded, row.id, row.passwordHash])
            }
            current = upgraded
        }
        credentials.remember(email: email, password: password, storedHash: current)
        return UserID(rawValue: row.id)
    }

    private static let decoyHash = "pbkdf2-sha256$\(PasswordHasher.rounds)$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
}

extension LocalStore {
    /// Every account with its id, by email address.
    public func accounts() async throws -> [(id: UserID, email: String)] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, email FROM user ORDER BY email")).map { (UserID(rawValue: $0["id"]), $0["email"]) }
        }
    }
}
