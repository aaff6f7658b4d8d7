extension GatewayConfiguration {
    /// `[storage]`: where crmgate keeps its mail store and state.
    public struct Storage: Sendable, Equatable {
        /// `path`: data directory, relative to the working directory unless absolute.
        public var path: String

        public init(path: String = "data") {
            self.path = path
        }
    }
}

extension GatewayConfiguration.Storage: ConfigurationSection {
    static let sectionName = "storage"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("path", into: &path, .nonEmpty("the path of the data directory"))
    }
}
