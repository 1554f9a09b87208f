import Foundation
import KubeCore
import Testing
import TestSupport

/// The body fuzzer over HTTP: mutated JSON, YAML, protobuf and patch bodies sent to a running
/// `sextant dev` on create, update and every patch type, for built-in and Sextant kinds. Every
/// answer must be a 2xx or 4xx (never a 5xx or a dropped connection) and the server must stay up.
@Suite("Fuzzed request bodies over HTTP: 4xx, never 5xx, and the server stays up", .serialized)
struct FuzzHTTPTests {
    struct Target {
        var method: String
        var path: String
        var contentType: String
        var seeds: [[UInt8]]
    }

    /// A valid MLPipeline (a step's image is under `container`).
    static let pipeline = #"{"apiVersion":"ml.sextant.dev/v1alpha1","kind":"MLPipeline","metadata":{"name":"p"},"spec":{"steps":[{"name":"a","container":{"image":"busybox"}}]}}"#

    static func targets() -> [Target] {
        let json = FuzzDecodersTests.jsonSeeds.map { Array($0.utf8) }
        let yaml = FuzzDecodersTests.yamlSeeds.map { Array($0.utf8) }
        let deployment = [Array(FuzzDecodersTests.deployment.jsonString.utf8)]
        // The seeds name no namespace or `default` (the Deployment's): a body's namespace must match the path's.
        let ns = "/api/v1/namespaces/default"
        let apps = "/apis/apps/v1/namespaces/default/deployments"
        let mlp = "/apis/ml.sextant.dev/v1alpha1/namespaces/default/mlpipelines"
        return [
            Target(method: "POST", path: "\(ns)/configmaps", contentType: "application/json", seeds: json),
            Target(method: "POST", path: "\(ns)/configmaps", contentType: "application/yaml", seeds: yaml),
            Target(method: "POST", path: "\(ns)/pods", contentType: "application/vnd.kubernetes.protobuf", seeds: FuzzDecodersTests.protobufSeeds),
            Target(method: "POST", path: apps, contentType: "application/json", seeds: deployment + json),
            Target(method: "PUT", path: "\(apps)/web", contentType: "application/json", seeds: deployment + json),
            Target(method: "PATCH", path: "\(apps)/web", contentType: "application/json-patch+json", seeds: json),
            Target(method: "PATCH", path: "\(apps)/web", contentType: "application/merge-patch+json", seeds: json),
            Target(method: "PATCH", path: "\(apps)/web", contentType: "application/strategic-merge-patch+json", seeds: json),
            Target(method: "PATCH", path: "\(apps)/web?fieldManager=fuzz", contentType: "application/apply-patch+yaml", seeds: deployment + yaml),
            Target(method: "PATCH", path: "\(apps)/web/status", contentType: "application/merge-patch+json", seeds: json),
            Target(method: "POST", path: mlp, contentType: "application/json", seeds: [Array(pipeline.utf8)] + json),
            Target(method: "PATCH", path: "\(mlp)/p", contentType: "application/merge-patch+json", seeds: [Array(pipeline.utf8)] + json),
            Target(method: "PATCH", path: "\(mlp)/p?fieldManager=fuzz&force=true", contentType: "application/apply-patch+yaml", seeds: [Array(pipeline.utf8)] + yaml),
        ]
    }

    @Test("mutated bodies on create, update and every patch type answer 2xx/4xx and the server stays up")
    func fuzzOverHTTP() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-fuzz-http-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller", "--executor", "simulate"], dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        // The objects the update and patch targets address.
        for (path, body) in [("/apis/apps/v1/namespaces/default/deployments", FuzzDecodersTests.deployment.jsonString),
                             ("/apis/ml.sextant.dev/v1alpha1/namespaces/default/mlpipelines", Self.pipeline)] {
            let created = try await cluster.request("POST", path, body: body)
            try #require(created.status == 201, "seed object \(path): \(created.status) \(created.body)")
        }

        var r = FuzzRandom(seed: FuzzSettings.seed &+ 3)
        let targets = Self.targets()
        let count = FuzzSettings.iterations(600)
        var config = ""
        var sent: [(Target, [UInt8])] = []
        for i in 0..<count {
            let target = r.pick(targets)
            let body = r.chance(10) ? r.pick(target.seeds) : FuzzMutator.mutate(r.pick(target.seeds), other: r.pick(target.seeds), &r)
            let file = dir.appendingPathComponent("body-\(i)")
            try Data(body).write(to: file)
            sent.append((target, body))
            config += """
            url = "\(cluster.url)\(target.path)"
            request = "\(target.method)"
            header = "Authorization: Bearer \(cluster.token)"
            header = "Content-Type: \(target.contentType)"
            data-binary = "@\(file.path)"
            cacert = "\(cluster.caPath)"
            max-time = 30
            output = "/dev/null"
            write-out = "%{http_code}\\n"
            next

            """
        }
        let configFile = dir.appendingPathComponent("curl.config")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-K", configFile.path], timeout: 300)
        let codes = result.stdout.split(separator: "\n").map { Int($0) ?? 0 }
        var histogram: [Int: Int] = [:]
        for code in codes { histogram[code, default: 0] += 1 }
        print("fuzz over HTTP figures: \(targets.count) operations, \(codes.count) requests, by class \(SchemathesisTests.classes(histogram)), by status \(histogram.sorted { $0.key < $1.key }), \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(codes.count == count, "curl answered \(codes.count) of \(count): \(result.stderr.suffix(500))")
        var failures: [String] = []
        for (index, code) in codes.enumerated() where code >= 500 || code < 200 {
            let (target, body) = sent[index]
            failures.append("#\(index) \(code) \(target.method) \(target.path) \(target.contentType): \(String(decoding: body.prefix(200), as: UTF8.self).debugDescription)")
        }
        #expect(failures.isEmpty, "\(failures.count) requests answered 5xx or not at all:\n\(failures.prefix(15).joined(separator: "\n"))\n\(cluster.log().suffix(2000))")
        #expect(histogram.keys.contains { (200..<300).contains($0) }, "no fuzzed body was accepted: the seeds are not valid bodies")
        #expect(try await cluster.request("GET", "/healthz").status == 200, "the server is down after the fuzzing: \(cluster.log().suffix(2000))")
    }
}
