import GatewayConfig
import Synchronization

/// The configuration as last loaded, for what reads it per request (the web UI's scopes,
/// administrators and policy time zones): `crmgate reload` replaces it.
final class LiveConfiguration: Sendable {
    private let current: Mutex<GatewayConfiguration>

    init(_ configuration: GatewayConfiguration) {
        current = Mutex(configuration)
    }

    func apply(_ configuration: GatewayConfiguration) {
        current.withLock { $0 = configuration }
    }

    /// The policy of an account, or the defaults when it follows none.
    func policy(for email: String) -> GatewayConfiguration.Policy {
        current.withLock { $0.policy(for: email) } ?? GatewayConfiguration.Policy()
    }

    func isAdministrator(_ email: String) -> Bool {
        current.withLock { configuration in configuration.web.admins.contains { $0.lowercased() == email.lowercased() } }
    }
}
