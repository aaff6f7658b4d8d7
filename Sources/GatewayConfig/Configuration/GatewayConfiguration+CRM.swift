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

        public init(kind: String = "embedded", name: String = "Embedded CRM", pollInterval: Int = 60) {
            self.kind = kind
            self.name = name
            self.pollInterval = pollInterval
        }
    }
}

extension GatewayConfiguration.CRM: ConfigurationSection {
    static let sectionName = "crm"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        try table.read("kind", into: &kind, .oneOf(noun: "CRM connector", Self.kinds))
        try table.read("name", into: &name, .nonEmpty("the CRM's name as users see it"))
        try table.read("poll_interval", into: &pollInterval, .positive("seconds"))
    }
}
