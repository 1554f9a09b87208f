import ArgumentParser
import DevCluster
import Foundation
import Logging
import ServiceLifecycle
import SextantAPI
import SextantControllers

/// `sextant dev`: the Kubernetes-compatible local API server (see docs/dev-cluster.md).
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Runs a local Kubernetes-compatible API server (HTTPS, bearer token) for tests and laptops.")

    @Option(help: "Port to listen on (0 picks any free port).")
    var port: Int = 6443

    @Option(help: "Directory holding the objects, certificates, token and kubeconfig.")
    var dataDir: String = ".sextant/dev"

    @Option(help: "What pods do: simulate or local.")
    var executor: String = "simulate"

    @Flag(help: "Do not run the Sextant operator in-process (the emulated Job/Deployment controllers still run).")
    var noController = false

    @Option(name: .customLong("apply"), help: "YAML file or directory to apply (server-side) once the cluster is up; progress is printed. Repeatable.")
    var applyPaths: [String] = []

    @Option(help: "Fault injection: share (0-1) of API requests answered with an error.")
    var faultErrorRate: Double = 0

    @Option(help: "Fault injection: comma-separated HTTP codes for injected errors (500,429,503).")
    var faultErrorCodes: String = "500,429,503"

    @Option(help: "Fault injection: Retry-After seconds for injected 429/503.")
    var faultRetryAfter: Int = 1

    @Option(help: "Fault injection: latency added to every API request, in milliseconds.")
    var faultLatencyMs: Int = 0

    @Option(help: "Fault injection: cut every watch stream after this many events.")
    var faultWatchEventLimit: Int?

    @Option(help: "Change events kept for watches; older resourceVersions get 410 Expired.")
    var watchHistory: Int = 10_000

    @Option(help: "Write one audit.k8s.io/v1 Event JSON line per API request to this file (off by default).")
    var auditLogPath: String?

    @Option(help: "Users besides the admin token: kube-apiserver's CSV format, one `token,user,uid,\"group1,group2\"` per line; their requests are authorized by RBAC.")
    var tokenAuthFile: String?

    @Option(help: "Client-side rate limit of the in-process operator's API requests, per second.")
    var kubeApiQps: Double = 100

    @Option(help: "Burst of the in-process operator's client-side rate limit.")
    var kubeApiBurst: Int = 200

    @Option(help: "Pricing file (YAML or JSON) for the in-process operator's cost estimates; default: the shipped prices.")
    var pricingConfig: String?

    @Option(help: "OpenLineage server the in-process operator sends run and step events to (default: $OPENLINEAGE_URL; unset = off).")
    var openlineageUrl: String?

    func validate() throws {
        guard ["simulate", "local"].contains(executor) else {
            throw ValidationError("--executor must be simulate or local")
        }
        guard (0...1).contains(faultErrorRate) else { throw ValidationError("--fault-error-rate must be between 0 and 1") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
            return handler
        }
        let logger = Logger(label: "sextant.dev")
        let pricing = try pricingConfig.map(PricingFile.load(path:)) ?? .shippedDefaults
        let lineage = try OpenLineageWiring.make(
            flag: openlineageUrl, environment: ProcessInfo.processInfo.environment, logger: Logger(label: "sextant.openlineage"))
        let dir = URL(fileURLWithPath: dataDir, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let faults = FaultConfiguration(
            errorRate: faultErrorRate,
            errorCodes: faultErrorCodes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) },
            retryAfterSeconds: faultRetryAfter, latencyMs: faultLatencyMs, watchEventLimit: faultWatchEventLimit)
        // Local-executor pods may refer to files of the directory `sextant dev` was started in
        // as $(SEXTANT_DEV_WORKDIR) (see docs/dev-cluster.md).
        if ProcessInfo.processInfo.environment["SEXTANT_DEV_WORKDIR"] == nil {
            setenv("SEXTANT_DEV_WORKDIR", FileManager.default.currentDirectoryPath, 1)
        }
        let server = try await DevClusterServer(
            configuration: DevClusterConfiguration(
                port: port, dataDirectory: dir, faults: faults, historyLimit: watchHistory, garbageCollectorRunning: true,
                auditLogPath: auditLogPath.map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL },
                tokenAuthFile: tokenAuthFile.map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL }),
            logger: logger)
        let workloads = WorkloadControllers(
            store: server.store, executor: WorkloadExecutor(rawValue: executor) ?? .simulate,
            dataDirectory: dir, logger: Logger(label: "sextant.dev.workloads"))
        server.setPodLogProvider(workloads.logProvider)
        let kubeconfig = server.kubeconfigPath.path
        let (listening, listeningContinuation) = AsyncStream.makeStream(of: Int.self)
        let services = try server.makeServices { port in
            FileHandle.standardOutput.write(Data("export KUBECONFIG=\(kubeconfig)\n".utf8))
            listeningContinuation.yield(port)
            listeningContinuation.finish()
        }
        let operatorService = DevOperatorService(
            server: server, listening: listening, runController: !noController, applyPaths: applyPaths,
            logger: Logger(label: "sextant.dev.operator"), kubeAPIQPS: kubeApiQps, kubeAPIBurst: kubeApiBurst, pricing: pricing,
            lineage: noController ? nil : lineage)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + [
                    .init(service: workloads),
                    .init(service: operatorService, successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        await server.shutdown()
    }
}
