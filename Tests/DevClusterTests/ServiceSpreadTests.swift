import Foundation
import KubeCore
import Testing
@testable import DevCluster

/// The rotation of the Service host listener (ServiceProxy). Requests through a real listener to
/// the pods of two Deployments are counted in ServingScalingE2ETests (on `sextant dev`).
@Suite("Service host listener spreads connections over ready pods")
struct ServiceSpreadTests {
    @Test("the rotation gives each ready backend an equal share, in turn")
    func rotationIsRoundRobin() {
        var rotation = BackendRotation(backends: [1, 2, 3])
        let picks = (0..<9).compactMap { _ in rotation.pick() }
        #expect(picks == [1, 2, 3, 1, 2, 3, 1, 2, 3])
    }

    @Test("no ready backend: no pick (the connection is refused)")
    func emptyRotation() {
        var rotation = BackendRotation()
        let pick = rotation.pick()
        let candidates = rotation.candidates()
        #expect(pick == nil)
        #expect(candidates.isEmpty)
    }

    @Test("an update keeps the position and drops pods that became unready")
    func updateKeepsPosition() {
        var rotation = BackendRotation(backends: [1, 2])
        let first = rotation.pick()
        rotation.update([1, 2, 3])
        let afterGrowth = (0..<3).map { _ in rotation.pick() }
        rotation.update([3])
        let afterShrink = (0..<2).map { _ in rotation.pick() }
        #expect(first == 1)
        #expect(afterGrowth == [2, 3, 1])
        #expect(afterShrink == [3, 3])
    }

    @Test("candidates start at the picked backend and then try the others")
    func candidatesWrap() {
        var rotation = BackendRotation(backends: [1, 2, 3])
        _ = rotation.pick()
        let second = rotation.candidates()
        let third = rotation.candidates()
        #expect(second == [2, 3, 1])
        #expect(third == [3, 1, 2])
    }
}
