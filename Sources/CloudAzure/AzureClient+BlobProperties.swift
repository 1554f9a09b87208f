import Foundation

/// What Get Blob Properties says about a blob's version.
public struct AzureBlobProperties: Sendable, Hashable {
    /// `x-ms-version-id` (accounts with blob versioning on).
    public var versionId: String?
    /// `ETag` (quotes removed).
    public var etag: String?
    /// `Last-Modified`.
    public var lastModified: String?
}

extension AzureClient {
    /// Get Blob Properties (`HEAD` of the blob; https://learn.microsoft.com/rest/api/storageservices/get-blob-properties):
    /// `x-ms-version-id`, `ETag`, `Last-Modified`; nil when the blob does not exist.
    public func blobProperties(_ uri: String) async throws -> AzureBlobProperties? {
        let location = try blobLocation(uri, needsBlob: true)
        let request = AzureHTTPRequest(method: "HEAD", url: try location.url(endpoints: endpoints),
                                       headers: [("x-ms-version", AzureClient.blobServiceVersion)])
        let response = try await send(request, scope: AzureEndpoints.storageScope, allowNotFound: true, label: "HEAD blob \(location.container)")
        if response.status == 404 { return nil }
        return AzureBlobProperties(
            versionId: response.headers["x-ms-version-id"],
            etag: response.headers["etag"].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) },
            lastModified: response.headers["last-modified"])
    }

    /// List Blobs (`GET <container>?restype=container&comp=list&prefix=…&marker=…`;
    /// https://learn.microsoft.com/rest/api/storageservices/list-blobs): the names under the
    /// location's blob prefix, every page followed (`NextMarker`), sorted. At most `limit`.
    public func blobList(_ uri: String, prefix: String, limit: Int = 100_000) async throws -> [String] {
        let location = try blobLocation(uri, needsBlob: false)
        var root = AzureBlobLocation(account: location.account, container: location.container, blob: "", blobHostSuffix: location.blobHostSuffix)
        root.blob = ""
        var base = try root.url(endpoints: endpoints).absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var names: [String] = []
        var marker: String?
        repeat {
            var query = "restype=container&comp=list&prefix=\(AzureEndpoints.pathSegment(prefix))"
            if let marker { query += "&marker=\(AzureEndpoints.pathSegment(marker))" }
            guard let url = URL(string: base + "?" + query) else { throw AzureError.invalidArgument("not a container URL: \(base.prefix(300))") }
            let request = AzureHTTPRequest(method: "GET", url: url, headers: [("x-ms-version", AzureClient.blobServiceVersion)])
            let response = try await send(request, scope: AzureEndpoints.storageScope, label: "List Blobs \(location.container)")
            let xml = String(decoding: response.body, as: UTF8.self)
            names += AzureXMLText.values("Name", in: xml)
            let next = AzureXMLText.values("NextMarker", in: xml).first ?? ""
            marker = next.isEmpty ? nil : next
        } while marker != nil && names.count < limit
        return Array(names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.prefix(limit))
    }

    private func blobLocation(_ uri: String, needsBlob: Bool) throws -> AzureBlobLocation {
        guard let location = AzureBlobLocation(uri), !needsBlob || !location.blob.isEmpty else {
            throw AzureError.invalidArgument("not a blob URI (az://account/container/blob, abfss://container@account.dfs.core.windows.net/path "
                + "or https://account.blob.core.windows.net/container/blob): \(uri.prefix(200))")
        }
        return location
    }
}

/// The texts of simple `<tag>…</tag>` elements of a Blob service answer, entities decoded.
enum AzureXMLText {
    static func values(_ tag: String, in xml: String) -> [String] {
        var out: [String] = []
        var rest = xml[...]
        let open = "<\(tag)>", close = "</\(tag)>"
        while let start = rest.range(of: open) {
            let body = rest[start.upperBound...]
            guard let end = body.range(of: close) else { break }
            out.append(decode(String(body[..<end.lowerBound])))
            rest = body[end.upperBound...]
        }
        return out
    }

    static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
