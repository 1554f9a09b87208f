import Foundation
import KubeCore
import NIOSSL
import X509

/// Who sent a request: the cluster's admin token, a `--token-auth-file` token, a service-account
/// token (TokenRequest), or a client certificate signed by the cluster CA (CN = user, O = groups).
struct Authenticator: Sendable {
    let adminToken: String
    let tokenFile: TokenAuthFile
    let serviceAccounts: ServiceAccountTokens

    /// The user of a bearer token, nil when the token is not valid. A service-account token is
    /// valid only while its ServiceAccount exists with the uid it was issued for.
    func user(bearer token: String, store: DevStore, now: Date = Date()) async -> UserInfo? {
        if token == adminToken { return .admin }
        if let user = tokenFile.user(token: token) { return user }
        guard let claims = serviceAccounts.verify(token, now: now) else { return nil }
        let info = ResourceInfo(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
        guard let account = try? await store.getObject(info, namespace: claims.namespace, name: claims.name),
              claims.uid.isEmpty || account.uid == claims.uid else { return nil }
        return ServiceAccountTokens.user(claims)
    }

    /// The user of a verified client certificate: CN is the name, each O a group.
    static func user(certificate: NIOSSLCertificate) -> UserInfo? {
        guard let der = try? certificate.toDERBytes(), let cert = try? Certificate(derEncoded: der) else { return nil }
        var name = ""
        var groups: [String] = []
        for rdn in cert.subject {
            for attribute in rdn {
                if attribute.type == .RDNAttributeType.commonName { name = String(attribute.value) ?? "" }
                if attribute.type == .RDNAttributeType.organizationName { groups.append(String(attribute.value) ?? "") }
            }
        }
        guard !name.isEmpty else { return nil }
        return UserInfo(name: name, groups: groups)
    }
}
