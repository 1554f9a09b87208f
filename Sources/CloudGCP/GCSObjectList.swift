import Foundation
import KubeCore

extension GCPClient {
    /// Names of the objects in `bucket` whose names start with `prefix` and sort after `startAfter`
    /// (`storage.objects.list` with `prefix` and `startOffset`, every page followed), sorted. At most `limit`.
    public func gcsList(bucket: String, prefix: String, startAfter: String? = nil, limit: Int = 100_000) async throws -> [String] {
        guard !bucket.isEmpty else {
            throw GCPError(status: "InvalidArgument", message: "a Cloud Storage listing needs a bucket", kind: .invalidRequest)
        }
        var names: [String] = []
        var pageToken: String?
        repeat {
            var query = ["prefix=\(GCSLocation.encode(prefix))", "fields=items(name),nextPageToken"]
            // startOffset is inclusive: the name equal to it is dropped below.
            if let startAfter { query.append("startOffset=\(GCSLocation.encode(startAfter))") }
            if let pageToken { query.append("pageToken=\(GCSLocation.encode(pageToken))") }
            let url = endpoints.storage + "/storage/v1/b/\(GCSLocation.encode(bucket))/o?" + query.joined(separator: "&")
            let page = try await json("GET", url)
            for item in page["items"]?.arrayValue ?? [] {
                if let name = item["name"]?.stringValue, name.hasPrefix(prefix),
                   startAfter.map({ Array($0.utf8).lexicographicallyPrecedes(Array(name.utf8)) }) ?? true {
                    names.append(name)
                }
            }
            pageToken = page["nextPageToken"]?.stringValue
        } while pageToken != nil && names.count < limit
        return Array(names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.prefix(limit))
    }
}
