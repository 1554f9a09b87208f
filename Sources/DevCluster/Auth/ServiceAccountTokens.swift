import Crypto
import Foundation
import KubeCore

/// Service-account tokens: ES256 JWTs with the claims kube-apiserver's TokenRequest issues
/// (`iss`, `sub` `system:serviceaccount:NS:NAME`, `aud`, `exp`/`iat`/`nbf`, `jti` and
/// `kubernetes.io.{namespace, serviceaccount.{name, uid}}`), signed with `<data-dir>/sa.key`.
struct ServiceAccountTokens: Sendable {
    /// The issuer, also the API's audience.
    static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// kube-apiserver's default and minimum token lifetimes.
    static let defaultExpirationSeconds: Int64 = 3600
    static let minimumExpirationSeconds: Int64 = 600

    /// The signing key's raw representation (the CryptoKit key type is not Sendable).
    let keyData: Data

    init(key: P256.Signing.PrivateKey) {
        keyData = key.rawRepresentation
    }

    private var key: P256.Signing.PrivateKey? { try? P256.Signing.PrivateKey(rawRepresentation: keyData) }

    /// The claims of a verified token.
    struct Claims: Sendable, Equatable {
        var namespace: String
        var name: String
        var uid: String
        var id: String
    }

    /// Loads `sa.key` (PEM) or creates it (0600).
    static func loadOrCreate(in dir: URL) throws -> ServiceAccountTokens {
        let file = dir.appendingPathComponent("sa.key")
        if let pem = try? String(contentsOf: file, encoding: .utf8), let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            return ServiceAccountTokens(key: key)
        }
        let key = P256.Signing.PrivateKey()
        do {
            try key.pemRepresentation.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        } catch {
            throw DevClusterError.certificates("cannot write \(file.path): \(error)")
        }
        return ServiceAccountTokens(key: key)
    }

    /// The key id (`kid`): the base64url SHA-256 of the public key.
    var keyID: String { Self.base64url(Data(SHA256.hash(data: key?.publicKey.derRepresentation ?? Data()))) }

    /// A signed token for a service account.
    func issue(namespace: String, name: String, uid: String, audiences: [String], expirationSeconds: Int64, now: Date) -> (token: String, expires: Date) {
        let iat = Int64(now.timeIntervalSince1970)
        let expires = iat + expirationSeconds
        let header: JSONValue = ["alg": "ES256", "kid": .string(keyID)]
        let claims: JSONValue = [
            "iss": .string(Self.issuer), "sub": .string("system:serviceaccount:\(namespace):\(name)"),
            "aud": .array(audiences.map(JSONValue.string)), "iat": .int(iat), "nbf": .int(iat), "exp": .int(expires),
            "jti": .string(UUID().uuidString.lowercased()),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)]],
        ]
        let input = Self.base64url(header.data()) + "." + Self.base64url(claims.data())
        let signature = (try? key?.signature(for: Data(input.utf8)).rawRepresentation) ?? Data()
        return (input + "." + Self.base64url(signature), Date(timeIntervalSince1970: Double(expires)))
    }

    /// The claims of a token this server signed that is valid now and meant for the API; nil otherwise.
    func verify(_ token: String, now: Date) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let key, let signatureData = Self.base64urlDecode(parts[2]),
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureData),
              key.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)),
              let payload = Self.base64urlDecode(parts[1]), let claims = try? JSONValue.parse(payload) else { return nil }
        let time = Int64(now.timeIntervalSince1970)
        guard claims["iss"]?.stringValue == Self.issuer,
              let exp = claims["exp"]?.intValue, time < exp,
              (claims["nbf"]?.intValue ?? 0) <= time + 60,
              (claims["aud"]?.arrayValue ?? []).contains(.string(Self.issuer)),
              let namespace = claims[path: ["kubernetes.io", "namespace"]]?.stringValue,
              let name = claims[path: ["kubernetes.io", "serviceaccount", "name"]]?.stringValue,
              claims["sub"]?.stringValue == "system:serviceaccount:\(namespace):\(name)" else { return nil }
        return Claims(namespace: namespace, name: name, uid: claims[path: ["kubernetes.io", "serviceaccount", "uid"]]?.stringValue ?? "",
                      id: claims["jti"]?.stringValue ?? "")
    }

    /// The user of a service account.
    static func user(_ claims: Claims) -> UserInfo {
        UserInfo(name: "system:serviceaccount:\(claims.namespace):\(claims.name)", uid: claims.uid,
                 groups: ["system:serviceaccounts", "system:serviceaccounts:\(claims.namespace)"],
                 extra: claims.id.isEmpty ? [:] : ["authentication.kubernetes.io/credential-id": ["JTI=\(claims.id)"]])
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64urlDecode(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}
