import ArgumentParser
import CRM
import EmbeddedCRM
import Foundation
import MailStore

/// `crmgate demo seed`: demo data in the embedded CRM, with a gateway account per CRM user.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Demo data for the embedded CRM.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill an empty embedded CRM with demo data and create a mail account (printed password) for each demo user.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let config = try loadConfiguration(options.config)
            guard !config.crm.isRemote else {
                throw StartupError("demo seed fills the embedded CRM, and \(options.config) uses a \(config.crm.kind) CRM; scripts/bottlecrm seeds a development BottleCRM")
            }
            let crm = try openEmbeddedCRM(config)
            defer { try? crm.close() }
            let store = try openStore(config)
            defer { try? store.close() }
            guard try await crm.users().isEmpty else {
                throw StartupError("the embedded CRM in \(config.storage.path) already has users; demo seed only fills an empty CRM")
            }
            var demo = DemoData(crm: crm, today: Date())
            let users = try await demo.seed()
            print("Demo data created in the embedded CRM. Sign in (web UI \(config.web.publicURL), IMAP \(config.imap.host)) with:")
            for user in users {
                let password = PasswordHasher.generatePassword()
                do {
                    try await store.createUser(email: user.email, password: password)
                    print("  \(user.email)  password: \(password)")
                } catch MailStoreError.userExists {
                    print("  \(user.email)  (mail account already exists; password unchanged)")
                }
            }
        }
    }
}
