import Crypto
import Foundation
import SwiftASN1
import X509

/// The dev cluster's PKI: a self-signed CA and a serving certificate (SANs 127.0.0.1 and
/// localhost), P-256, kept as PEM files in the data directory and reused on restart. The CA
/// also signs client certificates (`mintClientCertificate`) accepted as an alternative to the token.
public struct DevCertificates: Sendable {
    public var caCertificatePEM: String
    public var caKeyPEM: String
    public var servingCertificatePEM: String
    public var servingKeyPEM: String

    /// Loads `ca.crt`, `ca.key`, `server.crt`, `server.key` from `directory`, creating them if missing.
    public static func loadOrCreate(in directory: URL) throws -> DevCertificates {
        let files = ["ca.crt", "ca.key", "server.crt", "server.key"].map { directory.appendingPathComponent($0) }
        let contents = files.map { try? String(contentsOf: $0, encoding: .utf8) }
        if let ca = contents[0], let caKey = contents[1], let crt = contents[2], let key = contents[3] {
            return DevCertificates(caCertificatePEM: ca, caKeyPEM: caKey, servingCertificatePEM: crt, servingKeyPEM: key)
        }
        let created = try create()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (file, text) in zip(files, [created.caCertificatePEM, created.caKeyPEM, created.servingCertificatePEM, created.servingKeyPEM]) {
                try text.write(to: file, atomically: true, encoding: .utf8)
            }
            for index in [1, 3] {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files[index].path)
            }
        } catch {
            throw DevClusterError.certificates("cannot write certificates to \(directory.path): \(error)")
        }
        return created
    }

    /// A new CA and serving certificate, valid for ten years.
    public static func create() throws -> DevCertificates {
        do {
            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName { CommonName("sextant-dev-ca") }
            let now = Date()
            let ca = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
                issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: .init(caKey.publicKey))
                },
                issuerPrivateKey: .init(caKey))
            let serverKey = P256.Signing.PrivateKey()
            let server = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
                issuer: caName, subject: try DistinguishedName { CommonName("sextant-dev-apiserver") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames([
                        .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    ])
                },
                issuerPrivateKey: .init(caKey))
            return DevCertificates(
                caCertificatePEM: try ca.serializeAsPEM().pemString, caKeyPEM: caKey.pemRepresentation,
                servingCertificatePEM: try server.serializeAsPEM().pemString, servingKeyPEM: serverKey.pemRepresentation)
        } catch {
            throw DevClusterError.certificates("cannot create certificates: \(error)")
        }
    }

    /// A client certificate for `commonName` (groups as organizations) signed by this CA:
    /// returns (certificate PEM, private key PEM) for a kubeconfig's client-certificate-data.
    public func mintClientCertificate(commonName: String, organizations: [String] = ["system:masters"]) throws -> (certificatePEM: String, keyPEM: String) {
        do {
            let caKey = try P256.Signing.PrivateKey(pemRepresentation: caKeyPEM)
            let ca = try Certificate(pemEncoded: caCertificatePEM)
            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName {
                for org in organizations { OrganizationName(org) }
                CommonName(commonName)
            }
            let now = Date()
            let cert = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
                issuer: ca.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                },
                issuerPrivateKey: .init(caKey))
            return (try cert.serializeAsPEM().pemString, key.pemRepresentation)
        } catch {
            throw DevClusterError.certificates("cannot mint a client certificate: \(error)")
        }
    }
}
