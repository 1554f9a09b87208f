import CloudAWS
import Crypto
import Foundation
import Logging
import Testing
import TestSupport
@testable import SextantControllers

private let logger = Logger(label: "test.data-versions")

private func s3Reader(_ moto: MotoPeer) -> (DataVersionReader, AWSClient) {
    let client = AWSClient(environment: moto.environment, logger: logger)
    return (DataVersionReader([DataVersionS3Store(client: client, environment: moto.environment), DataVersionFileStore()]), client)
}

@Suite("Data versions against real peers: moto S3, deltalake, dvc", .serialized)
struct DataVersionS3DeltaDVCTests {
    @Test("s3:// versioned bucket: the version is HeadObject's VersionId and changes with each PUT; unversioned: the ETag; missing: an error; ListObjectsV2 pages and start-after")
    func s3Versions() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let (reader, client) = s3Reader(moto)
        try await DataPeers.makeBucket(moto, "versioned-data", versioned: true)
        try await DataPeers.makeBucket(moto, "plain-data", versioned: false)

        let first = try await client.s3Put("s3://versioned-data/events/part.csv", data: Data("a,b\n1,2\n".utf8), region: MotoPeer.region)
        let v1 = try #require(first.versionId)
        #expect(try await reader.version(of: "s3://versioned-data/events/part.csv", format: "object") == v1)
        let second = try await client.s3Put("s3://versioned-data/events/part.csv", data: Data("a,b\n1,2\n".utf8), region: MotoPeer.region)
        let v2 = try #require(second.versionId)
        #expect(v2 != v1)
        #expect(try await reader.version(of: "s3://versioned-data/events/part.csv", format: "object") == v2)

        let plain = try await client.s3Put("s3://plain-data/x.csv", data: Data("one".utf8), region: MotoPeer.region)
        #expect(plain.versionId == nil)
        #expect(try await reader.version(of: "s3://plain-data/x.csv", format: "object") == plain.etag)
        try await client.s3Put("s3://plain-data/x.csv", data: Data("two".utf8), region: MotoPeer.region)
        let changed = try await reader.version(of: "s3://plain-data/x.csv", format: "object")
        #expect(changed != plain.etag && !changed.isEmpty)

        await #expect { try await reader.version(of: "s3://plain-data/missing.csv", format: "object") } throws: { error in
            String(describing: error).contains("does not exist")
        }

        // ListObjectsV2 with start-after follows every page (max-keys 2 here) and lists only keys after the start.
        for i in 0..<7 {
            try await client.s3Put("s3://plain-data/log/\(String(format: "%05d", i)).json", data: Data("{}".utf8), region: MotoPeer.region)
        }
        let all = try await client.s3List(bucket: "plain-data", prefix: "log/", region: MotoPeer.region, pageSize: 2)
        #expect(all == (0...6).map { "log/" + String(format: "%05d", $0) + ".json" })
        let after = try await client.s3List(bucket: "plain-data", prefix: "log/", startAfter: "log/00003.json", region: MotoPeer.region, pageSize: 2)
        #expect(after == (4...6).map { "log/" + String(format: "%05d", $0) + ".json" })
    }

    @Test("delta in a local folder written by deltalake: the latest commit version, also after a checkpoint removed the old logs")
    func deltaLocal() async throws {
        let table = try DataPeers.tempDirectory("delta").appendingPathComponent("events")
        let reader = DataVersionReader([DataVersionFileStore()])
        let uri = "file://" + table.path
        for _ in 0..<3 { try await DataPeers.delta("append", table.path) }
        #expect(try await reader.version(of: uri, format: "delta") == "2")
        try await DataPeers.delta("checkpoint", table.path)
        try await DataPeers.delta("append", table.path)
        try await Task.sleep(for: .seconds(1))
        let expected = try await DataPeers.delta("append", table.path)
        try await DataPeers.delta("cleanup", table.path)
        let log = try DataPeers.deltaLogFiles(table).keys.sorted()
        #expect(!log.contains("00000000000000000000.json") && !log.contains("00000000000000000001.json"), "cleanup kept \(log)")
        #expect(log.contains("_last_checkpoint"))
        #expect(try await reader.version(of: uri, format: "delta") == String(expected))
        #expect(expected == 4)
    }

    @Test("delta on moto S3 written by deltalake: the version matches deltalake's before and after checkpoint and log cleanup; a .dvc on S3")
    func deltaS3() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let (reader, client) = s3Reader(moto)
        try await DataPeers.makeBucket(moto, "lake", versioned: false)
        let uri = "s3://lake/tables/events"
        try await DataPeers.delta("append", uri, environment: moto.environment)
        let v1 = try await DataPeers.delta("append", uri, environment: moto.environment)
        #expect(try await reader.version(of: uri, format: "delta") == String(v1))
        try await DataPeers.delta("checkpoint", uri, environment: moto.environment)
        try await DataPeers.delta("append", uri, environment: moto.environment)
        try await Task.sleep(for: .seconds(1))
        let latest = try await DataPeers.delta("append", uri, environment: moto.environment)
        try await DataPeers.delta("cleanup", uri, environment: moto.environment)
        let keys = try await client.s3List(bucket: "lake", prefix: "tables/events/_delta_log/", region: MotoPeer.region)
        #expect(!keys.contains("tables/events/_delta_log/00000000000000000000.json"), "cleanup kept \(keys)")
        #expect(try await reader.version(of: uri + "/", format: "delta") == String(latest))
        #expect(latest == 3)

        // A .dvc file on S3 (the shape `dvc add` writes): its md5.
        let dvcText = "outs:\n- md5: 3c5a0bd3b5f3ec1e8e51b3c4a3b7d0f1\n  size: 19\n  hash: md5\n  path: events.csv\n"
        try await client.s3Put("s3://lake/meta/events.csv.dvc", data: Data(dvcText.utf8), region: MotoPeer.region)
        #expect(try await reader.version(of: "s3://lake/meta/events.csv.dvc", format: "dvc") == "3c5a0bd3b5f3ec1e8e51b3c4a3b7d0f1")
    }

    @Test("dvc: the md5 of a .dvc file made by `dvc add` equals the data's MD5 and changes with the data")
    func dvcFile() async throws {
        try DataPeers.require(DataPeers.dvc, install: "dvc")
        let repo = try DataPeers.tempDirectory("dvc-repo")
        let env = ["DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": repo.appendingPathComponent(".site-cache").path]
        func dvc(_ args: [String]) async throws {
            let r = try await ProcessRunner.run("/bin/sh", ["-c", "cd \"\(repo.path)\" && \"$0\" \"$@\"", DataPeers.dvc] + args,
                                                environment: env, timeout: 120)
            try #require(r.succeeded, "dvc \(args): \(r.stderr.suffix(1500))")
        }
        try await dvc(["init", "--no-scm", "-q"])
        let data = repo.appendingPathComponent("events.csv")
        let reader = DataVersionReader([DataVersionFileStore()])
        let dvcURI = "file://" + repo.appendingPathComponent("events.csv.dvc").path
        var versions: [String] = []
        for content in ["id,label\n1,0\n2,1\n", "id,label\n1,0\n2,1\n3,1\n"] {
            try Data(content.utf8).write(to: data)
            try await dvc(["add", "-q", "events.csv"])
            let md5 = Insecure.MD5.hash(data: Data(content.utf8)).map { String(format: "%02x", $0) }.joined()
            let version = try await reader.version(of: dvcURI, format: "dvc")
            #expect(version == md5)
            versions.append(version)
        }
        #expect(versions[0] != versions[1])
    }

    @Test("file:// object: SHA-256 of the content; a directory or a missing file is an error")
    func fileObject() async throws {
        let dir = try DataPeers.tempDirectory("file-object")
        let file = dir.appendingPathComponent("data.csv")
        try Data("abc".utf8).write(to: file)
        let reader = DataVersionReader([DataVersionFileStore()])
        #expect(try await reader.version(of: "file://" + file.path, format: "object")
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        await #expect(throws: ControllerError.self) { try await reader.version(of: "file://" + dir.path, format: "object") }
        await #expect(throws: ControllerError.self) { try await reader.version(of: "file://" + dir.path + "/none", format: "object") }
    }
}
