import Foundation

/// Where each Google API is called: the public endpoints, or the overrides of the usual variables
/// (`CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>` as gcloud reads them, `STORAGE_EMULATOR_HOST` as the
/// Cloud Storage client libraries read it, `GCE_METADATA_HOST` for the metadata server).
public struct GCPEndpoints: Sendable, Hashable {
    /// The overrides by upper-case API name (`AIPLATFORM`, `MONITORING`, `STS`, `IAMCREDENTIALS`), without trailing `/`.
    public var overrides: [String: String]
    /// `STORAGE_EMULATOR_HOST` as a base URL (`http://` added when it has no scheme).
    public var storageEmulator: String?
    /// `GCE_METADATA_HOST` (`host:port`), else `metadata.google.internal`.
    public var metadataHost: String

    /// Endpoints from `environment`.
    public init(environment: [String: String]) {
        var overrides: [String: String] = [:]
        let prefix = "CLOUDSDK_API_ENDPOINT_OVERRIDES_"
        for (key, value) in environment where key.hasPrefix(prefix) && !value.isEmpty {
            overrides[String(key.dropFirst(prefix.count)).uppercased()] = GCPEndpoints.trim(value)
        }
        self.overrides = overrides
        if let host = environment["STORAGE_EMULATOR_HOST"], !host.isEmpty {
            storageEmulator = GCPEndpoints.trim(host.contains("://") ? host : "http://" + host)
        } else {
            storageEmulator = nil
        }
        let metadata = environment["GCE_METADATA_HOST"] ?? environment["GCE_METADATA_ROOT"] ?? ""
        metadataHost = metadata.isEmpty ? "metadata.google.internal" : metadata
    }

    /// The base URL of API `api` (`aiplatform`, `monitoring`, ...): its override, else `defaultBase`.
    /// A base never ends in `/`; callers append `/v1/...` (an override that already ends in `/v1`
    /// has it removed, so both gcloud spellings work).
    public func base(api: String, default defaultBase: String) -> String {
        guard var value = overrides[api.uppercased()] else { return defaultBase }
        for version in ["/v1", "/v3", "/v1beta1"] where value.hasSuffix(version) { value.removeLast(version.count) }
        return value
    }

    /// The Vertex AI base of a region: `https://<location>-aiplatform.googleapis.com` (or the override).
    public func aiPlatform(location: String) -> String {
        base(api: "aiplatform", default: location == "global" ? "https://aiplatform.googleapis.com" : "https://\(location)-aiplatform.googleapis.com")
    }

    /// The Cloud Storage JSON API base: `https://storage.googleapis.com` or the emulator.
    public var storage: String { storageEmulator ?? base(api: "storage", default: "https://storage.googleapis.com") }

    /// The metadata server base: `http://<GCE_METADATA_HOST>`.
    public var metadata: String { metadataHost.contains("://") ? GCPEndpoints.trim(metadataHost) : "http://" + metadataHost }

    static func trim(_ url: String) -> String {
        var u = url
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }
}
