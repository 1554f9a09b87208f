import Foundation
import KubeCore

/// Timing of leader election (client-go / controller-runtime defaults: 15 s lease, 10 s renew
/// deadline, 2 s retry period).
public struct LeaderElectionConfig: Sendable, Hashable {
    public var leaseName: String
    public var namespace: String
    public var identity: String
    public var leaseDuration: Double = 15
    public var renewDeadline: Double = 10
    public var retryPeriod: Double = 2

    public init(leaseName: String, namespace: String, identity: String) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
    }
}

/// Leader election on a Lease as a pure state machine. The driver reads the Lease, asks
/// `decide` what to write, writes it, and reports the outcome; times are passed in (wall time
/// for the Lease fields, monotonic seconds for expiry decisions so clock skew between candidates
/// does not matter: a foreign lease counts as expired only after this candidate has seen it
/// unchanged for `leaseDuration`).
public struct LeaderElectionStateMachine: Sendable {
    public enum Decision: Sendable, Equatable {
        /// No Lease exists: create this one.
        case create(LeaseSpec)
        /// Take over or renew: update the Lease to this spec (with the read resourceVersion).
        case update(LeaseSpec)
        /// Someone else holds a valid lease: try again after `retryPeriod`.
        case wait
    }

    public let config: LeaderElectionConfig
    public private(set) var isLeader = false
    /// Monotonic time of the last successful create/renew.
    public private(set) var lastRenew: Double?
    private var observedSpec: LeaseSpec?
    private var observedAt: Double?

    public init(config: LeaderElectionConfig) {
        self.config = config
    }

    /// What to do given the current Lease (nil when absent).
    public mutating func decide(current: LeaseSpec?, wallNow: Date, monoNow: Double) -> Decision {
        let now = KubeTime.formatMicro(wallNow)
        guard let current else {
            return .create(LeaseSpec(holderIdentity: config.identity, leaseDurationSeconds: Int32(config.leaseDuration),
                                     acquireTime: now, renewTime: now, leaseTransitions: 0))
        }
        if current != observedSpec {
            observedSpec = current
            observedAt = monoNow
        }
        let holder = current.holderIdentity ?? ""
        let iHold = holder == config.identity
        if !holder.isEmpty, !iHold {
            let duration = Double(current.leaseDurationSeconds ?? Int32(config.leaseDuration))
            if let seen = observedAt, monoNow - seen < duration {
                return .wait
            }
        }
        var next = current
        next.holderIdentity = config.identity
        next.leaseDurationSeconds = Int32(config.leaseDuration)
        next.renewTime = now
        if !iHold {
            next.acquireTime = now
            next.leaseTransitions = (current.leaseTransitions ?? 0) + 1
        }
        return .update(next)
    }

    /// The create/update succeeded: we lead (again).
    public mutating func succeeded(_ spec: LeaseSpec, monoNow: Double) {
        isLeader = true
        lastRenew = monoNow
        observedSpec = spec
        observedAt = monoNow
    }

    /// The attempt failed (conflict, error, or `.wait`). Returns true when leadership is lost:
    /// we were leading and could not renew within `renewDeadline`.
    public mutating func failed(monoNow: Double) -> Bool {
        guard isLeader else { return false }
        if let last = lastRenew, monoNow - last >= config.renewDeadline {
            isLeader = false
            return true
        }
        return false
    }

    /// The Lease to write on graceful shutdown: holder cleared so a standby takes over at once.
    public func releaseSpec(current: LeaseSpec, wallNow: Date) -> LeaseSpec? {
        guard isLeader, current.holderIdentity == config.identity else { return nil }
        var spec = current
        spec.holderIdentity = nil
        spec.leaseDurationSeconds = 1
        spec.renewTime = KubeTime.formatMicro(wallNow)
        return spec
    }

    /// Leadership given up (after release).
    public mutating func released() {
        isLeader = false
        lastRenew = nil
    }
}
