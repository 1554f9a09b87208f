import CloudAzure
import Foundation

/// `abfss://container@account.dfs.core.windows.net/path` and `az://account/container/path`
/// datasets: Get Blob Properties `x-ms-version-id` (blob versioning on), else the `ETag`; Get Blob
/// reads; List Blobs for Delta logs. Tokens and endpoints from CloudAzure.
struct DataVersionAzureStore: DataVersionStore {
    let client: AzureClient

    var schemes: [String] { ["abfss", "abfs", "az"] }

    func objectVersion(_ uri: String) async throws -> String {
        let properties: AzureBlobProperties?
        do {
            properties = try await client.blobProperties(uri)
        } catch let error as AzureError {
            throw ControllerError.dataVersion(uri: uri, reason: "Get Blob Properties: \(error)")
        }
        guard let properties else { throw ControllerError.dataVersion(uri: uri, reason: "the blob does not exist (404)") }
        if let v = properties.versionId, !v.isEmpty { return v }
        if let e = properties.etag, !e.isEmpty { return e }
        throw ControllerError.dataVersion(uri: uri, reason: "Get Blob Properties returned neither x-ms-version-id nor ETag")
    }

    func read(_ uri: String) async throws -> Data? {
        do {
            return try await client.blobGet(uri)
        } catch let error as AzureError {
            throw ControllerError.dataVersion(uri: uri, reason: "Get Blob: \(error)")
        }
    }

    func list(_ prefixURI: String, startAfter: String?) async throws -> [String] {
        guard let location = AzureBlobLocation(prefixURI) else {
            throw ControllerError.dataVersion(uri: prefixURI, reason: "not a blob URI")
        }
        let prefix = location.blob.isEmpty || location.blob.hasSuffix("/") ? location.blob : location.blob + "/"
        do {
            let names = try await client.blobList(prefixURI, prefix: prefix).filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            return names.filter { name in startAfter.map { Array($0.utf8).lexicographicallyPrecedes(Array(name.utf8)) } ?? true }
        } catch let error as AzureError {
            throw ControllerError.dataVersion(uri: prefixURI, reason: "List Blobs: \(error)")
        }
    }
}
