import Foundation

/// Where the Azure layer sends requests, from the environment:
/// - `AZURE_AUTHORITY_HOST`: the Entra ID authority (default `https://login.microsoftonline.com/`);
///   tokens come from `<authority>/<tenant>/oauth2/v2.0/token`.
/// - `AZURE_RESOURCE_MANAGER_ENDPOINT`: Resource Manager (default `https://management.azure.com`).
///   The token scope stays `https://management.azure.com/.default` unless the endpoint is a known
///   sovereign-cloud ARM host (then `https://<host>/.default`) or `AZURE_RESOURCE_MANAGER_AUDIENCE` says otherwise.
/// - `AZURE_STORAGE_BLOB_ENDPOINT`: a Blob endpoint used for every account, path-style
///   (`<endpoint>/<account>/<container>/<blob>`, as Azurite serves), instead of `https://<account>.blob.core.windows.net`.
public struct AzureEndpoints: Sendable, Hashable {
    /// Entra ID authority, with a trailing slash.
    public var authorityHost: String
    /// Resource Manager base URL, without a trailing slash.
    public var resourceManager: String
    /// Scope of Resource Manager tokens.
    public var resourceManagerScope: String
    /// Path-style Blob endpoint override, without a trailing slash.
    public var blobEndpoint: String?

    /// The public cloud's Resource Manager.
    public static let publicResourceManager = "https://management.azure.com"
    /// Scope of Storage (Blob) tokens.
    public static let storageScope = "https://storage.azure.com/.default"
    /// ARM hosts of the sovereign clouds, whose tokens have their own audience.
    static let sovereignARMHosts: Set<String> = ["management.usgovcloudapi.net", "management.chinacloudapi.cn", "management.microsoftazure.de"]

    /// Endpoints from `environment`.
    public init(environment: [String: String]) {
        var authority = environment["AZURE_AUTHORITY_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://login.microsoftonline.com/"
        if !authority.hasSuffix("/") { authority += "/" }
        authorityHost = authority
        let arm = environment["AZURE_RESOURCE_MANAGER_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? AzureEndpoints.publicResourceManager
        resourceManager = AzureEndpoints.trimSlash(arm)
        if let audience = environment["AZURE_RESOURCE_MANAGER_AUDIENCE"], !audience.isEmpty {
            resourceManagerScope = AzureEndpoints.trimSlash(audience) + "/.default"
        } else if let host = URL(string: resourceManager)?.host, AzureEndpoints.sovereignARMHosts.contains(host) {
            resourceManagerScope = "https://\(host)/.default"
        } else {
            resourceManagerScope = AzureEndpoints.publicResourceManager + "/.default"
        }
        blobEndpoint = environment["AZURE_STORAGE_BLOB_ENDPOINT"].flatMap { $0.isEmpty ? nil : AzureEndpoints.trimSlash($0) }
    }

    /// `<authority>/<tenant>/oauth2/v2.0/token`.
    public func tokenURL(tenant: String) throws -> URL {
        let text = authorityHost + AzureEndpoints.pathSegment(tenant) + "/oauth2/v2.0/token"
        guard let url = URL(string: text) else { throw AzureError.invalidArgument("not a URL: \(text)") }
        return url
    }

    /// `<resource manager><path>?api-version=<version>` (`path` starts with `/subscriptions/...`, already
    /// percent-encoded where needed: build it with `AzureEndpoints.pathSegment`).
    public func resourceManagerURL(path: String, apiVersion: String) throws -> URL {
        let text = resourceManager + path + (path.contains("?") ? "&" : "?") + "api-version=" + apiVersion
        guard let url = URL(string: text) else { throw AzureError.invalidArgument("not a URL: \(text.prefix(300))") }
        return url
    }

    /// `segment` percent-encoded for a URL path (everything outside unreserved characters).
    public static func pathSegment(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    static func trimSlash(_ text: String) -> String {
        var t = text
        while t.hasSuffix("/") { t.removeLast() }
        return t
    }
}

/// Where Entra ID tokens come from, resolved from the environment in the order of the Azure SDKs'
/// `DefaultAzureCredential`: a client secret (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
/// `AZURE_CLIENT_SECRET`), else workload identity (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
/// `AZURE_FEDERATED_TOKEN_FILE`, as the AKS workload identity webhook injects them).
public enum AzureCredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// `client_credentials` with `client_secret`.
    case clientSecret(tenantID: String, clientID: String, secret: String)
    /// `client_credentials` with `client_assertion` = the federated token file's content (read at every request:
    /// the kubelet rotates it).
    case workloadIdentity(tenantID: String, clientID: String, tokenFile: String)

    /// The source of `environment`; nil when none applies.
    public static func resolve(environment: [String: String]) -> AzureCredentialSource? {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        guard let tenant = value("AZURE_TENANT_ID"), let client = value("AZURE_CLIENT_ID") else { return nil }
        if let secret = value("AZURE_CLIENT_SECRET") { return .clientSecret(tenantID: tenant, clientID: client, secret: secret) }
        if let file = value("AZURE_FEDERATED_TOKEN_FILE") { return .workloadIdentity(tenantID: tenant, clientID: client, tokenFile: file) }
        return nil
    }

    /// Tenant of the identity.
    public var tenantID: String {
        switch self {
        case .clientSecret(let t, _, _), .workloadIdentity(let t, _, _): return t
        }
    }

    /// Client (application) id of the identity.
    public var clientID: String {
        switch self {
        case .clientSecret(_, let c, _), .workloadIdentity(_, let c, _): return c
        }
    }

    /// `client secret (tenant …, client …)` or `workload identity (…, token file …)`: never the secret.
    public var description: String {
        switch self {
        case .clientSecret(let t, let c, _): return "client secret (tenant \(t), client \(c))"
        case .workloadIdentity(let t, let c, let f): return "workload identity (tenant \(t), client \(c), token file \(f))"
        }
    }
}
