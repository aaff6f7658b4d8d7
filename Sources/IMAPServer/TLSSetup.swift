import Logging
import NIOSSL

/// The server's TLS context: TLS 1.2 or newer, with the configured certificate and key,
/// generating a development certificate first when neither file exists.
public enum TLSSetup {
    public static func makeContext(certificatePath: String, keyPath: String, logger: Logger) throws -> NIOSSLContext {
        try DevelopmentCertificate.ensure(certificatePath: certificatePath, keyPath: keyPath, logger: logger)
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ServerSetupError(message: "cannot read the TLS certificate \(certificatePath) (PEM expected): \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ServerSetupError(message: "cannot read the TLS key \(keyPath) (PEM expected): \(error)")
        }
        guard !chain.isEmpty else { throw ServerSetupError(message: "no certificate found in \(certificatePath)") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerSetupError(message: "the TLS certificate \(certificatePath) and key \(keyPath) do not work together: \(error)")
        }
    }
}
