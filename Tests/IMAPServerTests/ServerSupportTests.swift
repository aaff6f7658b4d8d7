import Logging
import NIOSSL
import Testing
@testable import IMAPServer

@Suite("Session registry and development certificate")
struct ServerSupportTests {
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
