import ArgumentParser

/// The crmgate executable: one binary for the server and its administration.
@main
struct CrmGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmgate",
        abstract: "An IMAP server that puts a CRM inside every mail client.",
        version: "crmgate \(crmgateVersion)",
        subcommands: [Serve.self, CheckConfig.self, Reload.self, Status.self, SyncCommand.self, User.self, Token.self, Demo.self])
}

/// The release, printed by `crmgate --version` and in the start-up log line.
let crmgateVersion = "0.18.0"

/// Options every subcommand shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file; relative paths in it resolve against the current directory.")
    var config: String = "conf/crmgate.toml"
}
