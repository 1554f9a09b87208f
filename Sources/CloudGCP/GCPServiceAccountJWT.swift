import Crypto
import Foundation
import _CryptoExtras

/// The signed JWT of the OAuth 2.0 JWT-bearer grant for a service-account key (RS256, RSASSA-PKCS1-v1_5
/// with SHA-256): header `{"alg":"RS256","typ":"JWT","kid":<private_key_id>}`, claims
/// `{"iss": client_email, "scope": scopes, "aud": token_uri, "iat": now, "exp": now + 3600}`.
public enum GCPServiceAccountJWT {
    /// The assertion for `key` at `now`, valid `lifetime` seconds (Google accepts at most 3600).
    /// Throws `GCPError` (accessDenied, `InvalidCredentials`) when the private key cannot be read.
    public static func assertion(key: GCPServiceAccountKey, scopes: [String], now: Date, lifetime: Int = 3600) throws -> String {
        var header: [String: String] = ["alg": "RS256", "typ": "JWT"]
        if let kid = key.privateKeyID { header["kid"] = kid }
        let iat = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": key.clientEmail, "scope": scopes.joined(separator: " "), "aud": key.tokenURI,
            "iat": iat, "exp": iat + min(lifetime, 3600),
        ]
        let headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let claimsData = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes])
        let signingInput = base64URL(headerData) + "." + base64URL(claimsData)
        let privateKey: _RSA.Signing.PrivateKey
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: key.privateKey)
        } catch {
            throw GCPError(status: "InvalidCredentials", message: "the private_key of \(key.clientEmail) is not a PEM RSA key of 2048 bits or more",
                           kind: .accessDenied)
        }
        let signature: _RSA.Signing.RSASignature
        do {
            signature = try privateKey.signature(for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        } catch {
            throw GCPError(status: "InvalidCredentials", message: "signing the JWT of \(key.clientEmail) failed", kind: .accessDenied)
        }
        return signingInput + "." + base64URL(signature.rawRepresentation)
    }

    /// Base64url without padding (RFC 7515).
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
