/// A section whose description (in logs, `String(describing:)`, nested in the whole
/// configuration's) leaves its secrets out: a secret that is set shows as `<redacted>`.
protocol RedactedDescription: CustomStringConvertible, CustomDebugStringConvertible {
    /// The names of the properties that hold secrets.
    static var secretProperties: Set<String> { get }
}

extension RedactedDescription {
    public var description: String {
        let parts = Mirror(reflecting: self).children.map { child -> String in
            let label = child.label ?? "_"
            if Self.secretProperties.contains(label), let text = child.value as? String, !text.isEmpty {
                return "\(label): <redacted>"
            }
            return "\(label): \(String(reflecting: child.value))"
        }
        return "\(Self.self)(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }
}

extension GatewayConfiguration.CRM: RedactedDescription {
    static let secretProperties: Set<String> = ["token", "webhookSecret"]
}

extension GatewayConfiguration.DAV: RedactedDescription {
    static let secretProperties: Set<String> = ["password"]
}
