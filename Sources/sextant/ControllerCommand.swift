import ArgumentParser
import Foundation
import KubeClient
import KubeRuntime
import Logging
import ServiceLifecycle
import SextantControllers

/// `sextant controller`: runs the operator's reconcilers against a cluster.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Runs the Sextant controllers (MLPipeline, ModelVersion, RetrainPolicy) against a cluster.")

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster configuration).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    @Option(name: .customLong("namespace"), help: "Namespace to watch (repeatable). Default: all namespaces.")
    var namespaces: [String] = []

    @Flag(help: "Watch all namespaces (the default when no --namespace is given; kept for explicit manifests).")
    var allNamespaces = false

    @Flag(help: "Enable leader election on a coordination.k8s.io/v1 Lease (for more than one replica).")
    var leaderElect = false

    @Option(help: "Namespace of the leader-election Lease (default: the pod's or context's namespace).")
    var leaderElectionNamespace: String?

    @Option(help: "Name of the leader-election Lease.")
    var leaderElectionId = "sextant-controller"

    // 12/8/2 rather than client-go's 15/10/2: a standby sees a lease expire up to lease + 2 retry
    // periods (with jitter) after the leader died, ≈ 19.8 s with 15 s — at the 20 s failover bound
    // under load (docs/reliability.md); with 12 s it is ≈ 16.8 s.
    @Option(help: "Seconds a Lease is valid without renewal; standbys take over after it (default 12; client-go uses 15).")
    var leaderElectionLeaseDuration: Double = 12

    @Option(help: "Seconds the leader keeps trying to renew before it gives up leading (default 8).")
    var leaderElectionRenewDeadline: Double = 8

    @Option(help: "Seconds between acquire/renew attempts (default 2).")
    var leaderElectionRetryPeriod: Double = 2

    @Option(help: "Address of the Prometheus /metrics endpoint; \"0\" disables it.")
    var metricsBindAddress = "127.0.0.1:8080"

    @Option(help: "Address of /healthz and /readyz; \"0\" disables them.")
    var healthProbeBindAddress = ":8081"

    // Reconciles wait on the API server most of the time: 16 keep a loaded server's latency from
    // capping throughput (2 did at 1,000 pipelines, docs/performance.md); one key is never
    // reconciled twice at once whatever the number.
    @Option(help: "Concurrent reconciles per controller (default 16).")
    var workers = 16

    @Option(help: "Client-side rate limit of the operator's API requests, per second (Events have their own budget).")
    var kubeApiQps: Double = ClientConfiguration.controllerQPS

    @Option(help: "Burst of the operator's client-side rate limit.")
    var kubeApiBurst: Int = ClientConfiguration.controllerBurst

    @Option(help: "Events sent per second at most, from their own queue (past the queue's 1,000 waiting Events, new ones are dropped and counted in sextant_events_dropped_total).")
    var eventQps: Double = EventRecorder.Options().qps

    @Option(help: "Burst of the Event budget.")
    var eventBurst: Int = EventRecorder.Options().burst

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel = "info"

    @Option(help: "Pricing file (YAML or JSON) for cost estimates; default: the shipped prices (docs/cost.md).")
    var pricingConfig: String?

    @Option(help: "OpenLineage server to send run and step events to (default: $OPENLINEAGE_URL; unset = off). $OPENLINEAGE_NAMESPACE names the job namespace (default sextant).")
    var openlineageUrl: String?

    func validate() throws {
        if allNamespaces && !namespaces.isEmpty {
            throw ValidationError("--namespace and --all-namespaces are mutually exclusive")
        }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if kubeApiQps <= 0 || kubeApiBurst < 1 { throw ValidationError("--kube-api-qps must be > 0 and --kube-api-burst at least 1") }
        if eventQps <= 0 || eventBurst < 1 { throw ValidationError("--event-qps must be > 0 and --event-burst at least 1") }
        // client-go's rules: leaseDuration > renewDeadline > retryPeriod (with jitter 1.2) > 0.
        guard leaderElectionRetryPeriod > 0, leaderElectionRenewDeadline > leaderElectionRetryPeriod * 1.2,
              leaderElectionLeaseDuration > leaderElectionRenewDeadline else {
            throw ValidationError("leader election needs lease-duration > renew-deadline > 1.2 × retry-period > 0")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = RuntimeMetrics.bootstrapPrometheus()
        let logger = Logger(label: "sextant.controller")
        let pricing = try pricingConfig.map(PricingFile.load(path:)) ?? .shippedDefaults
        let environment = ProcessInfo.processInfo.environment
        let lineage = try OpenLineageWiring.make(flag: openlineageUrl, environment: environment, logger: logger)
        let controllerConfig = SextantControllerConfig(
            backends: StandardCloudBackends.make(environment: environment, logger: logger), pricing: pricing,
            mirrors: StandardRegistryMirrors.make(environment: environment, logger: logger),
            lineage: lineage?.emitter)

        var configuration = try ClientConfiguration.automatic(kubeconfig: kubeconfig, context: context)
        configuration.userAgent = ClientConfiguration.controllerUserAgent
        configuration.qps = kubeApiQps
        configuration.burst = kubeApiBurst
        let client = try KubeClient(configuration: configuration, logger: Logger(label: "sextant.kubeclient"))
        let watched = Self.watchedNamespaces(namespaces, allNamespaces: allNamespaces)
        logger.info("\(Self.describeWatched(watched))")

        var options = ManagerOptions(
            metricsBindAddress: metricsBindAddress, healthProbeBindAddress: healthProbeBindAddress)
        options.events.qps = eventQps
        options.events.burst = eventBurst
        if leaderElect {
            let host = ProcessInfo.processInfo.hostName
            let identity = "\(host)_\(UUID().uuidString.lowercased())"
            var election = LeaderElectionConfig(
                leaseName: leaderElectionId, namespace: leaderElectionNamespace ?? configuration.namespace, identity: identity)
            election.leaseDuration = leaderElectionLeaseDuration
            election.renewDeadline = leaderElectionRenewDeadline
            election.retryPeriod = leaderElectionRetryPeriod
            options.leaderElection = election
        }
        let manager = ControllerManager(client: client, options: options, registry: registry, logger: logger)
        try SextantControllers.register(
            in: manager, client: client, options: ControllerOptions(namespaces: watched, workers: workers), config: controllerConfig)
        logger.info("starting manager", metadata: [
            "controllers": "\(manager.controllerNames)", "namespaces": "\(watched.isEmpty ? ["*"] : watched)",
            "leaderElection": "\(leaderElect)", "cloudBackends": "\(controllerConfig.backends.kinds.sorted())",
            "pricing": "\(pricingConfig ?? "shipped defaults")"])

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: manager, successTerminationBehavior: .gracefullyShutdownGroup)]
        if let delivery = lineage?.delivery { services.append(.init(service: delivery)) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The namespaces to watch: the `--namespace` flags, or none (= all namespaces) without any, as
    /// controller-runtime and kube-rs operators do — never silently the kubeconfig context's namespace.
    static func watchedNamespaces(_ flags: [String], allNamespaces: Bool) -> [String] {
        allNamespaces ? [] : Array(Set(flags)).sorted()
    }

    /// The start-up log line naming exactly what is watched.
    static func describeWatched(_ watched: [String]) -> String {
        watched.isEmpty ? "watching all namespaces" : "watching namespaces: \(watched.joined(separator: ", "))"
    }
}
