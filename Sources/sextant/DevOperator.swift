import DevCluster
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import ServiceLifecycle
import SextantAPI
import SextantControllers

/// What `sextant dev` runs beside its API server once it listens: installs the Sextant CRDs,
/// runs the operator against the local server over real HTTPS (unless `--no-controller`),
/// applies `--apply` files and reports their progress.
struct DevOperatorService: Service {
    let server: DevClusterServer
    let listening: AsyncStream<Int>
    let runController: Bool
    let applyPaths: [String]
    let logger: Logger
    /// The in-process operator's client-side rate limit (`--kube-api-qps`/`--kube-api-burst`).
    var kubeAPIQPS: Double = ClientConfiguration.controllerQPS
    var kubeAPIBurst: Int = ClientConfiguration.controllerBurst
    /// Prices of the in-process operator (`--pricing-config`).
    var pricing: PricingTable = .shippedDefaults
    /// OpenLineage emission of the in-process operator (`--openlineage-url` / `OPENLINEAGE_URL`).
    var lineage: OpenLineageWiring?

    func run() async throws {
        // Graceful shutdown (SIGTERM/SIGINT) cancels the operator, the apply and the reporter.
        do {
            try await cancelWhenGracefulShutdown { try await runUntilCancelled() }
        } catch is CancellationError {
            return
        }
    }

    private func runUntilCancelled() async throws {
        var ports = listening.makeAsyncIterator()
        guard await ports.next() != nil else { return }
        try await DevCRDInstaller.install(SextantCRDs.all(), into: server.store, logger: logger)
        // Parse what to apply before starting anything, so a bad file is reported at once.
        let objects = try applyPaths.flatMap { try DevApply.load(path: $0) }

        // The operator identifies itself as `sextant controller` does (audit logs are filtered by
        // it); applying files and reporting progress are the user's requests, not the operator's.
        var operatorConfiguration = try ClientConfiguration.load(kubeconfig: server.kubeconfigPath.path)
        operatorConfiguration.userAgent = ClientConfiguration.controllerUserAgent
        operatorConfiguration.qps = kubeAPIQPS
        operatorConfiguration.burst = kubeAPIBurst
        var userConfiguration = operatorConfiguration
        userConfiguration.userAgent = ClientConfiguration.userAgent(component: "sextant-dev")
        let operatorClient = try KubeClient(configuration: operatorConfiguration, logger: Logger(label: "sextant.kubeclient"))
        let client = try KubeClient(configuration: userConfiguration, logger: Logger(label: "sextant.kubeclient"))
        do {
            try await withThrowingDiscardingTaskGroup { group in
                if runController {
                    let manager = ControllerManager(client: operatorClient, options: ManagerOptions(), logger: Logger(label: "sextant.controller"))
                    let config = SextantControllerConfig(
                        backends: StandardCloudBackends.make(environment: ProcessInfo.processInfo.environment, logger: logger), pricing: pricing,
                        mirrors: StandardRegistryMirrors.make(environment: ProcessInfo.processInfo.environment, logger: logger),
                        lineage: lineage?.emitter)
                    try SextantControllers.register(in: manager, client: operatorClient, options: ControllerOptions(), config: config)
                    logger.info("operator running in-process", metadata: ["controllers": "\(manager.controllerNames)"])
                    group.addTask { try await manager.run() }
                    if let delivery = lineage?.delivery { group.addTask { try await delivery.run() } }
                }
                if !objects.isEmpty {
                    try await DevApply.apply(objects, client: client, logger: logger)
                    group.addTask {
                        try await DevProgressReporter(client: client).run()
                    }
                }
            }
        } catch {
            try? await operatorClient.shutdown()
            try? await client.shutdown()
            throw error
        }
        try await operatorClient.shutdown()
        try await client.shutdown()
    }
}

/// Installs (or updates) CRDs directly in the store and waits until they are Established.
enum DevCRDInstaller {
    static let resource = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")

    static func install(_ crds: [JSONValue], into store: any ObjectStore, logger: Logger) async throws {
        for crd in crds {
            let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
            do {
                _ = try await store.create(resource, namespace: nil, crd)
            } catch let status as Status where status.code == 409 {
                var updated = crd
                let live = try await store.get(resource, namespace: nil, name: name)
                updated[path: ["metadata", "resourceVersion"]] = live[path: ["metadata", "resourceVersion"]]
                _ = try await store.update(resource, namespace: nil, updated)
            }
            try await waitEstablished(name, store: store)
            logger.debug("CRD installed", metadata: ["name": "\(name)"])
        }
    }

    private static func waitEstablished(_ name: String, store: any ObjectStore) async throws {
        for _ in 0..<100 {
            let crd = try await store.get(resource, namespace: nil, name: name)
            let conditions = crd[path: ["status", "conditions"]]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True" }) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DevCommandError.crdNotEstablished(name)
    }
}

/// The errors of `sextant dev`'s own steps.
enum DevCommandError: Error, CustomStringConvertible {
    case crdNotEstablished(String)
    case unreadable(path: String, reason: String)
    case invalidObject(path: String, reason: String)
    case unknownKind(apiVersion: String, kind: String)

    var description: String {
        switch self {
        case .crdNotEstablished(let name): return "CRD \(name) did not become Established"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .invalidObject(let path, let reason): return "\(path): \(reason)"
        case .unknownKind(let apiVersion, let kind): return "no resource for kind \(kind) in \(apiVersion)"
        }
    }
}

/// Writes a line to standard output at once (stdout is block-buffered when it is not a terminal,
/// and progress must show up while `sextant dev` keeps running).
func emitLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
