import CRMFolders
import DAVBridge
import GatewayConfig
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration on SIGHUP (`crmgate reload`) and hands policy changes to the
/// CRM folders without dropping a connection. A file with mistakes is reported and the
/// running configuration kept; sections that need a restart are named in the log.
struct ConfigurationReloader: Service, CustomStringConvertible {
    let path: String
    let initial: GatewayConfiguration
    let folders: CRMFolderService?
    let drops: DropProcessor?
    let bridge: SyncBridge?
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
                ("[storage]", next.storage != running.storage), ("[web]", next.web != running.web),
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
            running = next
            logger.notice("configuration reloaded", metadata: ["config": "\(path)", "policies": "\(next.policies.count)"])
        }
    }
}
