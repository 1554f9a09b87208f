import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs leader election on a coordination.k8s.io/v1 Lease and runs a workload only while leading.
public final class LeaderElector: Sendable {
    public let config: LeaderElectionConfig
    private let api: Api<Lease>
    private let logger: Logger
    private let machine: Mutex<LeaderElectionStateMachine>
    /// True while the last attempt to read the lease worked (a healthy standby).
    private let healthy = Mutex(false)
    private let gauge: Gauge

    public init(client: KubeClient, config: LeaderElectionConfig, logger: Logger = Logger(label: "sextant.leaderelection")) {
        self.config = config
        self.api = Api<Lease>(client: client, namespace: config.namespace)
        var log = logger
        log[metadataKey: "lease"] = "\(config.namespace)/\(config.leaseName)"
        log[metadataKey: "identity"] = "\(config.identity)"
        self.logger = log
        self.machine = Mutex(LeaderElectionStateMachine(config: config))
        self.gauge = Gauge(label: "leader_election_master_status", dimensions: [("name", config.leaseName)])
        gauge.record(0)
    }

    public var isLeader: Bool { machine.withLock { $0.isLeader } }
    /// Not leading but talking to the API server fine.
    public var isStandingBy: Bool { !isLeader && healthy.withLock { $0 } }

    /// One acquire-or-renew round. Returns whether we lead afterwards; throws on lost leadership.
    func tryAcquireOrRenew() async throws -> Bool {
        let current: Lease?
        do {
            current = try await api.getOptional(config.leaseName)
            healthy.withLock { $0 = true }
        } catch {
            healthy.withLock { $0 = false }
            logger.warning("cannot read lease", metadata: ["error": "\(error)"])
            return try recordFailure()
        }
        let decision = machine.withLock { $0.decide(current: current?.spec, wallNow: Date(), monoNow: MonotonicClock.now()) }
        do {
            switch decision {
            case .wait:
                return try recordFailure()
            case .create(let spec):
                let lease = Lease(metadata: ObjectMeta(name: config.leaseName, namespace: config.namespace), spec: spec)
                let created = try await api.create(lease)
                return succeed(created.spec ?? spec)
            case .update(let spec):
                guard var lease = current else { return try recordFailure() }
                lease.spec = spec
                let updated = try await api.replace(lease)
                return succeed(updated.spec ?? spec)
            }
        } catch let error as RuntimeError {
            throw error
        } catch {
            logger.info("lease write failed", metadata: ["error": "\(error)"])
            return try recordFailure()
        }
    }

    private func succeed(_ spec: LeaseSpec) -> Bool {
        let wasLeader = machine.withLock { m -> Bool in
            let was = m.isLeader
            m.succeeded(spec, monoNow: MonotonicClock.now())
            return was
        }
        if !wasLeader {
            logger.info("became leader")
            gauge.record(1)
        }
        return true
    }

    private func recordFailure() throws -> Bool {
        let lost = machine.withLock { $0.failed(monoNow: MonotonicClock.now()) }
        if lost {
            gauge.record(0)
            logger.error("leadership lost: lease not renewed within the renew deadline")
            throw RuntimeError.leadershipLost("lease \(config.namespace)/\(config.leaseName) not renewed within \(config.renewDeadline)s")
        }
        return machine.withLock { $0.isLeader }
    }

    /// Campaigns until leading (returns without running `workload` on graceful shutdown or
    /// cancellation), then runs `workload` while renewing every `retryPeriod`. When `workload`
    /// returns (graceful shutdown) the Lease is released so a standby takes over at once. Throws
    /// `RuntimeError.leadershipLost` if renewal fails past the renew deadline.
    public func run(whileLeading workload: @escaping @Sendable () async throws -> Void) async throws {
        logger.info("waiting for leadership")
        while true {
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            if (try? await tryAcquireOrRenew()) == true { break }
            let jittered = config.retryPeriod * Double.random(in: 1.0...1.2)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(jittered)) }
            } catch {
                return
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await workload()
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(self.config.retryPeriod))
                    _ = try await self.tryAcquireOrRenew()
                }
            }
            // The first child to finish decides: workload done (shutdown) or renewal failed (throws).
            do {
                try await group.next()
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
        await release()
    }

    /// Clears the holder so another candidate acquires without waiting for expiry.
    public func release() async {
        guard isLeader else { return }
        do {
            if var lease = try await api.getOptional(config.leaseName), let current = lease.spec,
               let spec = machine.withLock({ $0.releaseSpec(current: current, wallNow: Date()) }) {
                lease.spec = spec
                _ = try await api.replace(lease)
                logger.info("released lease")
            }
        } catch {
            logger.warning("cannot release lease", metadata: ["error": "\(error)"])
        }
        machine.withLock { $0.released() }
        gauge.record(0)
    }
}
