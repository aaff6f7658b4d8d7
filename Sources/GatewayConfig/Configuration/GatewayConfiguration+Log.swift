extension GatewayConfiguration {
    /// `[log]`: how much crmgate logs.
    public struct Log: Sendable, Equatable {
        /// The accepted values of `level`, from most to least verbose (swift-log's levels).
        public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

        /// `level`: the least severe level that is logged; one of `Log.levels`.
        public var level: String

        public init(level: String = "info") {
            self.level = level
        }
    }
}

extension GatewayConfiguration.Log: ConfigurationSection {
    static let sectionName = "log"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        try table.read("level", into: &level, .oneOf(noun: "log level", Self.levels))
    }
}
