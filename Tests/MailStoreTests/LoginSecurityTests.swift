import Foundation
import GRDB
import Testing
@testable import MailStore

@Suite("Logins: throttle, credential cache, hash upgrades")
struct LoginSecurityTests {
    static let policy = LoginThrottle.Policy(baseDelay: .milliseconds(100), maxDelay: .milliseconds(1000),
                                             maxFailuresPerAddress: 3, maxFailuresPerUser: 5, window: .seconds(60))

    @Test func eachFailureDoublesTheDelayUpToTheMaximum() {
        let throttle = LoginThrottle(Self.policy)
        let delays = (0..<6).map { _ in throttle.recordFailure(user: "alice@example.com", address: "192.0.2.\(Int.random(in: 1...200))") }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1000), .milliseconds(1000)])
    }

    @Test func anAddressIsRefusedAfterItsFailuresUntilTheWindowPasses() {
        let throttle = LoginThrottle(Self.policy)
        let start = ContinuousClock.now
        for i in 0..<3 { throttle.recordFailure(user: "user\(i)@example.com", address: "192.0.2.1", now: start + .seconds(i)) }
        #expect(throttle.isRefused(user: "someone@example.com", address: "192.0.2.1", now: start + .seconds(5)))
        #expect(!throttle.isRefused(user: "someone@example.com", address: "192.0.2.2", now: start + .seconds(5)))
        #expect(!throttle.isRefused(user: "someone@example.com", address: "192.0.2.1", now: start + .seconds(70)))
    }

    @Test func anAccountGuessedAtFromManyAddressesIsRefusedEverywhere() {
        let throttle = LoginThrottle(Self.policy)
        for i in 0..<5 { throttle.recordFailure(user: "Alice@example.com", address: "198.51.100.\(i)") }
        #expect(throttle.isRefused(user: "alice@example.com", address: "203.0.113.9"))
        #expect(!throttle.isRefused(user: "bob@example.com", address: "203.0.113.9"))
    }

    @Test func aSuccessfulLoginClearsTheAddressAndTheAccount() async throws {
        let throttle = LoginThrottle(.init(baseDelay: .zero, maxFailuresPerAddress: 2, window: .seconds(60)))
        #expect(try await rejected(throttle.attempt(user: "a@example.com", address: "192.0.2.1") { nil as Int? }))
        #expect(try await accepted(throttle.attempt(user: "a@example.com", address: "192.0.2.1") { 1 }))
        #expect(try await rejected(throttle.attempt(user: "a@example.com", address: "192.0.2.1") { nil as Int? }))
        #expect(try await rejected(throttle.attempt(user: "a@example.com", address: "192.0.2.1") { nil as Int? }))
        var checked = false
        let third = try await throttle.attempt(user: "a@example.com", address: "192.0.2.1") { checked = true; return 1 }
        guard case .refused = third else { Issue.record("expected a refusal, got \(third)"); return }
        #expect(!checked, "a refused attempt is not checked")
    }

    private func rejected<T>(_ attempt: LoginThrottle.Attempt<T>) -> Bool { if case .rejected = attempt { true } else { false } }
    private func accepted<T>(_ attempt: LoginThrottle.Attempt<T>) -> Bool { if case .accepted = attempt { true } else { false } }

    @Test func theCacheKnowsAPasswordOnlyForTheStoredHashItWasCheckedAgainstAndOnlyForAWhile() {
        let cache = CredentialCache(lifetime: .seconds(60))
        let now = ContinuousClock.now
        cache.remember(email: "Alice@example.com", password: "secret", storedHash: "h1", now: now)
        #expect(cache.contains(email: "alice@example.com", password: "secret", storedHash: "h1", now: now))
        #expect(!cache.contains(email: "alice@example.com", password: "Secret", storedHash: "h1", now: now))
        #expect(!cache.contains(email: "alice@example.com", password: "secret", storedHash: "h2", now: now), "the password changed")
        #expect(!cache.contains(email: "alice@example.com", password: "secret", storedHash: "h1", now: now + .seconds(61)))
        cache.remember(email: "alice@example.com", password: "secret", storedHash: "h1", now: now)
        cache.forget(email: "ALICE@example.com")
        #expect(!cache.contains(email: "alice@example.com", password: "secret", storedHash: "h1", now: now))
    }

    @Test func aReloginIsAnsweredFromTheCacheUntilThePasswordChangesAnywhere() async throws {
        let store = try LocalStore(inMemory: ())
        let alice = try await store.createUser(email: "alice@example.com", password: "secret")
        #expect(try await store.authenticate(email: "alice@example.com", password: "secret") == alice)
        let stored = try await store.pool.read { try String.fetchOne($0, sql: "SELECT passwordHash FROM user") }!
        #expect(store.credentials.contains(email: "alice@example.com", password: "secret", storedHash: stored))
        // Another process (`crmgate user passwd`) changes the hash: the cached password no longer opens the account.
        let other = try PasswordHasher.hash("changed")
        try await store.pool.write { try $0.execute(sql: "UPDATE user SET passwordHash = ?", arguments: [other]) }
        #expect(try await store.authenticate(email: "alice@example.com", password: "secret") == nil)
        #expect(try await store.authenticate(email: "alice@example.com", password: "changed") == alice)
        try await store.setPassword(email: "alice@example.com", password: "newest")
        #expect(try await store.authenticate(email: "alice@example.com", password: "changed") == nil)
    }

    @Test func aHashWithFewerRoundsIsReplacedAtTheNextLogin() async throws {
        let store = try LocalStore(inMemory: ())
        let alice = try await store.createUser(email: "alice@example.com", password: "x")
        // A hash of "secret" with 1,000 rounds, as an older crmgate might have stored it.
        let old = try PasswordHasher.hash("secret", salt: Array("saltsaltsaltsalt".utf8), rounds: 1000)
        #expect(PasswordHasher.verify("secret", against: old) && PasswordHasher.isOutdated(old))
        try await store.pool.write { try $0.execute(sql: "UPDATE user SET passwordHash = ?", arguments: [old]) }
        #expect(try await store.authenticate(email: "alice@example.com", password: "wrong") == nil)
        #expect(try await store.pool.read { try String.fetchOne($0, sql: "SELECT passwordHash FROM user") } == old, "a wrong password upgrades nothing")
        #expect(try await store.authenticate(email: "alice@example.com", password: "secret") == alice)
        let upgraded = try await store.pool.read { try String.fetchOne($0, sql: "SELECT passwordHash FROM user") }!
        #expect(upgraded.hasPrefix("pbkdf2-sha256$210000$") && PasswordHasher.verify("secret", against: upgraded))
    }
}
