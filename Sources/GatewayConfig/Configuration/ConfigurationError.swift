/// Why a configuration could not be loaded: the file, the dotted key
/// (`imap.port`) or TOML position at fault, and advice on what to write instead.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the administrator named it, e.g. `conf/crmgate.toml`.
    public var file: String
    /// The dotted key at fault (`imap.port`), the section (`imap`), or nil for the whole file.
    public var key: String?
    /// Position of a TOML syntax error.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, key: String? = nil, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.key = key
        self.line = line
        self.column = column
        self.message = message
    }

    /// A TOML syntax error in `file`.
    public init(file: String, syntax: TOMLError) {
        self.init(file: file, line: syntax.line, column: syntax.column, message: syntax.message)
    }

    /// `conf/crmgate.toml: imap.port: expected an integer from 0 to 65535, got "abc"`, or
    /// `conf/crmgate.toml: line 7, column 12: expected '=' after key "port"`.
    public var description: String {
        var parts = [file]
        if let line, let column { parts.append("line \(line), column \(column)") }
        if let key { parts.append(key) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
