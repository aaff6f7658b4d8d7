extension GatewayConfiguration {
    /// `[crm]`: which CRM crmgate talks to.
    public struct CRM: Sendable, Equatable {
        /// The connectors crmgate has.
        public static let kinds = ["embedded"]

        /// `kind`: the connector; "embedded" is crmgate's own CRM, stored beside the mail.
        public var kind: String
        /// `name`: the CRM's name as users see it (the default name of the CRM folder).
        public var name: String
        /// `poll_interval`: seconds between checks for changes, for CRMs that cannot notify.
        public var pollInterval: Int
        /// `retry_limit`: how often a drop is tried while the CRM is unreachable (back-off from
        /// 5 s, doubling, at most an hour apart) before it is reported as failed.
        public var retryLimit: Int

        public init(kind: String = "embedded", name: String = "Embedded CRM", pollInterval: Int = 60, retryLimit: Int = 50) {
            self.kind = kind
            self.name = name
            self.pollInterval = pollInterval
            self.retryLimit = retryLimit
        }
    }
}

extension GatewayConfiguration.CRM: ConfigurationSection {
    static let sectionName = "crm"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        try table.read("kind", into: &kind, .oneOf(noun: "CRM connector", Self.kinds))
        try table.read("name", into: &name, .nonEmpty("the CRM's name as users see it"))
        try table.read("poll_interval", into: &pollInterval, .positive("seconds"))
        try table.read("retry_limit", into: &retryLimit, .positive("attempts"))
    }
}
