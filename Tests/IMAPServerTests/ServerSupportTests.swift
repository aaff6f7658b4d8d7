import Logging
import NIOSSL
import Synchronization
import Testing
@testable import IMAPServer

@Suite("Session registry and development certificate")
struct ServerSupportTests {
    @Test func registryRefusesPastTheLimitAndDuringShutdown() {
        let registry = SessionRegistry()
        let a = registry.register(limit: 2) { _ in }
        let b = registry.register(limit: 2) { _ in }
        #expect(a != nil && b != nil)
        #expect(registry.register(limit: 2) { _ in } == nil)
        registry.unregister(a!)
        registry.shutdownAll()
        #expect(registry.isShuttingDown)
        #expect(registry.register(limit: 2) { _ in } == nil)
    }

    @Test func oneClockTicksEverySessionAndShutdownReachesThemAll() {
        let registry = SessionRegistry()
        let heard = Mutex<[Int: [SessionRegistry.Signal]]>([:])
        let tokens = (0..<3).map { n in registry.register(limit: 10) { signal in heard.withLock { $0[n, default: []].append(signal) } }! }
        registry.unregister(tokens[2])
        registry.tickAll()
        registry.shutdownAll()
        #expect(heard.withLock { $0 } == [0: [.tick, .shutdown], 1: [.tick, .shutdown]], "an unregistered session hears nothing")
    }

    @Test func developmentCertificateLoadsIntoATLSContext() throws {
        let (certificatePEM, keyPEM) = try DevelopmentCertificate.generate()
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        #expect(certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }
}
