import Foundation

/// The whole configuration of crmgate, as read from `conf/crmgate.toml`:
/// one nested struct per TOML section, every field with its default.
///
/// Relative paths (TLS files, storage) are kept as written; the server resolves
/// them against the directory it was started in.
public struct GatewayConfiguration: Sendable, Equatable {
    public var imap: IMAP
    public var tls: TLS
    public var storage: Storage
    public var web: Web
    public var crm: CRM
    public var log: Log
    /// `[upstream]`: the user's real IMAP server (proxy mode); nil serves all mail locally.
    public var upstream: Upstream?
    /// `[dav]`: the users' CardDAV server (the contacts bridge); nil syncs no address books.
    public var dav: DAV?
    /// `[[policy]]` tables, in file order; without any, nobody sees CRM folders.
    public var policies: [Policy]
    /// `[[module]]` tables: custom modules of the embedded CRM.
    public var modules: [CustomModule]

    public init(imap: IMAP = .init(), tls: TLS = .init(), storage: Storage = .init(), web: Web = .init(),
                crm: CRM = .init(), log: Log = .init(), upstream: Upstream? = nil, dav: DAV? = nil, policies: [Policy] = [], modules: [CustomModule] = []) {
        self.imap = imap
        self.tls = tls
        self.storage = storage
        self.web = web
        self.crm = crm
        self.log = log
        self.upstream = upstream
        self.dav = dav
        self.policies = policies
        self.modules = modules
    }

    /// Reads and validates the TOML file at `path`; a missing or unreadable file is an error naming it.
    public static func load(from path: String) throws(ConfigurationError) -> GatewayConfiguration {
        let text = try ConfigurationFile.read(path)
        return try parse(text, source: path)
    }

    /// Parses and validates configuration text; `source` names it in errors.
    public static func parse(_ text: String, source: String) throws(ConfigurationError) -> GatewayConfiguration {
        let document: TOMLDocument
        do {
            document = try TOMLDocument.parse(text)
        } catch {
            throw ConfigurationError(file: source, syntax: error)
        }
        let mistakes = ConfigurationMistakes(file: source, keyLines: document.keyLines)
        var root = TableReader(document.root, mistakes: mistakes)
        var configuration = GatewayConfiguration()
        root.read(&configuration.imap)
        root.read(&configuration.tls)
        root.read(&configuration.storage)
        root.read(&configuration.web)
        root.read(&configuration.crm)
        root.read(&configuration.log)
        configuration.upstream = root.readOptional { Upstream() }
        configuration.dav = root.readOptional { DAV() }
        root.read(&configuration.policies) { GatewayConfiguration.Policy() }
        root.read(&configuration.modules) { GatewayConfiguration.CustomModule() }
        root.rejectUnknownKeys()
        // Policies are compared only once each reads cleanly: a bad `users` reads as the default "*".
        if mistakes.count == 0 { checkPolicies(configuration.policies, root) }
        try mistakes.throwIfAny()
        return configuration
    }

    /// Every account follows at most one policy.
    private static func checkPolicies(_ policies: [Policy], _ root: TableReader) {
        var owner: [String: String] = [:]
        for (i, policy) in policies.enumerated() {
            for user in policy.users.map({ $0.lowercased() }) {
                if let other = owner[user] {
                    let who = user == "*" ? "\"*\" (every other account)" : user
                    root.mistakes.note(root.error(at: ["policy[\(i + 1)]", "users"], "\(who) is in the policies \(other) and \(policy.name); an account follows one policy"))
                }
                owner[user] = policy.name
            }
            if policies[..<i].contains(where: { $0.name == policy.name }) {
                root.mistakes.note(root.error(at: ["policy[\(i + 1)]", "name"], "two policies are called \(policy.name); give each its own name"))
            }
        }
    }
}
