import Crypto
import Foundation
import Logging
import SwiftASN1
import X509

/// A self-signed certificate for `localhost` / 127.0.0.1, generated on first start
/// when the configured certificate and key files do not exist, so that a newcomer's
/// server speaks TLS at once. Clients must be told to trust it (README).
public enum DevelopmentCertificate {
    /// Writes a new certificate and key to the given paths unless both exist.
    /// Returns true when it generated them.
    @discardableResult
    public static func ensure(certificatePath: String, keyPath: String, logger: Logger) throws -> Bool {
        let fm = FileManager.default
        let haveCert = fm.fileExists(atPath: certificatePath)
        let haveKey = fm.fileExists(atPath: keyPath)
        if haveCert && haveKey { return false }
        if haveCert != haveKey {
            throw ServerSetupError(message: "only one of \(certificatePath) and \(keyPath) exists: provide both, or remove the other to have a development certificate generated")
        }
        let (certificatePEM, keyPEM) = try generate()
        for path in [certificatePath, keyPath] {
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                                   withIntermediateDirectories: true)
        }
        guard fm.createFile(atPath: keyPath, contents: Data(keyPEM.utf8), attributes: [.posixPermissions: 0o600]),
              fm.createFile(atPath: certificatePath, contents: Data(certificatePEM.utf8), attributes: [.posixPermissions: 0o644])
        else { throw ServerSetupError(message: "cannot write the development certificate to \(certificatePath) and \(keyPath)") }
        logger.notice("Generated a self-signed development certificate: clients must trust it or be told to accept it",
                      metadata: ["certificate": "\(certificatePath)", "key": "\(keyPath)"])
        return true
    }

    /// A new P-256 key and a self-signed certificate for localhost, 127.0.0.1 and ::1, valid two years.
    public static func generate(now: Date = Date()) throws -> (certificatePEM: String, keyPEM: String) {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            OrganizationName("crmgate")
            CommonName("localhost")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectKeyIdentifier(hash: publicKey)
            SubjectAlternativeNames([
                .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
            ])
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(2 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }
}

/// A start-up problem (TLS files, listening sockets), worded for the administrator.
public struct ServerSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
