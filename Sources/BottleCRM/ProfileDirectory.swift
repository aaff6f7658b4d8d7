import CRM
import Foundation

/// A BottleCRM profile (a user's membership of the organisation): crmgate's CRM user.
struct Profile: Sendable {
    /// The profile id: what `assigned_to` holds, and crmgate's `CRMUserID`.
    var id: String
    /// The user id: what `created_by` holds.
    var userID: String
    var email: String
    var name: String
    var active: Bool
    var isAdmin: Bool

    var user: CRMUser { CRMUser(id: CRMUserID(id), name: name, email: email, active: active) }

    /// Whether BottleCRM shows this record to the profile: admins see everything; others
    /// what they created or are assigned to (contacts also through their account's assignees).
    func sees(_ json: JSONValue, in module: ModuleKey) -> Bool {
        if isAdmin { return true }
        if BottleCRMConnector.assignees(json).contains(id) || BottleCRMConnector.creator(json) == userID { return true }
        if module == .contacts {
            return BottleCRMConnector.assignees(json["account_detail"]).contains(id) || BottleCRMConnector.assignees(json["account"]).contains(id)
        }
        return false
    }
}

/// BottleCRM's profiles by id and email, read with the admin token and kept for a while.
actor ProfileDirectory {
    private var byID: [String: Profile] = [:]
    private var byEmail: [String: Profile] = [:]
    private var readAt: ContinuousClock.Instant?

    func profile(email: String, client: BottleCRMClient, maxAge: Duration) async throws -> Profile? {
        try await refresh(client, maxAge: maxAge, missing: byEmail[email.lowercased()] == nil)
        return byEmail[email.lowercased()]
    }

    func profile(id: String, client: BottleCRMClient, maxAge: Duration) async throws -> Profile? {
        try await refresh(client, maxAge: maxAge, missing: byID[id] == nil)
        return byID[id]
    }

    /// Reads the profiles again when the copy is older than `maxAge`, or when a profile is
    /// missing and the copy is older than a few seconds (a user added just now).
    private func refresh(_ client: BottleCRMClient, maxAge: Duration, missing: Bool) async throws {
        if let readAt {
            let age = ContinuousClock.now - readAt
            if age < maxAge, !missing || age < .seconds(5) { return }
        }
        let answer = try await client.get("/api/users/", query: [("limit", "1000")])
        var profiles: [Profile] = []
        for (group, active) in [("active_users", true), ("inactive_users", false)] {
            for row in answer?[group][group].array ?? [] {
                guard let id = row["id"].string, let email = row["user_details"]["email"].string else { continue }
                profiles.append(Profile(id: id, userID: row["user_details"]["id"].string ?? "", email: email,
                                        name: row["user_details"]["name"].nonEmptyString ?? email,
                                        active: active && row["is_active"].bool != false, isAdmin: row["role"].string == "ADMIN"))
            }
        }
        byID = Dictionary(profiles.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        byEmail = Dictionary(profiles.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        readAt = .now
    }
}
