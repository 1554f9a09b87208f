import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// How the run planner treats a run whose status came back through `sextant restore` into a
/// cluster that has none of its Jobs.
@Suite("Run planner after a restore")
struct RestoreAdoptionPlannerTests {
    @Test("a finished run whose Jobs are gone creates nothing")
    func finishedRunStaysFinished() {
        let (done, _) = advance(advance(pipeline([cstep("a")])).0, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: "")])
        #expect(done.status?.phase == "Succeeded")
        let (_, plan) = advance(done, [:], at: t0.addingTimeInterval(86_400))
        #expect(plan.createJobs.isEmpty && plan.events.isEmpty)
    }

    @Test("a running attempt whose Job is lost gets the same Job again once the grace has passed, with upstream outputs")
    func lostJobIsRecreated() throws {
        let p0 = pipeline([cstep("a", outputs: StepOutputs(artifacts: ["m"])), cstep("b", ["a"], args: ["{{steps.a.outputs.artifacts.m}}"])])
        let (p1, _) = advance(p0)
        let jobA = ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: #"{"artifacts":{"m":"s3://m"}}"#)]
        let (running, started) = advance(p1, jobA)
        #expect(started.createJobs.map(\.step) == ["b"])
        // Restored elsewhere: no Job exists. Within the grace the Job may just not be cached yet.
        let (_, early) = advance(running, [:], at: t0.addingTimeInterval(RunPlanner.lostJobGraceSeconds - 1))
        #expect(early.createJobs.isEmpty)
        let (after, late) = advance(running, [:], at: t0.addingTimeInterval(RunPlanner.lostJobGraceSeconds + 1))
        let recreated = try #require(late.createJobs.first)
        #expect(late.createJobs.count == 1)
        #expect(recreated.step == "b" && recreated.attempt == 0)
        #expect(recreated.resolved.container?.args == ["s3://m"])
        #expect(late.events.map(\.reason) == ["JobRecreated"])
        // The attempt is the same one: no new attempt entry, the step still runs.
        #expect(after.status?.steps?.last?.attempts?.count == 1)
        #expect(after.status?.steps?.last?.phase == "Running")
        // Once the Job is seen, it is followed as before.
        let (done, plan) = advance(after, jobA.merging(["run-b-0": JobObservation(name: "run-b-0", outcome: .succeeded, terminationMessage: "")]) { a, _ in a },
                                   at: t0.addingTimeInterval(60))
        #expect(plan.createJobs.isEmpty)
        #expect(done.status?.phase == "Succeeded")
    }
}
