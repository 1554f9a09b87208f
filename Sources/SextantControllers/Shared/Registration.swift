import Foundation
import KubeClient
import KubeRuntime
import Logging

/// What the controllers need besides the cluster: the cloud backends and the prices.
public struct SextantControllerConfig: Sendable {
    /// Backends of cloud steps by kind; a kind without one fails with `BackendUnavailable`.
    public var backends: CloudBackends
    /// Prices for cost estimates (`--pricing-config`, else `PricingTable.shippedDefaults`).
    public var pricing: PricingTable
    /// How often cloud jobs are polled (10 s, × 1.5 while unchanged, ≤ 120 s by default).
    public var pollSchedule: CloudPollSchedule
    /// Registry mirrors of ModelVersions (`spec.registries`) by registry; none configured = not mirrored.
    public var mirrors: RegistryMirrors
    /// Sources of RetrainPolicy data and metric triggers (nil: `RetrainTriggerSources.standard` over the process environment).
    public var retrainTriggers: RetrainTriggerSources?
    /// Experiment tracking (`spec.tracking.mlflow`); credentials from the controller's environment.
    public var tracker: RunTracker
    /// Where the MLPipeline controller queues OpenLineage events (nil: emission off).
    public var lineage: OpenLineageEmitter?

    /// A configuration.
    public init(
        backends: CloudBackends = CloudBackends(), pricing: PricingTable = .shippedDefaults, pollSchedule: CloudPollSchedule = CloudPollSchedule(),
        mirrors: RegistryMirrors = RegistryMirrors(), retrainTriggers: RetrainTriggerSources? = nil, tracker: RunTracker = RunTracker(),
        lineage: OpenLineageEmitter? = nil
    ) {
        self.backends = backends
        self.pricing = pricing
        self.pollSchedule = pollSchedule
        self.mirrors = mirrors
        self.retrainTriggers = retrainTriggers
        self.tracker = tracker
        self.lineage = lineage
    }
}

/// Registration of every Sextant reconciler with the controller manager (`sextant controller`).
public enum SextantControllers {
    /// Adds the controllers to `manager`. Each controller watches `options.namespaces` (all when
    /// empty) with `options.workers` workers.
    public static func register(
        in manager: ControllerManager, client: KubeClient, options: ControllerOptions, config: SextantControllerConfig = SextantControllerConfig()
    ) throws {
        manager.add(MLPipelineController.make(client: client, options: options, config: config))
        let mirrors = MirrorWork(mirrors: config.mirrors)
        manager.add(ModelVersionController.make(client: client, namespaces: options.namespaces, pricing: config.pricing, mirrors: mirrors))
        manager.add(name: "modelversion-mirror-calls") { _, _ in await mirrors.run() }
        let triggers = config.retrainTriggers
            ?? .standard(environment: ProcessInfo.processInfo.environment, logger: Logger(label: "sextant.retrain-triggers"))
        manager.add(RetrainPolicyController.make(client: client, namespaces: options.namespaces, workers: options.workers, triggers: triggers))
    }
}
