import IMAPCore
import MailStore

/// QUOTA (RFC 9208): one quota root per account, `""`, with the STORAGE (KiB) and MESSAGE
/// limits of `[imap] quota_mb` and `quota_messages`; the CRM's own folders do not count.
/// Limits are the administrator's: SETQUOTA is refused.
extension LocalBackend {
    static let quotaRoot = ""

    /// The resources with a limit, and the account's usage of each.
    func quotaResources() async throws -> [QuotaResource] {
        let usage = try await store.usage(of: try userID)
        var resources: [QuotaResource] = []
        if configuration.quotaMegabytes > 0 {
            resources.append(QuotaResource("STORAGE", usage: UInt64((usage.bytes + 1023) / 1024), limit: UInt64(configuration.quotaMegabytes) * 1024))
        }
        if configuration.quotaMessages > 0 {
            resources.append(QuotaResource("MESSAGE", usage: UInt64(usage.messages), limit: UInt64(configuration.quotaMessages)))
        }
        return resources
    }

    /// GETQUOTAROOT: the mailbox's root (none without limits) and that root's quota.
    func getQuotaRoot(tag: String, name: String) async throws {
        _ = try await store.mailbox(of: try userID, named: name)
        let resources = try await quotaResources()
        send(.untagged(.quotaRoot(encodeName(name), roots: resources.isEmpty ? [] : [Self.quotaRoot])))
        if !resources.isEmpty { send(.untagged(.quota(root: Self.quotaRoot, resources))) }
        try await ok(tag, "GETQUOTAROOT completed")
    }

    /// GETQUOTA: the account's root, `""`.
    func getQuota(tag: String, root: String) async throws {
        let resources = try await quotaResources()
        guard root == Self.quotaRoot, !resources.isEmpty else {
            throw CommandFailure(code: .nonExistent, text: "No quota root \"\(root)\"; GETQUOTAROOT names the one of a mailbox")
        }
        send(.untagged(.quota(root: root, resources)))
        try await ok(tag, "GETQUOTA completed")
    }

    /// NO [OVERQUOTA] when `messages` more messages of `bytes` octets would pass a limit.
    func checkQuota(adding messages: Int, bytes: Int) async throws {
        guard configuration.quotaMegabytes > 0 || configuration.quotaMessages > 0 else { return }
        let usage = try await store.usage(of: try userID)
        if configuration.quotaMessages > 0, usage.messages + messages > configuration.quotaMessages {
            throw CommandFailure(code: .overQuota, text: "The mailbox is full: \(usage.messages) of \(configuration.quotaMessages) messages; delete some and expunge")
        }
        if configuration.quotaMegabytes > 0, usage.bytes + bytes > configuration.quotaMegabytes * 1_048_576 {
            throw CommandFailure(code: .overQuota, text: "The mailbox is full: \((usage.bytes + 1023) / 1024) KiB of \(configuration.quotaMegabytes * 1024) KiB used; delete some mail and expunge")
        }
    }
}
