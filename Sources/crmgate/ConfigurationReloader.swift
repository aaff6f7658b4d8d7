import CRMFolders
import DAVBridge
import GatewayConfig
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration on SIGHUP (`crmgate reload`) and hands policy changes to the
/// CRM folders, the drops, the DAV bridge and the web UI (scopes, `[web] admins`, time
/// zones) without dropping a connection. A file with mistakes is reported and the
/// running configuration kept; sections that need a restart are named in the log.
struct ConfigurationReloader: Service, CustomStringConvertible {
    let path: String
    let initial: GatewayConfiguration
    let folders: CRMFolderService?
    let drops: DropProcessor?
    let bridge: SyncBridge?
    let web: LiveConfiguration?
    let logger: Logger

    /// How service-lifecycle logs it: the file, not the configuration (which holds secrets).
    var description: String { "ConfigurationReloader(\(path))" }

    func run() async throws {
        var running = initial
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            let next: GatewayConfiguration
            do {
                next = try GatewayConfiguration.load(from: path)
            } catch {
                logger.error("configuration not reloaded: the file has a mistake; the running configuration stays",
                             metadata: ["error": "\(error)"])
                continue
            }
            let restartNeeded = [
                ("[imap]", next.imap != running.imap), ("[tls]", next.tls != running.tls),
                ("[storage]", next.storage != running.storage), ("[web]", !next.web.equalsApartFromAdministrators(running.web)),
                ("[crm] kind", next.crm.kind != running.crm.kind), ("[[module]]", next.modules != running.modules),
                ("[dav]", (next.dav == nil) != (running.dav == nil) || next.dav?.caFile != running.dav?.caFile),
            ].filter(\.1).map(\.0)
            if !restartNeeded.isEmpty {
                logger.warning("configuration changes that take effect only after a restart",
                               metadata: ["sections": "\(restartNeeded.joined(separator: ", "))"])
            }
            folders?.apply(next)
            drops?.apply(next)
            bridge?.apply(next)
            web?.apply(next)
            running = next
            logger.notice("configuration reloaded", metadata: ["config": "\(path)", "policies": "\(next.policies.count)"])
        }
    }
}

extension GatewayConfiguration.Web {
    /// Whether only `admins` differs: they apply at once, the rest of `[web]` at a restart.
    func equalsApartFromAdministrators(_ other: Self) -> Bool {
        var same = self
        same.admins = other.admins
        return same == other
    }
}
