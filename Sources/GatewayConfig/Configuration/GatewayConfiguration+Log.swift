extension GatewayConfiguration {
    /// `[log]`: how much crmgate logs, in which format, to which stream.
    public struct Log: Sendable, Equatable {
        /// The accepted values of `level`, from most to least verbose (swift-log's levels).
        public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        /// `text` is swift-log's line for people; `logfmt` and `json` are for journald and log shippers.
        public static let formats = ["text", "logfmt", "json"]
        public static let outputs = ["stderr", "stdout"]

        /// `level`: the least severe level that is logged; one of `Log.levels`.
        public var level: String
        /// `format`: one of `Log.formats`.
        public var format: String
        /// `output`: `stderr` (default) or `stdout`; under systemd both reach the journal.
        public var output: String

        public init(level: String = "info", format: String = "text", output: String = "stderr") {
            self.level = level
            self.format = format
            self.output = output
        }
    }
}

extension GatewayConfiguration.Log: ConfigurationSection {
    static let sectionName = "log"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        table.read("level", into: &level, .oneOf(noun: "log level", Self.levels))
        table.read("format", into: &format, .oneOf(noun: "log format", Self.formats))
        table.read("output", into: &output, .oneOf(noun: "log output", Self.outputs))
    }
}
