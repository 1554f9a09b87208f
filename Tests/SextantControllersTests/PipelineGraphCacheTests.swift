import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

@Suite("MLPipeline validated-DAG cache")
struct PipelineGraphCacheTests {
    @Test("an unchanged generation reuses the validated graph; a new generation is validated again")
    func reusesByGeneration() throws {
        let cache = PipelineGraphCache()
        var p = pipeline([cstep("a"), cstep("b", ["a"])])
        #expect(try cache.graph(for: p).steps.map(\.name) == ["a", "b"])
        // Same uid and generation: the cached graph, even if the copy's spec were different
        // (a generation names one spec; this shows no validation ran).
        var sameGeneration = p
        sameGeneration.spec.steps = [cstep("x", ["missing"])]
        #expect(try cache.graph(for: sameGeneration).steps.map(\.name) == ["a", "b"])
        // A spec change comes with a new generation: validated again, errors thrown as before.
        p.spec.steps = [cstep("x", ["missing"])]
        p.metadata.generation = 2
        #expect(throws: SextantAPIError.self) { try cache.graph(for: p) }
        p.spec.steps = [cstep("c")]
        #expect(try cache.graph(for: p).steps.map(\.name) == ["c"])
        #expect(cache.count == 1)
        cache.forget(uid: "uid-1")
        #expect(cache.count == 0)
    }

    @Test("objects without uid or generation are validated every time; the cache stays within its capacity")
    func unkeyedAndBounded() throws {
        let cache = PipelineGraphCache(capacity: 2)
        var unkeyed = pipeline([cstep("a")])
        unkeyed.metadata.generation = nil
        _ = try cache.graph(for: unkeyed)
        unkeyed.spec.steps = [cstep("b")]
        #expect(try cache.graph(for: unkeyed).steps.map(\.name) == ["b"])
        #expect(cache.count == 0)
        for i in 0..<5 {
            var p = pipeline([cstep("a")])
            p.metadata.uid = "uid-\(i)"
            _ = try cache.graph(for: p)
        }
        #expect(cache.count == 2)
    }

    @Test("the planner plans the same with and without the cache, across a whole run")
    func plannerSameWithCache() {
        let cache = PipelineGraphCache()
        var withCache = pipeline([cstep("a"), cstep("b", ["a"])])
        var without = withCache
        let steps: [[String: JobObservation]] = [
            [:],
            ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: "")],
            ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: ""),
             "run-b-0": JobObservation(name: "run-b-0", outcome: .succeeded, terminationMessage: "")],
        ]
        for jobs in steps {
            var obs = RunObservation(jobs: jobs, now: t0)
            let plain = RunPlanner.plan(without, obs)
            obs.graphs = cache
            let cached = RunPlanner.plan(withCache, obs)
            #expect(cached.status == plain.status)
            #expect(cached.createJobs.map(\.step) == plain.createJobs.map(\.step))
            #expect(cached.events == plain.events)
            withCache.status = cached.status
            without.status = plain.status
        }
        #expect(withCache.status?.phase == "Succeeded")
    }
}
