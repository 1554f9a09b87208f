import Foundation
import KubeCore
import Logging
import ServiceLifecycle

/// What the emulated kubelet does with a pod's containers (`sextant dev --executor`).
public enum WorkloadExecutor: String, Sendable, CaseIterable {
    /// Containers run for a moment and succeed (scriptable with `dev.sextant.dev/simulate`).
    case simulate
    /// Containers' command+args run as host processes.
    case local
}

/// The control plane and node of `sextant dev`: Job and Deployment controllers, the kubelet
/// (with the chosen executor), Service ClusterIPs/endpoints, the garbage collector and the
/// namespace lifecycle. Each controller is a watch-driven loop run as a child task of this
/// service; on graceful shutdown every loop stops and every host process is terminated
/// (SIGTERM, then SIGKILL after `Options.shutdownGracePeriod`) before `run()` returns.
public final class WorkloadControllers: Service {
    /// Tunables (tests shorten them).
    public struct Options: Sendable {
        /// The clock controllers stamp times with.
        public var now: @Sendable () -> Date
        /// How long shutdown waits after SIGTERM before SIGKILL.
        public var shutdownGracePeriod: Duration

        public init(now: @escaping @Sendable () -> Date = { Date() }, shutdownGracePeriod: Duration = .seconds(2)) {
            self.now = now
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    private let store: any ObjectStore
    private let executor: WorkloadExecutor
    private let options: Options
    private let logger: Logger
    let files: PodFiles
    private let registry = PodRegistry()

    /// Serves pod logs; hand it to the API server for `GET .../pods/NAME/log`.
    public let logProvider: KubeletLogProvider

    /// - Parameters:
    ///   - store: the dev cluster's objects.
    ///   - executor: what pods do.
    ///   - dataDirectory: the dev cluster's data dir (pod logs and work dirs go to `pods/`).
    public init(store: any ObjectStore, executor: WorkloadExecutor, dataDirectory: URL, logger: Logger, options: Options = Options()) {
        self.store = store
        self.executor = executor
        self.options = options
        self.logger = logger
        self.files = PodFiles(dataDirectory: dataDirectory)
        self.logProvider = KubeletLogProvider(store: store, files: files, registry: registry)
    }

    /// The number of pods whose containers are running now.
    public var runningPodCount: Int { registry.count }

    public func run() async throws {
        let kubelet = Kubelet(
            context: KubeletContext(store: store, executor: executor, files: files, options: options, logger: logger),
            registry: registry)
        let proxies = ServiceProxies(logger: logger)
        let loops: [ControllerLoop] = [
            PodOwnerController.jobs(store: store, now: options.now, logger: logger).loop,
            PodOwnerController.deployments(store: store, now: options.now, logger: logger).loop,
            ServiceController(store: store, executor: executor, logger: logger, proxies: proxies).loop,
            NamespaceController(store: store, logger: logger).loop,
        ]
        let collector = GarbageCollector(store: store, logger: logger)
        logger.info("workload controllers starting", metadata: ["executor": "\(executor.rawValue)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await kubelet.run() }
                group.addTask { await collector.run() }
                for loop in loops {
                    group.addTask { await loop.run() }
                }
            }
        }
        await proxies.closeAll()
        logger.info("workload controllers stopped")
    }
}
