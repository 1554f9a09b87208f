import CloudGCP
import Foundation

/// `gs://bucket/object` datasets: the object's `generation`; `alt=media` reads; `objects.list`
/// with `startOffset` for Delta logs. Token and endpoint (`STORAGE_EMULATOR_HOST`) from CloudGCP.
struct DataVersionGCSStore: DataVersionStore {
    let client: GCPClient

    var schemes: [String] { ["gs"] }

    func objectVersion(_ uri: String) async throws -> String {
        let metadata: GCSObjectMetadata?
        do {
            metadata = try await client.gcsMetadata(uri)
        } catch let error as GCPError {
            throw ControllerError.dataVersion(uri: uri, reason: "objects.get: \(error.status): \(error.message)")
        }
        guard let metadata else { throw ControllerError.dataVersion(uri: uri, reason: "the object does not exist (404)") }
        guard let generation = metadata.generation, !generation.isEmpty else {
            throw ControllerError.dataVersion(uri: uri, reason: "the object metadata has no generation")
        }
        return generation
    }

    func read(_ uri: String) async throws -> Data? {
        do {
            return try await client.gcsGet(uri)
        } catch let error as GCPError {
            throw ControllerError.dataVersion(uri: uri, reason: "objects.get (media): \(error.status): \(error.message)")
        }
    }

    func list(_ prefixURI: String, startAfter: String?) async throws -> [String] {
        guard let location = GCSLocation(prefixURI) else {
            throw ControllerError.dataVersion(uri: prefixURI, reason: "not a gs://bucket/prefix URI")
        }
        let prefix = location.object.isEmpty || location.object.hasSuffix("/") ? location.object : location.object + "/"
        do {
            return try await client.gcsList(bucket: location.bucket, prefix: prefix, startAfter: startAfter.map { prefix + $0 })
                .map { String($0.dropFirst(prefix.count)) }
        } catch let error as GCPError {
            throw ControllerError.dataVersion(uri: prefixURI, reason: "objects.list: \(error.status): \(error.message)")
        }
    }
}
