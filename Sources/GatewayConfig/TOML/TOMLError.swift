/// A TOML syntax or structure error at a 1-based line and column
/// (columns count Unicode scalars).
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 7, column 12: expected '=' after key "port"`
    public var description: String { "line \(line), column \(column): \(message)" }
}
