import Foundation
import KubeClient
import KubeCore
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// Options of a `ControllerManager`.
public struct ManagerOptions: Sendable {
    /// Leader election; nil runs controllers at once.
    public var leaderElection: LeaderElectionConfig?
    /// `host:port` for `/metrics`; nil or "0" disables.
    public var metricsBindAddress: String?
    /// `host:port` for `/healthz` and `/readyz`; nil or "0" disables.
    public var healthProbeBindAddress: String?
    /// `reportingController` of Events.
    public var reportingController: String = "sextant"
    /// The Event recorder's queue and its own send budget (`EventRecorder.Options`).
    public var events = EventRecorder.Options()

    public init(leaderElection: LeaderElectionConfig? = nil, metricsBindAddress: String? = nil, healthProbeBindAddress: String? = nil) {
        self.leaderElection = leaderElection
        self.metricsBindAddress = metricsBindAddress
        self.healthProbeBindAddress = healthProbeBindAddress
    }
}

/// Runs controllers (only while leading when leader election is on) plus the health and metrics
/// servers, as one swift-service-lifecycle `Service`. On graceful shutdown workers finish their
/// current item, the Lease is released and `run` returns.
public final class ControllerManager: ServiceLifecycle.Service, Sendable {
    public typealias Runner = @Sendable (ReadinessTracker, EventRecorder) async throws -> Void

    public let client: KubeClient
    public let options: ManagerOptions
    public let readiness = ReadinessTracker()
    public let recorder: EventRecorder
    public let elector: LeaderElector?
    private let registry: PrometheusCollectorRegistry?
    private let logger: Logger
    private let runners = Mutex<[(String, Runner)]>([])

    /// - Parameter registry: the Prometheus registry the process's MetricsSystem writes to (served on /metrics).
    public init(client: KubeClient, options: ManagerOptions, registry: PrometheusCollectorRegistry? = nil, logger: Logger = Logger(label: "sextant.manager")) {
        self.client = client
        self.options = options
        self.registry = registry
        self.logger = logger
        self.recorder = EventRecorder(client: client, reportingController: options.reportingController, options: options.events)
        if let config = options.leaderElection {
            let elector = LeaderElector(client: client, config: config, logger: logger)
            self.elector = elector
            readiness.register("leader-election") { elector.isLeader || elector.isStandingBy }
        } else {
            self.elector = nil
        }
    }

    /// Registers a controller.
    public func add<R: Resource>(_ controller: Controller<R>) {
        runners.withLock { $0.append((controller.name, { readiness, recorder in try await controller.run(readiness: readiness, recorder: recorder) })) }
    }

    /// Registers any long-running task that should run only while leading.
    public func add(name: String, _ runner: @escaping Runner) {
        runners.withLock { $0.append((name, runner)) }
    }

    /// Names of the registered controllers.
    public var controllerNames: [String] { runners.withLock { $0.map(\.0) } }

    public func run() async throws {
        let health = try options.healthProbeBindAddress.flatMap(parseBindAddress)
        let metrics = try options.metricsBindAddress.flatMap(parseBindAddress)
        let readiness = self.readiness
        let registry = self.registry
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let health {
                if let metrics, metrics == health {
                    group.addTask { try await ProbeServer.application(host: health.host, port: health.port, readiness: readiness, registry: registry, logger: logger).run() }
                } else {
                    group.addTask { try await ProbeServer.application(host: health.host, port: health.port, readiness: readiness, registry: nil, logger: logger).run() }
                }
            }
            if let metrics, metrics != health.map({ $0 }) ?? (host: "", port: -1) {
                group.addTask { try await ProbeServer.application(host: metrics.host, port: metrics.port, readiness: nil, registry: registry ?? PrometheusCollectorRegistry(), logger: logger).run() }
            }
            let recorder = self.recorder
            group.addTask { try await recorder.run() }
            if let elector {
                try await elector.run { try await self.runControllers() }
            } else {
                try await self.runControllers()
            }
            logger.info("manager stopped")
            group.cancelAll()
        }
    }

    private func runControllers() async throws {
        let all = runners.withLock { $0 }
        let readiness = self.readiness
        let recorder = self.recorder
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (_, runner) in all {
                group.addTask { try await runner(readiness, recorder) }
            }
            if all.isEmpty {
                // Nothing to run: stay up (holding the lease) until shutdown.
                group.addTask {
                    try? await gracefulShutdown()
                }
            }
            try await group.waitForAll()
        }
    }
}

/// What `sextant controller` passes to the reconciler registration.
public struct ControllerOptions: Sendable {
    /// Namespaces to watch; empty = all namespaces.
    public var namespaces: [String]
    /// Concurrent reconciles per controller.
    public var workers: Int
    /// fieldManager for writes and server-side apply.
    public var fieldManager: String

    public init(namespaces: [String] = [], workers: Int = 2, fieldManager: String = "sextant") {
        self.namespaces = namespaces
        self.workers = workers
        self.fieldManager = fieldManager
    }
}
