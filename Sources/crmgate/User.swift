import ArgumentParser
import Foundation
import MailStore

/// `crmgate user add|list|passwd|timezone`: gateway accounts of the embedded store.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage gateway accounts.",
        subcommands: [Add.self, List.self, Passwd.self, TimeZoneCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account; the password is read from standard input, or generated and printed when stdin is a terminal or empty.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's email address, also its login name.") var email: String

        func run() async throws {
            try validateEmail(email)
            let (password, generated) = readPassword()
            try await withStore(options.config) { try await $0.createUser(email: email, password: password) }
            print(generated ? "Created \(email) with password: \(password)" : "Created \(email)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            for email in try await withStore(options.config, { try await $0.listUsers() }) { print(email) }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a new password; read from standard input, or generated and printed.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's email address.") var email: String

        func run() async throws {
            let (password, generated) = readPassword()
            try await withStore(options.config) { try await $0.setPassword(email: email, password: password) }
            print(generated ? "New password for \(email): \(password)" : "Password changed for \(email)")
        }
    }
}

extension User {
    struct TimeZoneCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "timezone",
            abstract: "Show or set the time zone an account reads times in (summary emails, the web UI).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's email address.") var email: String
        @Argument(help: "An IANA time zone such as Europe/Berlin; \"policy\" follows the policy's time_zone again. Without it, the current one is shown.")
        var zone: String?

        func run() async throws {
            guard let zone else {
                let current = try await withStore(options.config) { try await $0.timeZone(email: email) }
                print(current.map { "\(email): \($0)" } ?? "\(email): the policy's time_zone (else the server's, \(TimeZone.current.identifier))")
                return
            }
            if zone == "policy" {
                try await withStore(options.config) { try await $0.setTimeZone(email: email, nil) }
                print("\(email) now follows the policy's time zone")
                return
            }
            guard let known = TimeZone(identifier: zone) else {
                throw ValidationError("\"\(zone)\" is not a time zone; use an IANA name such as Europe/Berlin or America/New_York")
            }
            try await withStore(options.config) { try await $0.setTimeZone(email: email, known.identifier) }
            print("\(email) now reads times in \(known.identifier)")
        }
    }
}

/// The first line of standard input when it is piped, else a generated password.
private func readPassword() -> (password: String, generated: Bool) {
    if isatty(STDIN_FILENO) == 0, let line = Swift.readLine(strippingNewline: true), !line.isEmpty {
        return (line, false)
    }
    return (PasswordHasher.generatePassword(), true)
}

private func validateEmail(_ email: String) throws {
    let parts = email.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(where: \.isWhitespace) else {
        throw ValidationError("\"\(email)\" is not an email address (expected name@domain)")
    }
}
