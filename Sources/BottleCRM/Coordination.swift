import CRM

/// One listing of a module at a time: callers who need it fresh while one runs wait for it.
actor RefreshCoordinator {
    private var running: [ModuleKey: Task<Void, any Error>] = [:]

    func run(_ module: ModuleKey, _ body: @escaping @Sendable () async throws -> Void) async throws {
        if let task = running[module] { return try await task.value }
        let task = Task { try await body() }
        running[module] = task
        defer { running[module] = nil }
        try await task.value
    }
}

/// Runs the writes of one idempotency key one after another, so concurrent calls with a
/// key find what the first one made instead of making it again.
actor KeyedSerializer {
    private var busy: [String: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        if busy[key] != nil {
            await withCheckedContinuation { busy[key, default: []].append($0) }
        } else {
            busy[key] = []
        }
        defer {
            if var waiting = busy[key], !waiting.isEmpty {
                let next = waiting.removeFirst()
                busy[key] = waiting
                next.resume()
            } else {
                busy[key] = nil
            }
        }
        return try await body()
    }
}
