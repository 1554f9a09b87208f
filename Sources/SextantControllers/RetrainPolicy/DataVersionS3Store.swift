import CloudAWS
import Foundation

/// `s3://bucket/key` datasets: HeadObject `VersionId` (versioned buckets), else the `ETag`;
/// GetObject for small files (`.dvc`, `_last_checkpoint`); ListObjectsV2 with `start-after` for
/// Delta logs. Region from `AWS_REGION` / `AWS_DEFAULT_REGION` (default us-east-1); credentials and
/// endpoints from the AWS chain (`AWS_ENDPOINT_URL_S3` for tests and private endpoints).
struct DataVersionS3Store: DataVersionStore {
    let client: AWSClient
    let region: String

    var schemes: [String] { ["s3"] }

    /// A store over `client` in the region `environment` names.
    init(client: AWSClient, environment: [String: String]) {
        self.client = client
        self.region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
    }

    func objectVersion(_ uri: String) async throws -> String {
        let head: (versionId: String?, etag: String?)?
        do {
            head = try await client.s3Head(uri, region: region)
        } catch let error as AWSError {
            throw ControllerError.dataVersion(uri: uri, reason: "HeadObject: \(error.code): \(error.message)")
        }
        guard let head else { throw ControllerError.dataVersion(uri: uri, reason: "the object does not exist (HeadObject 404)") }
        if let v = head.versionId, !v.isEmpty, v != "null" { return v }
        if let e = head.etag, !e.isEmpty { return e }
        throw ControllerError.dataVersion(uri: uri, reason: "HeadObject returned neither a VersionId nor an ETag")
    }

    func read(_ uri: String) async throws -> Data? {
        do {
            return try await client.s3Get(uri, region: region)
        } catch let error as AWSError {
            throw ControllerError.dataVersion(uri: uri, reason: "GetObject: \(error.code): \(error.message)")
        }
    }

    func list(_ prefixURI: String, startAfter: String?) async throws -> [String] {
        guard let location = S3Location(prefixURI) else {
            throw ControllerError.dataVersion(uri: prefixURI, reason: "not an s3://bucket/prefix URI")
        }
        let prefix = location.key.isEmpty || location.key.hasSuffix("/") ? location.key : location.key + "/"
        do {
            let keys = try await client.s3List(bucket: location.bucket, prefix: prefix, startAfter: startAfter.map { prefix + $0 },
                                               region: region)
            return keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        } catch let error as AWSError {
            throw ControllerError.dataVersion(uri: prefixURI, reason: "ListObjectsV2: \(error.code): \(error.message)")
        }
    }
}
