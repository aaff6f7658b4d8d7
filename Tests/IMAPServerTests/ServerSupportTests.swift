import Logging
import NIOSSL
import Testing
@testable import IMAPServer

@Suite("Login throttle and session registry")
struct ServerSupportTests {
    @Test func addressIsBlockedAfterTooManyFailuresUntilTheWindowPasses() {
        let throttle = LoginThrottle(maxFailures: 3, window: .seconds(60))
        let start = ContinuousClock.now
        for i in 0..<3 { throttle.recordFailure("192.0.2.1", now: start + .seconds(i)) }
        #expect(throttle.isBlocked("192.0.2.1", now: start + .seconds(5)))
        #expect(!throttle.isBlocked("192.0.2.2", now: start + .seconds(5)))
        #expect(!throttle.isBlocked("192.0.2.1", now: start + .seconds(70)))
    }

    @Test func successfulLoginClearsFailures() {
        let throttle = LoginThrottle(maxFailures: 2, window: .seconds(60))
        throttle.recordFailure("192.0.2.1")
        throttle.recordSuccess("192.0.2.1")
        throttle.recordFailure("192.0.2.1")
        #expect(!throttle.isBlocked("192.0.2.1"))
    }

    @Test func registryRefusesPastTheLimitAndDuringShutdown() {
        let registry = SessionRegistry()
        let a = registry.register(limit: 2) {}
        let b = registry.register(limit: 2) {}
        #expect(a != nil && b != nil)
        #expect(registry.register(limit: 2) {} == nil)
        registry.unregister(a!)
        registry.shutdownAll()
        #expect(registry.register(limit: 2) {} == nil)
    }

    @Test func developmentCertificateLoadsIntoATLSContext() throws {
        let (certificatePEM, keyPEM) = try DevelopmentCertificate.generate()
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        #expect(certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }
}
