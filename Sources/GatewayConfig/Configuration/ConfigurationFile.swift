import Foundation

/// Reads a configuration file's text, turning every failure into advice.
enum ConfigurationFile {
    static func read(_ path: String) throws(ConfigurationError) -> String {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let place = path.hasPrefix("/") ? "" : " (relative to the working directory \(manager.currentDirectoryPath))"
            throw ConfigurationError(
                file: path,
                message: "the configuration file does not exist\(place); create it, or pick another with crmgate serve --config FILE")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(file: path, message: "this is a directory; name the TOML configuration file inside it")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(file: path, message: "cannot read the configuration file: \(error.localizedDescription)")
        }
        guard data.count <= TOMLDocument.maximumInputBytes else {
            throw ConfigurationError(
                file: path,
                message: "the file is \(data.count) bytes long; a configuration file may be at most \(TOMLDocument.maximumInputBytes) bytes (1 MiB)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, message: "the file is not valid UTF-8 text; save it as UTF-8")
        }
        return text
    }
}
