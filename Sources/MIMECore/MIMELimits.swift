/// Bounds on the work `MessageIndex.parse` does for one message, so hostile input cannot
/// exhaust stack or memory. Content beyond a limit stays in the raw bytes of the enclosing part.
public struct MIMELimits: Hashable, Sendable {
    /// Deepest nesting of multiparts and encapsulated messages that is split into parts.
    public var maxDepth: Int
    /// Most parts (of any kind) recorded for one message.
    public var maxParts: Int
    /// Most header fields recorded per header section; further fields are skipped.
    public var maxHeaderFields: Int

    public init(maxDepth: Int = 32, maxParts: Int = 2000, maxHeaderFields: Int = 5000) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxHeaderFields = maxHeaderFields
    }
}
