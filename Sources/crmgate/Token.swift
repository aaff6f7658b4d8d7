import ArgumentParser
import MailStore

/// `crmgate token create EMAIL`: API tokens for the embedded CRM's JSON API.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens for the JSON API.",
        subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for an account and print it (it is shown only once).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's email address.") var email: String

        func run() async throws {
            print(try await withStore(options.config) { try await $0.createToken(email: email) })
        }
    }
}
