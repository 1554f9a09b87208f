import CloudAWS
import CloudGCP
import Foundation
import Logging

/// Where a backup is written to or read from: a local file, `s3://bucket/key` (through CloudAWS,
/// the standard AWS credential chain and `AWS_ENDPOINT_URL[_S3]`) or `gs://bucket/object` (through
/// CloudGCP, the standard Google credential chain and `STORAGE_EMULATOR_HOST`).
enum BackupStorage {
    enum Location: Equatable {
        case file(String)
        case s3(String)
        case gcs(String)
    }

    /// Errors of backup storage, printed as the command's message.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func location(_ text: String) -> Location {
        if text.hasPrefix("s3://") { return .s3(text) }
        if text.hasPrefix("gs://") { return .gcs(text) }
        if text.hasPrefix("file://") { return .file(String(text.dropFirst("file://".count))) }
        return .file(text)
    }

    /// The AWS region for S3 calls: `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1.
    static func awsRegion(_ env: [String: String]) -> String {
        env["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? env["AWS_DEFAULT_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
    }

    /// The object or file a backup taken at `date` goes to: a destination ending in "/" (a prefix or
    /// directory) gets `sextant-backup-<UTC yyyyMMdd'T'HHmmss'Z'>.json` appended, so scheduled
    /// backups keep their history; anything else is used as it is.
    static func resolvedOutput(_ destination: String, at date: Date) -> String {
        guard destination.hasSuffix("/") else { return destination }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return destination + "sextant-backup-\(formatter.string(from: date)).json"
    }

    static func write(_ data: Data, to text: String) async throws {
        switch location(text) {
        case .file(let path):
            if path == "-" {
                FileHandle.standardOutput.write(data)
                return
            }
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        case .s3(let uri):
            let env = ProcessInfo.processInfo.environment
            let client = AWSClient(environment: env, logger: Logger(label: "sextant.backup"))
            try await client.s3Put(uri, data: data, contentType: "application/json", region: awsRegion(env))
        case .gcs(let uri):
            guard let location = GCSLocation(uri), !location.object.isEmpty else {
                throw Failure(description: "not a gs://bucket/object URI: \(uri)")
            }
            // objects.insert, simple media upload (https://cloud.google.com/storage/docs/uploading-objects).
            let client = GCPClient(logger: Logger(label: "sextant.backup"))
            let url = client.endpoints.storage + "/upload/storage/v1/b/\(GCSLocation.encode(location.bucket))/o?uploadType=media&name="
                + GCSLocation.encode(location.object)
            _ = try await client.send("POST", url, body: data, contentType: "application/json")
        }
    }

    static func read(_ text: String) async throws -> Data {
        switch location(text) {
        case .file(let path):
            if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
            return try Data(contentsOf: URL(fileURLWithPath: path))
        case .s3(let uri):
            let env = ProcessInfo.processInfo.environment
            let client = AWSClient(environment: env, logger: Logger(label: "sextant.backup"))
            guard let data = try await client.s3Get(uri, region: awsRegion(env)) else {
                throw Failure(description: "\(uri): no such object")
            }
            return data
        case .gcs(let uri):
            guard let data = try await GCPClient(logger: Logger(label: "sextant.backup")).gcsGet(uri) else {
                throw Failure(description: "\(uri): no such object")
            }
            return data
        }
    }
}
