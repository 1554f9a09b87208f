import Foundation

/// A blob: storage account, container and blob name.
///
/// Parses `https://<account>.blob.core.windows.net/<container>/<blob>` (any `*.blob.*` host),
/// `abfss://<container>@<account>.dfs.core.windows.net/<path>` (and `abfs://`), and
/// `az://<account>/<container>/<blob>`.
public struct AzureBlobLocation: Sendable, Hashable, CustomStringConvertible {
    /// Storage account name.
    public var account: String
    /// Container (file system) name.
    public var container: String
    /// Blob name (path inside the container; may be empty for a prefix).
    public var blob: String
    /// Host suffix after the account (`blob.core.windows.net`; `blob.core.usgovcloudapi.net`, ...).
    public var blobHostSuffix: String

    /// A location.
    public init(account: String, container: String, blob: String, blobHostSuffix: String = "blob.core.windows.net") {
        self.account = account
        self.container = container
        self.blob = blob
        self.blobHostSuffix = blobHostSuffix
    }

    /// Parses a blob URI; nil when it is none of the accepted forms.
    public init?(_ uri: String) {
        if uri.hasPrefix("az://") {
            let parts = uri.dropFirst(5).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(account: parts[0], container: parts[1], blob: parts.count > 2 ? parts[2] : "")
            return
        }
        if uri.hasPrefix("abfss://") || uri.hasPrefix("abfs://") {
            let rest = uri.drop { $0 != "/" }.dropFirst(2)
            let authority = rest.prefix { $0 != "/" }
            let path = rest.dropFirst(authority.count).drop { $0 == "/" }
            let pieces = authority.split(separator: "@", maxSplits: 1).map(String.init)
            guard pieces.count == 2, let dot = pieces[1].firstIndex(of: "."), !pieces[0].isEmpty else { return nil }
            let account = String(pieces[1][..<dot])
            let suffix = String(pieces[1][pieces[1].index(after: dot)...]).replacingOccurrences(of: "dfs.", with: "blob.")
            self.init(account: account, container: pieces[0], blob: String(path), blobHostSuffix: suffix)
            return
        }
        guard let url = URL(string: uri), url.scheme == "https", let host = url.host, let dot = host.firstIndex(of: "."),
              host.contains(".blob.") else { return nil }
        let segments = url.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true).map(String.init)
        guard let container = segments.first else { return nil }
        self.init(account: String(host[..<dot]), container: container, blob: segments.count > 1 ? segments[1] : "",
                  blobHostSuffix: String(host[host.index(after: dot)...]))
    }

    /// `https://<account>.<suffix>/<container>/<blob>`.
    public var description: String { "https://\(account).\(blobHostSuffix)/\(container)/\(blob)" }

    /// The request URL: `https://<account>.<suffix>/<container>/<blob>`, or path-style under
    /// `AzureEndpoints.blobEndpoint` when set; the blob name percent-encoded with its slashes kept.
    public func url(endpoints: AzureEndpoints) throws -> URL {
        let encodedBlob = blob.split(separator: "/", omittingEmptySubsequences: false).map { AzureEndpoints.pathSegment(String($0)) }
            .joined(separator: "/")
        let base = endpoints.blobEndpoint.map { "\($0)/\(account)" } ?? "https://\(account).\(blobHostSuffix)"
        let text = "\(base)/\(AzureEndpoints.pathSegment(container))/\(encodedBlob)"
        guard let url = URL(string: text) else { throw AzureError.invalidArgument("not a blob URL: \(text.prefix(300))") }
        return url
    }
}

extension AzureClient {
    /// The Blob service REST version sent as `x-ms-version`.
    public static let blobServiceVersion = "2023-11-03"

    /// GETs a blob (`az://`, `abfss://` or https blob URL) with a Storage token
    /// (`AzureEndpoints.storageScope`) and `x-ms-version`; nil when the blob or its container does not
    /// exist. Needs the data action `Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read`.
    public func blobGet(_ uri: String) async throws -> Data? {
        guard let location = AzureBlobLocation(uri), !location.blob.isEmpty else {
            throw AzureError.invalidArgument("not a blob URI (az://account/container/blob, abfss://container@account.dfs.core.windows.net/path "
                + "or https://account.blob.core.windows.net/container/blob): \(uri.prefix(200))")
        }
        let request = AzureHTTPRequest(method: "GET", url: try location.url(endpoints: endpoints),
                                       headers: [("x-ms-version", AzureClient.blobServiceVersion)])
        let response = try await send(request, scope: AzureEndpoints.storageScope, allowNotFound: true, label: "GET blob \(location.container)")
        return response.status == 404 ? nil : response.body
    }
}
