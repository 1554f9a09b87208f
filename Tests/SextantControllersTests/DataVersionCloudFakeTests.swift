import CloudAzure
import CloudGCP
import Foundation
import Logging
import Testing
import TestSupport
@testable import SextantControllers

private let logger = Logger(label: "test.data-versions")

/// fake-gcs-server (the real emulator binary from hack/tools.d/fake-gcs.sh) on a free port.
private func startFakeGCS() async throws -> PeerProcess {
    try DataPeers.require(DataPeers.fakeGCS, install: "fake-gcs")
    return try await PeerProcess.start(
        name: "fake-gcs", executable: DataPeers.fakeGCS,
        arguments: ["-scheme", "http", "-host", "127.0.0.1", "-port", "{port}", "-backend", "memory", "-log-level", "error"],
        readyPath: "/storage/v1/b", timeout: 30)
}

/// Uploads `data` as `bucket/name` (simple media upload); returns the new generation.
private func gcsUpload(_ gcs: PeerProcess, bucket: String, name: String, data: Data) async throws -> String {
    let encoded = GCSLocation.encode(name)
    let body = try await DataPeers.curl("POST", "\(gcs.url)/upload/storage/v1/b/\(bucket)/o?uploadType=media&name=\(encoded)", data: data,
                                        headers: ["Content-Type: application/octet-stream"])
    let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    let generation = json?["generation"].map { "\($0)" }
    return try #require(generation, "no generation in \(body.prefix(300))")
}

@Suite("Data versions against emulators and scripted fakes: GCS, Azure Blob, HTTP", .serialized)
struct DataVersionCloudFakeTests {
    @Test("gs:// with fake-gcs-server: the object's generation, a new one per upload; delta over gs:// lists from the checkpoint")
    func gcsGenerations() async throws {
        let gcs = try await startFakeGCS()
        defer { gcs.stop() }
        let fakes = try await DataPeers.startFakes()
        defer { fakes.stop() }
        let env = ["STORAGE_EMULATOR_HOST": gcs.url, "GCE_METADATA_HOST": fakes.url.replacingOccurrences(of: "http://", with: ""),
                   "GOOGLE_APPLICATION_CREDENTIALS": ""]
        let store = DataVersionGCSStore(client: GCPClient(environment: env, logger: logger))
        let reader = DataVersionReader([store])
        try await DataPeers.curl("POST", "\(gcs.url)/storage/v1/b", data: Data(#"{"name":"training"}"#.utf8), headers: ["Content-Type: application/json"])

        let g1 = try await gcsUpload(gcs, bucket: "training", name: "events/part 1.csv", data: Data("a\n".utf8))
        #expect(try await reader.version(of: "gs://training/events/part 1.csv", format: "object") == g1)
        let g2 = try await gcsUpload(gcs, bucket: "training", name: "events/part 1.csv", data: Data("b\n".utf8))
        #expect(g2 != g1)
        #expect(try await reader.version(of: "gs://training/events/part 1.csv", format: "object") == g2)
        await #expect(throws: ControllerError.self) { try await reader.version(of: "gs://training/none.csv", format: "object") }

        // A real Delta log (deltalake, checkpoint at 2, logs 0-1 removed) copied into the bucket.
        let table = try DataPeers.tempDirectory("gcs-delta").appendingPathComponent("t")
        for _ in 0..<3 { try await DataPeers.delta("append", table.path) }
        try await DataPeers.delta("checkpoint", table.path)
        let latest = try await DataPeers.delta("append", table.path)
        try await Task.sleep(for: .seconds(1))
        try await DataPeers.delta("cleanup", table.path)
        for (name, data) in try DataPeers.deltaLogFiles(table) {
            _ = try await gcsUpload(gcs, bucket: "training", name: "lake/t/_delta_log/\(name)", data: data)
        }
        #expect(try await reader.version(of: "gs://training/lake/t", format: "delta") == String(latest))
        let listed = try await GCPClient(environment: env, logger: logger)
            .gcsList(bucket: "training", prefix: "lake/t/_delta_log/", startAfter: "lake/t/_delta_log/00000000000000000002")
        #expect(listed.allSatisfy { $0 > "lake/t/_delta_log/00000000000000000002" } && listed.contains("lake/t/_delta_log/00000000000000000003.json"))
    }

    @Test("az:// and abfss:// with the scripted Blob fake: versionId when versioning is on, else ETag; List Blobs paging for delta")
    func azureBlobs() async throws {
        let fakes = try await DataPeers.startFakes()
        defer { fakes.stop() }
        let env = ["AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client", "AZURE_CLIENT_SECRET": "not-a-secret",
                   "AZURE_AUTHORITY_HOST": fakes.url + "/", "AZURE_STORAGE_BLOB_ENDPOINT": fakes.url + "/blob"]
        let reader = DataVersionReader([DataVersionAzureStore(client: AzureClient(environment: env, logger: logger))])
        func put(_ account: String, _ container: String, _ blob: String, _ text: String) async throws {
            try await DataPeers.curl("PUT", "\(fakes.url)/_fake/blob/\(account)/\(container)/\(blob)", data: Data(text.utf8))
        }

        try await put("versionedacct", "data", "events.csv", "1")
        let v1 = try await reader.version(of: "az://versionedacct/data/events.csv", format: "object")
        #expect(v1.hasSuffix("Z") && v1.contains("T"))
        try await Task.sleep(for: .milliseconds(5))
        try await put("versionedacct", "data", "events.csv", "2")
        let v2 = try await reader.version(of: "abfss://data@versionedacct.dfs.core.windows.net/events.csv", format: "object")
        #expect(v2 != v1 && v2.hasSuffix("Z"))

        try await put("plainacct", "data", "events.csv", "1")
        let e1 = try await reader.version(of: "az://plainacct/data/events.csv", format: "object")
        #expect(e1.hasPrefix("0x"))
        try await put("plainacct", "data", "events.csv", "2")
        #expect(try await reader.version(of: "az://plainacct/data/events.csv", format: "object") != e1)
        await #expect(throws: ControllerError.self) { try await reader.version(of: "az://plainacct/data/none.csv", format: "object") }

        // Delta: commits 3..6 after a checkpoint at 3, plus files a listing must skip; pages of 2 names.
        let log = "lake/t/_delta_log"
        try await put("plainacct", "data", "\(log)/_last_checkpoint", #"{"version":3,"size":2}"#)
        try await put("plainacct", "data", "\(log)/00000000000000000003.checkpoint.parquet", "pq")
        for v in 3...6 { try await put("plainacct", "data", "\(log)/0000000000000000000\(v).json", "{}") }
        try await put("plainacct", "data", "\(log)/00000000000000000006.crc", "{}")
        #expect(try await reader.version(of: "az://plainacct/data/lake/t", format: "delta") == "6")
        let calls = try await DataPeers.curl("GET", "\(fakes.url)/_fake/calls")
        #expect(calls.components(separatedBy: "comp=list").count - 1 >= 4, "List Blobs was not paged: \(calls.suffix(800))")

        try await put("plainacct", "data", "model.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: model\n")
        #expect(try await reader.version(of: "az://plainacct/data/model.dvc", format: "dvc") == "0123456789abcdef0123456789abcdef")
    }

    @Test("https:// (http here): the ETag, else Last-Modified; delta over plain HTTP is refused with the reason")
    func httpVersions() async throws {
        let fakes = try await DataPeers.startFakes()
        defer { fakes.stop() }
        let reader = DataVersionReader([DataVersionHTTPStore()])
        try await DataPeers.curl("PUT", "\(fakes.url)/_fake/blob/files/files/data.csv", data: Data("1".utf8))
        let e1 = try await reader.version(of: "\(fakes.url)/files/data.csv", format: "object")
        #expect(e1.hasPrefix("0x"))
        let lm1 = try await reader.version(of: "\(fakes.url)/files/data.csv?noetag=1", format: "object")
        #expect(lm1.hasSuffix("GMT"))
        try await Task.sleep(for: .milliseconds(1100))
        try await DataPeers.curl("PUT", "\(fakes.url)/_fake/blob/files/files/data.csv", data: Data("2".utf8))
        #expect(try await reader.version(of: "\(fakes.url)/files/data.csv", format: "object") != e1)
        #expect(try await reader.version(of: "\(fakes.url)/files/data.csv?noetag=1", format: "object") != lm1)
        await #expect { try await reader.version(of: "\(fakes.url)/files/none.csv", format: "object") } throws: { error in
            String(describing: error).contains("HTTP 404")
        }
        await #expect { try await reader.version(of: "\(fakes.url)/files/lake?token=secret", format: "delta") } throws: { error in
            let text = String(describing: error)
            return text.contains("cannot list") && !text.contains("secret")
        }
    }
}
