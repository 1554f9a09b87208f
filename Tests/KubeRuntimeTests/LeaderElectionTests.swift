import Foundation
import KubeCore
import KubeRuntime
import Testing

@Suite("Leader election state machine")
struct LeaderElectionTests {
    let wall = Date(timeIntervalSince1970: 1_800_000_000)

    func machine(_ id: String) -> LeaderElectionStateMachine {
        LeaderElectionStateMachine(config: LeaderElectionConfig(leaseName: "l", namespace: "ns", identity: id))
    }

    @Test("no lease: create one holding it with 15 s duration")
    func createsLease() throws {
        var m = machine("a")
        guard case .create(let spec) = m.decide(current: nil, wallNow: wall, monoNow: 0) else {
            Issue.record("expected create")
            return
        }
        #expect(spec.holderIdentity == "a")
        #expect(spec.leaseDurationSeconds == 15)
        #expect(spec.leaseTransitions == 0)
        #expect(spec.acquireTime == spec.renewTime)
        m.succeeded(spec, monoNow: 0)
        #expect(m.isLeader)
    }

    @Test("a lease held by someone else is respected until it went unrenewed for the lease duration")
    func waitsForExpiry() {
        var b = machine("b")
        let held = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "t0", renewTime: "t0", leaseTransitions: 0)
        #expect(b.decide(current: held, wallNow: wall, monoNow: 100) == .wait)
        #expect(b.decide(current: held, wallNow: wall, monoNow: 110) == .wait)
        // Renewed by a: the observation clock restarts.
        var renewed = held
        renewed.renewTime = "t1"
        #expect(b.decide(current: renewed, wallNow: wall, monoNow: 114) == .wait)
        #expect(b.decide(current: renewed, wallNow: wall, monoNow: 128) == .wait)
        guard case .update(let spec) = b.decide(current: renewed, wallNow: wall, monoNow: 129.5) else {
            Issue.record("expected takeover")
            return
        }
        #expect(spec.holderIdentity == "b")
        #expect(spec.leaseTransitions == 1)
        #expect(spec.acquireTime == KubeTime.formatMicro(wall))
    }

    @Test("a released lease (no holder) is taken at once")
    func releasedTakenImmediately() {
        var b = machine("b")
        let released = LeaseSpec(holderIdentity: nil, leaseDurationSeconds: 1, acquireTime: "t0", renewTime: "t0", leaseTransitions: 2)
        guard case .update(let spec) = b.decide(current: released, wallNow: wall, monoNow: 0) else {
            Issue.record("expected takeover")
            return
        }
        #expect(spec.holderIdentity == "b")
        #expect(spec.leaseTransitions == 3)
    }

    @Test("the holder renews keeping acquireTime and transitions")
    func renews() {
        var a = machine("a")
        let mine = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "t0", renewTime: "t0", leaseTransitions: 4)
        a.succeeded(mine, monoNow: 0)
        guard case .update(let spec) = a.decide(current: mine, wallNow: wall, monoNow: 2) else {
            Issue.record("expected renew")
            return
        }
        #expect(spec.acquireTime == "t0")
        #expect(spec.leaseTransitions == 4)
        #expect(spec.renewTime == KubeTime.formatMicro(wall))
    }

    @Test("failing to renew for the renew deadline (10 s) loses leadership")
    func losesAfterDeadline() {
        var a = machine("a")
        a.succeeded(LeaseSpec(holderIdentity: "a"), monoNow: 0)
        let at4 = a.failed(monoNow: 4)
        #expect(!at4)
        #expect(a.isLeader)
        let at9 = a.failed(monoNow: 9.9)
        #expect(!at9)
        let at10 = a.failed(monoNow: 10)
        #expect(at10)
        #expect(!a.isLeader)
    }

    @Test("release clears the holder only when we hold the lease")
    func release() {
        var a = machine("a")
        let mine = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "t0", renewTime: "t0", leaseTransitions: 1)
        #expect(a.releaseSpec(current: mine, wallNow: wall) == nil)
        a.succeeded(mine, monoNow: 0)
        let released = a.releaseSpec(current: mine, wallNow: wall)
        #expect(released?.holderIdentity == nil)
        #expect(released?.leaseDurationSeconds == 1)
        #expect(released?.leaseTransitions == 1)
        var other = mine
        other.holderIdentity = "b"
        #expect(a.releaseSpec(current: other, wallNow: wall) == nil)
    }
}
