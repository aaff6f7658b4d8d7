extension GatewayConfiguration {
    /// `[crm]`: which CRM crmgate talks to.
    public struct CRM: Sendable, Equatable {
        /// The connectors crmgate has.
        public static let kinds = ["embedded"]

        /// `kind`: the connector; "embedded" is crmgate's own CRM, stored beside the mail.
        public var kind: String
        /// `name`: the CRM's name as users see it (the default name of the CRM folder).
        public var name: String

        public init(kind: String = "embedded", name: String = "Embedded CRM") {
            self.kind = kind
            self.name = name
        }
    }
}

extension GatewayConfiguration.CRM: ConfigurationSection {
    static let sectionName = "crm"

    mutating func read(from table: inout TableReader) throws(ConfigurationError) {
        try table.read("kind", into: &kind, .oneOf(noun: "CRM connector", Self.kinds))
        try table.read("name", into: &name, .nonEmpty("the CRM's name as users see it"))
    }
}
