import Foundation
import Synchronization

/// Why a pod's containers are being stopped.
enum PodStopReason: Sendable, Equatable {
    /// The pod was deleted.
    case deleted
    /// The pod's `activeDeadlineSeconds` passed.
    case deadline
    /// `sextant dev` is shutting down.
    case shutdown
}

/// The control handle of one running pod: the stop request and its host processes.
final class PodHandle: Sendable {
    let uid: String
    /// The pod's termination grace period.
    let grace: Duration
    private let state = Mutex<(stop: PodStopReason?, killAt: ContinuousClock.Instant?, processes: [pid_t: HostProcess])>((nil, nil, [:]))

    init(uid: String, grace: Duration) {
        self.uid = uid
        self.grace = grace
    }

    /// The stop request, if any.
    var stopReason: PodStopReason? { state.withLock { $0.stop } }

    /// Asks the containers to stop: SIGTERM to every process now, SIGKILL after `grace`.
    /// The first reason wins; a later request only acts when it shortens the grace period
    /// (a second delete with a smaller `gracePeriodSeconds`, shutdown).
    func requestStop(_ reason: PodStopReason, grace: Duration) {
        let killAt = ContinuousClock.now.advanced(by: grace)
        let processes: [HostProcess] = state.withLock { s in
            if s.stop == nil { s.stop = reason }
            if let earlier = s.killAt, earlier <= killAt { return [] }
            s.killAt = killAt
            return Array(s.processes.values)
        }
        for process in processes { process.requestTermination(grace: grace) }
    }

    /// Registers a started process; false when a stop was already requested (the caller kills it).
    func attach(_ process: HostProcess) -> Bool {
        state.withLock { s in
            guard s.stop == nil else { return false }
            s.processes[process.pid] = process
            return true
        }
    }

    func detach(_ process: HostProcess) {
        _ = state.withLock { $0.processes.removeValue(forKey: process.pid) }
    }
}

/// The running pods of the kubelet, by key.
final class PodRegistry: Sendable {
    private let pods = Mutex<[ObjectKey: PodHandle]>([:])

    func handle(_ key: ObjectKey) -> PodHandle? { pods.withLock { $0[key] } }

    /// Registers a new pod; nil when one with that key is still running.
    func register(_ key: ObjectKey, uid: String, grace: Duration) -> PodHandle? {
        pods.withLock { p in
            if p[key] != nil { return nil }
            let handle = PodHandle(uid: uid, grace: grace)
            p[key] = handle
            return handle
        }
    }

    func remove(_ key: ObjectKey, _ handle: PodHandle) {
        pods.withLock { p in
            if p[key] === handle { p[key] = nil }
        }
    }

    var count: Int { pods.withLock { $0.count } }
}
