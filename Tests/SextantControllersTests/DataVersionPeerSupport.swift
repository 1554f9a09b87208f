import Foundation
import Testing
import TestSupport
@testable import SextantControllers

/// Tools and peers of the data version tests.
enum DataPeers {
    static let root = ProcessRunner.packageRoot
    static var deltaPython: String { root.appendingPathComponent(".sextant/deltalake-venv/bin/python").path }
    static var dvc: String { root.appendingPathComponent(".sextant/dvc-venv/bin/dvc").path }
    static var fakeGCS: String { root.appendingPathComponent(".sextant/bin/fake-gcs-server").path }
    static var harness: URL { root.appendingPathComponent("Tests/harness/datasets") }

    /// Fails with the install command when a tool is missing.
    static func require(_ path: String, install name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) missing: run hack/install-tools.sh \(name)")
    }

    /// A fresh temporary folder.
    static func tempDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `delta_table.py COMMAND URI` with the real deltalake; returns the table version it reports.
    @discardableResult
    static func delta(_ command: String, _ uri: String, environment: [String: String] = [:]) async throws -> Int {
        try require(deltaPython, install: "deltalake")
        let r = try await ProcessRunner.run(deltaPython, [harness.appendingPathComponent("delta_table.py").path, command, uri],
                                            environment: environment, timeout: 120)
        try #require(r.succeeded, "delta_table.py \(command) \(uri): \(r.stderr.suffix(2000))")
        let line = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try #require(json?["version"] as? Int, "no version in \(line)")
    }

    /// Creates an S3 bucket in moto (versioned when asked) with moto's own boto3.
    static func makeBucket(_ moto: MotoPeer, _ bucket: String, versioned: Bool) async throws {
        let script = """
            import boto3, os
            s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
            s3.create_bucket(Bucket="\(bucket)")
            if \(versioned ? "True" : "False"):
                s3.put_bucket_versioning(Bucket="\(bucket)", VersioningConfiguration={"Status": "Enabled"})
            """
        let r = try await ProcessRunner.run(MotoPeer.python, ["-c", script], environment: moto.environment)
        try #require(r.succeeded, "create bucket: \(r.stderr)")
    }

    /// The scripted storage fakes (`Tests/harness/datasets/storage_fakes.py`) on a free port.
    static func startFakes() async throws -> PeerProcess {
        try await PeerProcess.start(name: "storage-fakes", executable: "/usr/bin/python3",
                                    arguments: [harness.appendingPathComponent("storage_fakes.py").path, "--port", "{port}"],
                                    readyPath: "/", timeout: 30)
    }

    /// `curl` a request; returns the body. Throws on a non-2xx status.
    @discardableResult
    static func curl(_ method: String, _ url: String, data: Data? = nil, headers: [String] = []) async throws -> String {
        var args = ["-sS", "--max-time", "20", "-X", method, "-w", "\n%{http_code}"]
        for h in headers { args += ["-H", h] }
        var stdin: String?
        if let data {
            args += ["--data-binary", "@-"]
            stdin = String(decoding: data, as: UTF8.self)
        }
        let r = try await ProcessRunner.run("/usr/bin/curl", args + [url], stdin: stdin, timeout: 30)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = lines.last.flatMap { Int($0) } ?? 0
        try #require(r.succeeded && (200..<300).contains(status), "\(method) \(url) answered \(status): \(r.stdout.prefix(500)) \(r.stderr)")
        return lines.dropLast().joined(separator: "\n")
    }

    /// Files of a local Delta table's `_delta_log`, by name.
    static func deltaLogFiles(_ table: URL) throws -> [String: Data] {
        let log = table.appendingPathComponent("_delta_log")
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: log.path) where !name.hasPrefix(".") {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: log.appendingPathComponent(name).path, isDirectory: &isDir), !isDir.boolValue {
                out[name] = try Data(contentsOf: log.appendingPathComponent(name))
            }
        }
        return out
    }
}
