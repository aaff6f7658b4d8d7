import Synchronization

/// Failed logins, counted per client address and per account, for IMAP and the web UI
/// alike. Each failure makes the next answer to that address or account slower (the base
/// delay, doubled for every earlier failure in the window, at most `maxDelay`); once an
/// address has `maxFailuresPerAddress`, or an account `maxFailuresPerUser`, failures within
/// `window`, attempts are refused without a password check until the oldest ages out.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        public var baseDelay: Duration
        public var maxDelay: Duration
        public var maxFailuresPerAddress: Int
        public var maxFailuresPerUser: Int
        public var window: Duration

        /// An account is refused only after three times an address's allowance: one address
        /// guessing is stopped early, while many guessing at once cannot lock a user out quickly.
        public init(baseDelay: Duration, maxDelay: Duration = .seconds(15), maxFailuresPerAddress: Int,
                    maxFailuresPerUser: Int? = nil, window: Duration) {
            self.baseDelay = baseDelay; self.maxDelay = maxDelay
            self.maxFailuresPerAddress = maxFailuresPerAddress
            self.maxFailuresPerUser = maxFailuresPerUser ?? 3 * maxFailuresPerAddress
            self.window = window
        }
    }

    /// What came of a login attempt.
    public enum Attempt<Account> {
        case accepted(Account)
        /// Wrong credentials, answered after the throttle's delay.
        case rejected
        /// Too many failures lately from this address or for this account; not checked.
        case refused
    }

    public let policy: Policy
    private let failures = Mutex<(byAddress: [String: [ContinuousClock.Instant]], byUser: [String: [ContinuousClock.Instant]])>(([:], [:]))

    public init(_ policy: Policy) {
        self.policy = policy
    }

    /// Runs `check` (nil for wrong credentials) unless the address or account is refused,
    /// and waits out the delay before a refusal or rejection is answered.
    public func attempt<Account>(user: String, address: String,
                                           _ check: () async throws -> Account?) async throws -> Attempt<Account> {
        if isRefused(user: user, address: address) {
            try await Task.sleep(for: policy.baseDelay)
            return .refused
        }
        guard let account = try await check() else {
            try await Task.sleep(for: recordFailure(user: user, address: address))
            return .rejected
        }
        recordSuccess(user: user, address: address)
        return .accepted(account)
    }

    public func isRefused(user: String, address: String, now: ContinuousClock.Instant = .now) -> Bool {
        failures.withLock { table in
            Self.recent(&table.byAddress, address, now, policy.window) >= policy.maxFailuresPerAddress
                || Self.recent(&table.byUser, user.lowercased(), now, policy.window) >= policy.maxFailuresPerUser
        }
    }

    /// Counts a failure; how long to wait before answering it.
    @discardableResult
    public func recordFailure(user: String, address: String, now: ContinuousClock.Instant = .now) -> Duration {
        let count = failures.withLock { table in
            let key = user.lowercased()
            let earlier = max(Self.recent(&table.byAddress, address, now, policy.window), Self.recent(&table.byUser, key, now, policy.window))
            table.byAddress[address, default: []].append(now)
            table.byUser[key, default: []].append(now)
            // Bounded: past many keys, those with nothing recent go.
            if table.byAddress.count + table.byUser.count > 200_000 {
                table.byAddress = table.byAddress.filter { now - ($0.value.last ?? now) < policy.window }
                table.byUser = table.byUser.filter { now - ($0.value.last ?? now) < policy.window }
            }
            return earlier + 1
        }
        return delay(afterFailures: count)
    }

    public func recordSuccess(user: String, address: String) {
        failures.withLock { table in
            table.byAddress.removeValue(forKey: address)
            table.byUser.removeValue(forKey: user.lowercased())
        }
    }

    /// The base delay doubled for each failure before the `count`th, at most `maxDelay`.
    public func delay(afterFailures count: Int) -> Duration {
        let doublings = min(max(count - 1, 0), 16)
        return max(policy.baseDelay, min(policy.baseDelay * (1 << doublings), policy.maxDelay))
    }

    /// The failures of `key` within the window (dropping older ones).
    private static func recent(_ table: inout [String: [ContinuousClock.Instant]], _ key: String,
                               _ now: ContinuousClock.Instant, _ window: Duration) -> Int {
        guard let times = table[key] else { return 0 }
        let kept = times.filter { now - $0 < window }
        table[key] = kept.isEmpty ? nil : kept
        return kept.count
    }
}
