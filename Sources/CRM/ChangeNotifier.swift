import Synchronization

/// Multicasts the key of each module that changed to every subscriber (a connector's
/// `changeNotifications()`).
///
/// Each subscriber gets its own unbounded stream; a subscription ends when its stream is
/// dropped or its consumer is cancelled, and all end when the notifier goes away.
public final class ChangeNotifier: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<ModuleKey>.Continuation]>([:])
    private let nextToken = Atomic<Int>(0)

    public init() {}

    public func subscribe() -> AsyncStream<ModuleKey> {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<ModuleKey>.makeStream()
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: token) }
        }
        subscribers.withLock { $0[token] = continuation }
        return stream
    }

    public func publish(_ module: ModuleKey) {
        let continuations = subscribers.withLock { Array($0.values) }
        for continuation in continuations { continuation.yield(module) }
    }

    deinit {
        let continuations = subscribers.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
