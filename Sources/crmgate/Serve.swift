import ArgumentParser
import GatewayConfig
import IMAPServer
import Logging
import MailStore
import NIOSSL
import ServiceLifecycle

/// `crmgate serve`: runs every configured service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (IMAP listeners) until SIGTERM.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try loadConfiguration(options.config)
        let logger = makeLogger(config.log.level)
        let tls: NIOSSLContext
        do {
            tls = try TLSSetup.makeContext(certificatePath: config.tls.cert, keyPath: config.tls.key, logger: logger)
        } catch {
            throw StartupError("\(error)")
        }
        let store = try openStore(config)
        let imap = IMAPService(configuration: config.imap, store: store, tls: tls, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: imap)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.notice("crmgate starting", metadata: ["config": "\(options.config)", "storage": "\(config.storage.path)"])
        try await group.run()
        try store.close()
        logger.notice("crmgate stopped")
    }
}
