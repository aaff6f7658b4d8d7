import BottleCRM
import CRM
import EmbeddedCRM
import Foundation
import GatewayConfig
import Logging

/// The CRM of the configuration: its connector and, for the embedded CRM, the database the
/// web UI serves; a remote connector's HTTP client is shut down by `close()`.
struct OpenedCRM: Sendable {
    let connector: any CRMConnector
    let embedded: EmbeddedCRM?
    let bottle: BottleCRMConnector?

    func close() async {
        try? embedded?.close()
        try? await bottle?.shutdown()
    }
}

func openCRM(_ config: GatewayConfiguration, configPath: String, logger: Logger) throws -> OpenedCRM {
    switch config.crm.kind {
    case "bottlecrm":
        let connector = try openBottleCRM(config, configPath: configPath, logger: logger)
        return OpenedCRM(connector: connector, embedded: nil, bottle: connector)
    default:
        let crm = try openEmbeddedCRM(config)
        return OpenedCRM(connector: crm, embedded: crm, bottle: nil)
    }
}

/// The BottleCRM connector of `[crm]`: its token from `token_file` (or `token`, with a
/// warning when the configuration file can be read by everyone), its copy beside the mail.
func openBottleCRM(_ config: GatewayConfiguration, configPath: String, logger: Logger) throws -> BottleCRMConnector {
    let crm = config.crm
    guard let url = URL(string: crm.url) else { throw StartupError("\(crm.url) (crm.url) is not a URL") }
    var token = crm.token
    if !crm.tokenFile.isEmpty {
        do {
            token = try String(contentsOfFile: crm.tokenFile, encoding: .utf8)
                .split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        } catch {
            throw StartupError("cannot read the BottleCRM token file \(crm.tokenFile) (crm.token_file): \(error.localizedDescription)")
        }
        guard !token.isEmpty else { throw StartupError("the BottleCRM token file \(crm.tokenFile) (crm.token_file) is empty") }
    } else if let attributes = try? FileManager.default.attributesOfItem(atPath: configPath),
              let mode = attributes[.posixPermissions] as? Int, mode & 0o004 != 0 {
        logger.warning("the BottleCRM token is in a configuration file everyone may read; move it to a file of its own (crm.token_file) or chmod o-r the configuration",
                       metadata: ["file": "\(configPath)"])
    }
    let settings = BottleCRMSettings(url: url, token: token, caFile: crm.caFile.isEmpty ? nil : crm.caFile,
                                     timeout: .seconds(crm.timeout), pollInterval: .seconds(crm.pollInterval))
    do {
        return try BottleCRMConnector(settings: settings, mirrorPath: (config.storage.path as NSString).appendingPathComponent("bottlecrm.sqlite"),
                                      displayName: crm.name, logger: logger)
    } catch {
        throw StartupError("\(error)")
    }
}
