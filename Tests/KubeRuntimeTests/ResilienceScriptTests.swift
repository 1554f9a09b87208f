import Foundation
import KubeCore
import TestSupport
import Testing

/// The reduced CI versions of the hack/chaos-*.py resilience scripts (full versions and their
/// figures: docs/reliability.md). Each script starts its own `sextant dev` and controllers on
/// loopback, prints `RESULT {json}` last and exits 0 only when its checks pass; these tests run
/// them with small sizes and check the figures they report.
@Suite("Resilience scripts (reduced)", .serialized)
struct ResilienceScriptTests {
    struct Outcome {
        var exitCode: Int32
        var result: JSONValue
        var output: String

        func int(_ key: String) -> Int? { result[key]?.intValue.map(Int.init) }
    }

    /// Runs `hack/<script>` with the test's `sextant` binary and returns its RESULT line.
    static func run(_ script: String, _ arguments: [String], timeout: Double) async throws -> Outcome {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? ProcessInfo.processInfo.environment["SEXTANT_PYTHON"] ?? "python3"
        let path = ProcessRunner.packageRoot.appendingPathComponent("hack/\(script)").path
        let r = try await ProcessRunner.run(python, [path] + arguments, environment: ["SEXTANT_BINARY": try DevClusterProcess.binaryPath()],
                                            timeout: timeout)
        let output = r.stdout + "\n" + r.stderr
        guard let line = r.stdout.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
              let json = try? JSONValue.parse(String(line.dropFirst("RESULT ".count))) else {
            Issue.record("\(script) printed no RESULT line (exit \(r.exitCode)): \(output.suffix(3000))")
            return Outcome(exitCode: r.exitCode, result: .emptyObject, output: output)
        }
        return Outcome(exitCode: r.exitCode, result: json, output: output)
    }

    @Test("SIGKILL of the controller 8 times during a 20-pipeline run: every run succeeds, one Job per step, one ModelVersion per run")
    func controllerKills() async throws {
        let o = try await Self.run("chaos-controller-kill.py", ["--kills", "8", "--pipelines", "20", "--max-interval", "2",
                                                                "--step-seconds", "0.5", "--timeout", "120"], timeout: 200)
        #expect(o.exitCode == 0, "\(o.output.suffix(3000))")
        #expect(o.int("kills") == 8)
        #expect(o.int("succeeded") == 20)
        #expect(o.int("stuck_count") == 0)
        #expect(o.int("duplicate_jobs") == 0)
        #expect(o.int("missing_jobs") == 0)
        #expect(o.int("model_versions") == 20)
        #expect(o.int("duplicate_model_versions") == 0)
    }

    @Test("10% injected 500/429/503, watches cut every 50 events and forced 410s: all 20 runs complete")
    func apiFaults() async throws {
        let o = try await Self.run("chaos-faults.py", ["--pipelines", "20", "--error-rate", "0.1", "--watch-event-limit", "50",
                                                       "--compact-every", "2", "--timeout", "150"], timeout: 220)
        #expect(o.exitCode == 0, "\(o.output.suffix(3000))")
        #expect(o.int("succeeded") == 20)
        #expect(o.int("duplicate_jobs") == 0)
        #expect(o.int("model_versions") == 20)
        #expect((o.int("injected_faults") ?? 0) > 0, "no fault was injected: the test proves nothing")
        #expect((o.int("compactions") ?? 0) > 0)
        #expect((o.int("watch_streams_cut") ?? 0) > 0, "no watch stream was cut")
    }

    @Test("SIGKILL of sextant dev during 5 write bursts: every acknowledged create and update is there after restart")
    func devServerKills() async throws {
        let o = try await Self.run("chaos-dev-kill.py", ["--rounds", "5", "--writers", "16", "--max-burst", "1.5"], timeout: 150)
        #expect(o.exitCode == 0, "\(o.output.suffix(3000))")
        #expect(o.int("rounds") == 5)
        #expect((o.int("acknowledged") ?? 0) > 0, "no write was acknowledged: nothing was checked")
        #expect(o.int("lost") == 0)
    }

    @Test("leader failover with two controller replicas under load (the controller's default lease timing) resumes work in under 20 s")
    func leaderFailover() async throws {
        let o = try await Self.run("chaos-failover.py", ["--failovers", "1", "--rate", "3", "--settle", "3", "--timeout", "120"], timeout: 220)
        #expect(o.exitCode == 0, "\(o.output.suffix(3000))")
        let resumed = o.result["resumed_seconds"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(resumed.count == 1)
        #expect(resumed.allSatisfy { $0 >= 0 && $0 < 20 }, "resumed after \(resumed) s")
        #expect(o.int("stuck_count") == 0)
        #expect(o.int("duplicate_jobs") == 0)
    }
}
