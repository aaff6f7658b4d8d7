/// One behaviour every connector must show, runnable against any `ContractFixture`.
public struct ContractCheck: Sendable, CustomStringConvertible {
    /// What the check expects, as a sentence ("findPeople matches contacts by email ignoring case").
    public let name: String
    /// Throws `ContractViolation` (or the connector's own error) when the connector misbehaves.
    public let run: @Sendable (ContractFixture) async throws -> Void

    public init(_ name: String, run: @escaping @Sendable (ContractFixture) async throws -> Void) {
        self.name = name
        self.run = run
    }

    public var description: String { name }
}

/// A connector broke the contract; `message` says what was expected and what came instead.
public struct ContractViolation: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
