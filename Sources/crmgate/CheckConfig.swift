import ArgumentParser
import CRM
import Foundation
import GatewayConfig
import Logging

/// `crmgate check-config`: reads the configuration as `serve` would and, for a remote CRM,
/// connects and says what works, without starting anything or changing the CRM.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration file and, for a remote CRM, whether its token works and which modules it can read and write.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config: GatewayConfiguration
        do {
            config = try GatewayConfiguration.load(from: options.config)
        } catch {
            // Every mistake, each with its line and key, so they can all be fixed at once.
            let count = error.all.count
            printError("\(options.config): \(count) \(count == 1 ? "mistake" : "mistakes"); the configuration is not valid")
            printError(error.description)
            throw ExitCode(1)
        }
        print("\(options.config): the configuration is valid")
        guard config.crm.isRemote else {
            let custom = try config.modules.map { try ModuleDefinition(configured: $0).key.rawValue }
            let modules = ModuleDefinition.builtIns.map(\.key.rawValue) + custom
            print("CRM: embedded (\(config.crm.name)), in \(config.storage.path); modules: \(modules.joined(separator: ", "))")
            return
        }
        let opened = try openCRM(config, configPath: options.config, logger: Logger(label: "crmgate.check-config"))
        guard let bottle = opened.bottle else { return }
        let modules = try await bottle.modules().map(\.key.rawValue)
        print("CRM: \(config.crm.kind) (\(config.crm.name)); modules crmgate maps: \(modules.joined(separator: ", "))")
        print("Connecting to \(config.crm.url):")
        let findings = await bottle.checkAccess()
        for finding in findings {
            print("  \(finding.problem == nil ? "ok  " : "FAIL") \(finding.subject)\(finding.problem.map { ": \($0)" } ?? "")")
        }
        await opened.close()
        if findings.contains(where: { $0.problem != nil }) { throw ExitCode(1) }
    }
}
