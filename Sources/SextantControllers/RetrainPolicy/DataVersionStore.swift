import Foundation

/// Read access to the objects of one URI scheme, as the data version formats need it. One
/// implementation per scheme (`file`, `s3`, `gs`, `https`/`http`, `abfss`/`az`).
protocol DataVersionStore: Sendable {
    /// The URI schemes it serves (without `://`).
    var schemes: [String] { get }
    /// The object's own version: S3 VersionId (else ETag), GCS generation, HTTP ETag (else
    /// Last-Modified), Blob versionId (else ETag), file SHA-256.
    func objectVersion(_ uri: String) async throws -> String
    /// The object's content; nil when it does not exist.
    func read(_ uri: String) async throws -> Data?
    /// Names of the objects under the folder `prefixURI` (relative to it, no leading `/`, sorted),
    /// only those after `startAfter` in byte order. Stores that cannot list throw.
    func list(_ prefixURI: String, startAfter: String?) async throws -> [String]
}

extension DataVersionStore {
    /// `uri` with `name` appended as a path segment.
    static func child(_ uri: String, _ name: String) -> String {
        uri.hasSuffix("/") ? uri + name : uri + "/" + name
    }
}

/// The scheme of `uri` (`s3`, `file`, ...), lower-cased; nil when it has none.
func dataURIScheme(_ uri: String) -> String? {
    guard let r = uri.range(of: "://") else { return nil }
    let scheme = uri[..<r.lowerBound].lowercased()
    return scheme.isEmpty ? nil : scheme
}
