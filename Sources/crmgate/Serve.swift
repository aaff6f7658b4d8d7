import ArgumentParser
import Foundation
import BottleCRM
import CRM
import CRMFolders
import DAVBridge
import GatewayConfig
import IMAPClient
import IMAPServer
import Logging
import MailStore
import Metrics
import NIOSSL
import Prometheus
import ServiceLifecycle
import Upstream
import Web

/// `crmgate serve`: runs every configured service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (IMAP listeners, CRM folders, drop processing, web UI and JSON API) until SIGTERM.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try loadConfiguration(options.config)
        let logger = makeLogger(config.log)
        FileDescriptorLimit.raise(logger: logger)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let tls: NIOSSLContext
        do {
            tls = try TLSSetup.makeContext(certificatePath: config.tls.cert, keyPath: config.tls.key, logger: logger)
        } catch {
            throw StartupError("\(error)")
        }
        let store = try openStore(config)
        let opened = try openCRM(config, configPath: options.config, logger: logger)
        let crm = opened.connector
        let syncState = try openSyncState(config)
        // Folders run even without a policy, so that a reload can add one.
        let folders = CRMFolderService(store: store, connector: crm, state: syncState, configuration: config, logger: logger)
        let access: UpstreamAccess?
        do {
            access = try config.upstream.map { UpstreamAccess(settings: $0, masterPassword: try UpstreamAccess.masterPassword(for: $0)) }
        } catch {
            throw StartupError("\(error)")
        }
        let proxy = access.map { access in
            ProxySettings(access: access) { id, email in
                // A first login through the upstream: build the CRM tree before the client lists.
                await folders.synchronizeNewAccount(id, email: email)
            }
        }
        // Failed IMAP logins and web sign-ins are counted together.
        let throttle = LoginThrottle(configuration: config.imap)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: IMAPService(configuration: config.imap, store: store, tls: tls, logger: logger, proxy: proxy, throttle: throttle)),
        ]
        services.append(.init(service: folders))
        if let access { services.append(.init(service: UpstreamReturner(store: store, access: access, logger: logger))) }
        MemoryTrimmer.limitHeapRetention()
        services.append(.init(service: MemoryTrimmer(logger: logger)))
        let drops = DropProcessor(store: store, connector: crm, configuration: config, logger: logger)
        services.append(.init(service: drops))
        // The DAV bridge (contacts, leads, events, tasks) runs when [dav] names a server.
        let davHTTP = config.dav.map(SyncBridge.makeHTTPClient)
        let bridge = davHTTP.map { http in
            SyncBridge(connector: crm, state: syncState, configuration: config, http: http, logger: logger) {
                try await store.accounts().map(\.email)
            }
        }
        if let bridge { services.append(.init(service: bridge)) }
        let live = LiveConfiguration(config)
        services.append(.init(service: ConfigurationReloader(path: options.config, initial: config, folders: folders,
                                                             drops: drops, bridge: bridge, web: live, logger: logger)))
        if config.web.port != 0 {
            let metrics: (@Sendable () -> [UInt8])? = config.web.metrics ? { @Sendable in registry.emitToBuffer() } : nil
            // Proxy mode: the web UI takes the mail server's password too, as the IMAP login does.
            let passwordCheck: WebDependencies.PasswordCheck? = access.map { access in
                { @Sendable email, password in
                    guard access.settings.serves(email) else { return try await store.authenticate(email: email, password: password) != nil }
                    return try await access.checkPassword(of: email, password, logger: logger)
                }
            }
            // The web UI and the API reach the records of the account's policy scope, as its
            // mail folders do (an account under no policy gets the default policy's scope);
            // read per request, so that a reload applies to signed-in sessions too.
            let access: WebDependencies.AccessRule = { email in
                RecordAccess(policyScope: live.policy(for: email).scope, isAdministrator: live.isAdministrator(email))
            }
            let dependencies = WebDependencies(crm: opened.embedded, store: store, crmName: config.crm.name, metrics: metrics,
                                               passwordCheck: passwordCheck, throttle: throttle,
                                               webhook: opened.bottle.flatMap { webhookReceiver($0, secret: config.crm.webhookSecret, logger: logger) },
                                               access: access,
                                               policyTimeZone: { live.policy(for: $0).timeZone })
            services.append(.init(service: WebApplication.make(configuration: config.web, dependencies: dependencies, logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("crmgate starting", metadata: ["version": "\(crmgateVersion)", "config": "\(options.config)", "storage": "\(config.storage.path)",
                                                     "upstream": "\(config.upstream.map { "\($0.host):\($0.effectivePort)" } ?? "none")",
                                                     "crm": "\(config.crm.kind)\(config.crm.isRemote ? " \(config.crm.url)" : "")"])
        let pidFile = PIDFile(storage: config.storage.path)
        try pidFile.write()
        defer { pidFile.remove() }
        try await group.run()
        try await davHTTP?.shutdown()
        try store.close()
        await opened.close()
        logger.notice("crmgate stopped")
    }
}

/// The web endpoint for BottleCRM's webhooks when `[crm] webhook_secret` is set: a call
/// whose signature fails is refused with 401 and changes nothing.
func webhookReceiver(_ connector: BottleCRMConnector, secret: String, logger: Logger) -> WebDependencies.WebhookReceiver? {
    guard !secret.isEmpty else { return nil }
    let webhook = BottleCRMWebhook(secret: secret)
    return { headers, body in
        do {
            try webhook.verify(signature: headers["x-bottlecrm-signature"], body: body)
        } catch {
            logger.warning("BottleCRM webhook refused", metadata: ["reason": "\(error)"])
            return (401, "refused: \(error)")
        }
        do {
            let done = try await connector.receiveWebhook(body)
            logger.debug("BottleCRM webhook", metadata: ["event": "\(done)"])
            return (200, "ok")
        } catch {
            logger.warning("BottleCRM webhook not applied", metadata: ["error": "\(error)"])
            return (error as? CRMError)?.isTransient == false ? (400, "not applied") : (503, "not applied, send it again")
        }
    }
}
