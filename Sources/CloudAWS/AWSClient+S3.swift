import Foundation

/// An `s3://bucket/key` location.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    /// Bucket name.
    public var bucket: String
    /// Object key (may be empty for a prefix).
    public var key: String

    /// Parses `s3://bucket/key`; nil when it is not one.
    public init?(_ uri: String) {
        guard uri.hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        self.key = parts.count > 1 ? String(parts[1]) : ""
    }

    /// A location.
    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// `s3://bucket/key`.
    public var description: String { "s3://\(bucket)/\(key)" }

    /// The path-style request path: `/bucket/key` with the key percent-encoded once (slashes kept).
    public var path: String { "/" + SigV4Signer.uriEncode(bucket, encodeSlash: true) + "/" + SigV4Signer.uriEncode(key, encodeSlash: false) }
}

extension AWSClient {
    /// GETs an object; nil when it does not exist (404 / `NoSuchKey`).
    public func s3Get(_ uri: String, region: String, role: String? = nil, sessionName: String = "sextant") async throws -> Data? {
        let location = try s3Location(uri)
        return try await withCredentials(role: role, sessionName: sessionName) { credentials in
            let response = try await executor.send(.getObject, region: region, credentials: credentials, path: location.path,
                                                   allowNotFound: true)
            if response.status == 404 {
                let error = AWSErrorParser.parse(response, credentials: credentials, signature: nil)
                if error.code == "NoSuchKey" || error.code == "NotFound" { return nil }
                throw error
            }
            return response.body
        }
    }

    /// HEADs an object: its version id and ETag (quotes removed); nil when it does not exist.
    public func s3Head(_ uri: String, region: String, role: String? = nil,
                       sessionName: String = "sextant") async throws -> (versionId: String?, etag: String?)? {
        let location = try s3Location(uri)
        let response = try await withCredentials(role: role, sessionName: sessionName) { credentials in
            try await executor.send(.headObject, region: region, credentials: credentials, path: location.path, allowNotFound: true)
        }
        if response.status == 404 { return nil }
        return (response.header("x-amz-version-id"), response.header("etag").map(AWSClient.unquote))
    }

    /// PUTs an object; returns its version id (versioned buckets) and ETag.
    @discardableResult
    public func s3Put(_ uri: String, data: Data, contentType: String = "application/octet-stream", region: String,
                      role: String? = nil, sessionName: String = "sextant") async throws -> (versionId: String?, etag: String?) {
        let location = try s3Location(uri)
        let response = try await withCredentials(role: role, sessionName: sessionName) { credentials in
            try await executor.send(.putObject, region: region, credentials: credentials, path: location.path,
                                    headers: [("content-type", contentType)], body: data)
        }
        return (response.header("x-amz-version-id"), response.header("etag").map(AWSClient.unquote))
    }

    private func s3Location(_ uri: String) throws -> S3Location {
        guard let location = S3Location(uri), !location.key.isEmpty else {
            throw AWSError(code: "InvalidArgument", message: "not an s3://bucket/key URI: \(uri.prefix(200))", kind: .invalidRequest)
        }
        return location
    }

    static func unquote(_ text: String) -> String { text.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
}
