import Foundation
import SextantAPI
@testable import SextantControllers
import Testing

/// Registry calls made off the ModelVersion controller's single worker (`MirrorCalls`), without I/O:
/// a registry that never answers must not hold the passes of other versions, and a result is only
/// ever applied to the subject it was made for.
@Suite("Registry mirror calls off the reconcile path")
struct MirrorCallsTests {
    func subject(_ uid: String, stage: String = ModelStage.staging, model: String = "churn") -> MirrorSubject {
        MirrorSubject(namespace: "ml", name: "\(model)-\(uid)", uid: uid, model: model, version: 1, artifactURI: "s3://b/m", stage: stage)
    }

    static let synced = MirrorPlanner.Result.synced(MirrorRecord(id: "arn:pkg/1", created: true), stage: "PendingManualApproval")
    static let resynced = MirrorPlanner.Result.synced(MirrorRecord(id: "arn:pkg/1"), stage: "Approved")

    /// Counts the calls made.
    actor Counter {
        var value = 0
        func next() -> Int { value += 1; return value }
    }

    /// Polls `outcome` until it is finished (at most ~5 s).
    func finished(_ calls: MirrorCalls, uid: String, registry: String = "sagemaker", subject: MirrorSubject,
                  _ operation: @escaping @Sendable () async -> MirrorPlanner.Result) async throws -> MirrorPlanner.Result? {
        for _ in 0..<500 {
            if case .finished(let r) = await calls.outcome(uid: uid, registry: registry, subject: subject, operation: operation) { return r }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func whileRunning(_ calls: MirrorCalls, _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await calls.run() }
            for _ in 0..<500 where !(await calls.isRunning) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await calls.isRunning)
            try await body()
            group.cancelAll()
        }
    }

    @Test("without the runner (not leading, or reconcile called directly) the call is made inline and its result returned at once")
    func inlineWithoutRunner() async {
        let calls = MirrorCalls()
        let outcome = await calls.outcome(uid: "a", registry: "sagemaker", subject: subject("a")) { Self.synced }
        #expect(outcome == .finished(Self.synced))
        #expect(await calls.outstanding == 0)
    }

    @Test("a registry call that does not answer leaves the pass pending and other versions' calls finish meanwhile; a later pass takes its result")
    func slowCallDoesNotHoldOthers() async throws {
        let calls = MirrorCalls()
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let held = subject("held")
        try await whileRunning(calls) {
            let first = await calls.outcome(uid: "held", registry: "sagemaker", subject: held) {
                for await _ in gate { break }
                return Self.synced
            }
            #expect(first == .pending)
            // Another version's call is made and taken while the first is still out.
            let other = try await finished(calls, uid: "other", subject: subject("other", model: "fraud")) { Self.synced }
            #expect(other == Self.synced)
            #expect(await calls.outcome(uid: "held", registry: "sagemaker", subject: held) { Self.synced } == .pending)
            open.yield()
            let late = try await finished(calls, uid: "held", subject: held) { .failed(CloudBackendError(.unavailable, "must not be called again")) }
            #expect(late == Self.synced)
        }
    }

    @Test("a result made for an older subject (the stage moved meanwhile) is dropped and the call made again for the new one; nothing is called twice for one subject")
    func staleResultIsDropped() async throws {
        let calls = MirrorCalls()
        let counter = Counter()
        let first: @Sendable () async -> MirrorPlanner.Result = {
            _ = await counter.next()
            return Self.synced
        }
        let second: @Sendable () async -> MirrorPlanner.Result = {
            _ = await counter.next()
            return Self.resynced
        }
        try await whileRunning(calls) {
            let staging = subject("v", stage: ModelStage.staging)
            let submitted = await calls.outcome(uid: "v", registry: "sagemaker", subject: staging, operation: first)
            #expect(submitted == .pending)
            for _ in 0..<500 where await calls.outstanding > 0 { try await Task.sleep(for: .milliseconds(10)) }
            let result = try await finished(calls, uid: "v", subject: subject("v", stage: ModelStage.production), second)
            #expect(result == Self.resynced)
            #expect(await counter.value == 2)
        }
        // The runner has stopped: calls are inline again.
        #expect(await calls.isRunning == false)
        #expect(await calls.outcome(uid: "w", registry: "sagemaker", subject: subject("w")) { Self.synced } == .finished(Self.synced))
    }

    @Test("calls to one registry for one model never overlap (a model's versions share its aliases) and run in the order submitted")
    func oneModelsCallsRunInOrder() async throws {
        let calls = MirrorCalls()
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let counter = Counter()
        let held: @Sendable () async -> MirrorPlanner.Result = {
            for await _ in gate { break }
            _ = await counter.next()
            return Self.synced
        }
        // The second call records which call it was: 2 only if the held one ended first.
        let behind: @Sendable () async -> MirrorPlanner.Result = {
            let n = await counter.next()
            return .synced(MirrorRecord(id: "call-\(n)"), stage: "Archived")
        }
        try await whileRunning(calls) {
            #expect(await calls.outcome(uid: "v1", registry: "mlflow", subject: subject("v1"), operation: held) == .pending)
            #expect(await calls.outcome(uid: "v2", registry: "mlflow", subject: subject("v2"), operation: behind) == .pending)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await counter.value == 0, "the second call of the model's lane started while the first was out")
            open.yield()
            let second = try await finished(calls, uid: "v2", registry: "mlflow", subject: subject("v2"), behind)
            #expect(second == .synced(MirrorRecord(id: "call-2"), stage: "Archived"))
        }
    }

    @Test("a version deleted without the mirror finalizer is forgotten by the next sweep (its backoff and its untaken result), live versions keep theirs, and sweeps run at most once a minute")
    func sweepForgetsDeletedVersions() async throws {
        let work = MirrorWork()
        let now = Date()
        await work.failed(uid: "gone", registry: "sagemaker", now: now)
        await work.failed(uid: "kept", registry: "sagemaker", now: now)
        let gone = subject("gone")
        try await whileRunning(work.calls) {
            #expect(await work.calls.outcome(uid: "gone", registry: "mlflow", subject: gone) { Self.synced } == .pending)
            for _ in 0..<500 where await work.calls.outstanding > 0 { try await Task.sleep(for: .milliseconds(10)) }
            await work.sweep(now: now) { ["kept"] }
            // What must not be lost: the live version's backoff.
            #expect(await work.rememberedFailures == 1)
            #expect(await work.notBefore(uid: "kept")["sagemaker"] != nil)
            #expect(await work.notBefore(uid: "gone").isEmpty)
            // The deleted version's finished call was dropped: asking again submits a new call.
            #expect(await work.calls.outcome(uid: "gone", registry: "mlflow", subject: gone) { Self.synced } == .pending)
            await work.failed(uid: "gone-too", registry: "sagemaker", now: now)
            await work.sweep(now: now.addingTimeInterval(30)) { ["kept"] }
            #expect(await work.rememberedFailures == 2, "a second sweep within a minute ran")
            await work.sweep(now: now.addingTimeInterval(61)) { ["kept"] }
            #expect(await work.rememberedFailures == 1)
        }
    }
}
