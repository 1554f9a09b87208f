import Foundation
import KubeCore

/// A `gs://bucket/object` location.
public struct GCSLocation: Sendable, Hashable, CustomStringConvertible {
    /// Bucket name.
    public var bucket: String
    /// Object name (may be empty for a prefix).
    public var object: String

    /// Parses `gs://bucket/object`; nil when it is not one.
    public init?(_ uri: String) {
        guard uri.hasPrefix("gs://") else { return nil }
        let parts = uri.dropFirst(5).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        self.object = parts.count > 1 ? String(parts[1]) : ""
    }

    /// A location.
    public init(bucket: String, object: String) {
        self.bucket = bucket
        self.object = object
    }

    /// `gs://bucket/object`.
    public var description: String { "gs://\(bucket)/\(object)" }

    /// `/storage/v1/b/<bucket>/o/<object>` with the object name percent-encoded as one path segment.
    public var jsonAPIPath: String { "/storage/v1/b/\(GCSLocation.encode(bucket))/o/\(GCSLocation.encode(object))" }

    /// Percent-encoding of one path segment (`/` encoded too, as the JSON API wants object names).
    public static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The metadata of a Cloud Storage object (`objects.get` without `alt=media`).
public struct GCSObjectMetadata: Sendable, Hashable {
    /// `generation` (changes with every write of the object).
    public var generation: String?
    /// `metageneration`.
    public var metageneration: String?
    /// `size` in bytes.
    public var size: Int64?
    /// `md5Hash` (base64).
    public var md5Hash: String?
    /// `etag`.
    public var etag: String?
    /// `updated`.
    public var updated: Date?
    /// The whole answer.
    public var raw: JSONValue
}

extension GCPClient {
    /// GETs an object's content (`storage.objects.get`, `alt=media`); nil when the object or its
    /// bucket does not exist. Calls `STORAGE_EMULATOR_HOST` when it is set.
    public func gcsGet(_ uri: String) async throws -> Data? {
        let location = try gcsLocation(uri)
        let response = try await send("GET", endpoints.storage + location.jsonAPIPath + "?alt=media", allowNotFound: true)
        return response.status == 404 ? nil : response.body
    }

    /// An object's metadata (`storage.objects.get`); nil when it does not exist.
    public func gcsMetadata(_ uri: String) async throws -> GCSObjectMetadata? {
        let location = try gcsLocation(uri)
        guard let json = try await json("GET", endpoints.storage + location.jsonAPIPath, allowNotFound: true) else { return nil }
        func text(_ key: String) -> String? { json[key]?.stringValue ?? json[key]?.intValue.map(String.init) }
        return GCSObjectMetadata(
            generation: text("generation"), metageneration: text("metageneration"),
            size: text("size").flatMap { Int64($0) }, md5Hash: json["md5Hash"]?.stringValue, etag: json["etag"]?.stringValue,
            updated: json["updated"]?.stringValue.flatMap(GCPTime.parse), raw: json)
    }

    private func gcsLocation(_ uri: String) throws -> GCSLocation {
        guard let location = GCSLocation(uri), !location.object.isEmpty else {
            throw GCPError(status: "InvalidArgument", message: "not a gs://bucket/object URI: \(uri.prefix(200))", kind: .invalidRequest)
        }
        return location
    }
}
