import ArgumentParser
import Foundation
import GatewayConfig
import Logging
import MailStore
import CRM
import EmbeddedCRM
import Sync

/// Loads the configuration, turning its errors into a one-line message for the administrator.
func loadConfiguration(_ path: String) throws -> GatewayConfiguration {
    do {
        return try GatewayConfiguration.load(from: path)
    } catch {
        throw StartupError("\(error)")
    }
}

/// Writes `text` and a new line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Runs `body` with the mail store of the configuration at `path`, closing it afterwards;
/// store errors become one-line messages for the administrator.
@discardableResult
func withStore<T>(_ path: String, _ body: (LocalStore) async throws -> T) async throws -> T {
    let store = try openStore(try loadConfiguration(path))
    defer { try? store.close() }
    do {
        return try await body(store)
    } catch let error as MailStoreError {
        throw StartupError(error.description)
    }
}

func openStore(_ config: GatewayConfiguration) throws -> LocalStore {
    do {
        return try LocalStore(directory: config.storage.path)
    } catch {
        throw StartupError("cannot open the mail store in \(config.storage.path): \(error)")
    }
}


/// A failure an administrator can act on, printed as one line (without usage help).
struct StartupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The embedded CRM's database, beside the mail store.
func openEmbeddedCRM(_ config: GatewayConfiguration) throws -> EmbeddedCRM {
    guard let url = URL(string: config.web.publicURL) else {
        throw StartupError("\(config.web.publicURL) (web.public_url) is not a URL")
    }
    let custom = try config.modules.map { try ModuleDefinition(configured: $0) }
    do {
        return try EmbeddedCRM(path: (config.storage.path as NSString).appendingPathComponent("crm.sqlite"),
                               publicURL: url, customModules: custom, displayName: config.crm.name)
    } catch {
        throw StartupError("\(error)")
    }
}

/// The sync engine's state, beside the mail store.
func openSyncState(_ config: GatewayConfiguration) throws -> SyncStateStore {
    do {
        return try SyncStateStore(directory: config.storage.path)
    } catch {
        throw StartupError("cannot open the sync state in \(config.storage.path): \(error)")
    }
}
