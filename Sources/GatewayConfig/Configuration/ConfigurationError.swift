/// Why a configuration could not be loaded: the file, the line and dotted key
/// (`imap.port`) or TOML position at fault, and advice on what to write instead.
///
/// A file with several mistakes throws the first, carrying the rest in `following`,
/// so an administrator fixes them all in one go.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the administrator named it, e.g. `conf/crmgate.toml`.
    public var file: String
    /// The dotted key at fault (`imap.port`), the section (`imap`), or nil for the whole file.
    public var key: String?
    /// The line at fault; the column too for a TOML syntax error.
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The file's further mistakes, in the order of their lines.
    public var following: [ConfigurationError] = []

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

    /// This mistake and the following ones.
    public var all: [ConfigurationError] {
        var first = self
        first.following = []
        return [first] + following
    }

    /// `conf/crmgate.toml: line 3: imap.port: expected an integer from 0 to 65535, got "abc"`, or
    /// `conf/crmgate.toml: line 7, column 12: expected '=' after key "port"`; one line per mistake.
    public var description: String {
        all.map { error in
            var parts = [error.file]
            if let line = error.line { parts.append(error.column.map { "line \(line), column \($0)" } ?? "line \(line)") }
            if let key = error.key { parts.append(key) }
            parts.append(error.message)
            return parts.joined(separator: ": ")
        }.joined(separator: "\n")
    }
}
