import CRM
import Foundation

extension BottleCRMConnector {
    /// What `crmgate check-config` reports about one part of the connection.
    public struct Finding: Sendable {
        public var subject: String
        /// nil when it works; else what is wrong, in words an administrator can act on.
        public var problem: String?
    }

    /// Connects and finds out, without changing anything in BottleCRM, whether the token is
    /// accepted, whether its profile may read the users (an ADMIN), and whether each module
    /// can be read and written (a change of a record that does not exist: BottleCRM checks
    /// the token's scope first and answers 403, else 404).
    public func checkAccess() async -> [Finding] {
        var findings: [Finding] = []
        func probe(_ subject: String, _ body: () async throws -> Void) async {
            do {
                try await body()
                findings.append(Finding(subject: subject, problem: nil))
            } catch {
                findings.append(Finding(subject: subject, problem: "\(error)"))
            }
        }
        await probe("token") {
            guard let profile = try await client.get("/api/profile/")?["user_obj"], profile != .null else {
                throw CRMError(.permanent, "BottleCRM did not say whose token this is")
            }
            let email = profile["user_details"]["email"].string ?? "?"
            guard profile["role"].string == "ADMIN" else {
                throw CRMError(.permanent, "the token belongs to \(email), who is not an ADMIN of the organisation; crmgate needs an admin's token to read every user and record")
            }
        }
        // A token BottleCRM does not know fails everything alike: one line says it.
        if findings.last?.problem?.contains("refused crmgate's access token") == true { return findings }
        await probe("users") { _ = try await client.get("/api/users/", query: [("limit", "1")]) }
        await probe("custom fields") { _ = try await client.get("/api/custom-fields/") }
        let nobody = "00000000-0000-0000-0000-000000000000"
        for module in ModuleMapping.all {
            await probe("\(module.key): read") { _ = try await client.get(module.path, query: [("limit", "1")]) }
            await probe("\(module.key): write") { _ = try await client.send(.PATCH, module.path + nobody + "/", body: .object([:])) }
        }
        await probe("interactions: read") { _ = try await client.send(.GET, "/api/interactions/", query: [("opportunity", nobody)]) }
        await probe("activity feed: read") { _ = try await client.get("/api/activities/", query: [("limit", "1")]) }
        return findings
    }
}
