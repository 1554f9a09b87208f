import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import ServiceLifecycle

extension Controller: ServiceLifecycle.Service {
    /// Runs the controller until cancelled or graceful shutdown (then workers finish their current
    /// item and stop).
    public func run() async throws {
        try await run(readiness: nil, recorder: nil)
    }

    /// Runs with a readiness tracker (caches synced) and a shared event recorder.
    public func run(readiness: ReadinessTracker?, recorder: EventRecorder?) async throws {
        let queue = WorkQueue<ObjectKey>(name: name)
        let store = Store<R>(indexers: indexers)
        let caches = CacheSet()
        // A controller run on its own sends its events itself; under a manager the manager does.
        let ownRecorder = recorder == nil ? EventRecorder(client: client) : nil
        let recorder = recorder ?? ownRecorder ?? EventRecorder(client: client)
        let scopes: [String?] = R.namespaced && !namespaces.isEmpty ? namespaces.map { Optional($0) } : [nil]
        let primaries = scopes.map { ns in
            var watcher = Watcher(api: Api<R>(client: client, namespace: ns), labelSelector: labelSelector, logger: logger)
            // MODIFIED events are built from the cached copy where it allows (`WatchReuse`).
            watcher.reuse = primaryReuse?(store)
            return Reflector(watcher: watcher, store: store)
        }
        let enqueue: @Sendable (ObjectKey) -> Void = { queue.add($0) }
        var children: [(run: @Sendable () async throws -> Void, synced: @Sendable () -> Bool)] = []
        for watch in secondary {
            let childScopes: [String?] = watch.namespaced && !namespaces.isEmpty ? namespaces.map { Optional($0) } : [nil]
            for ns in childScopes { children.append(watch.start(client, ns, caches, enqueue, logger)) }
        }
        let syncChecks: [@Sendable () -> Bool] = primaries.map { p -> @Sendable () -> Bool in { p.hasSynced } } + children.map(\.synced)
        readiness?.register(name) { syncChecks.allSatisfy { $0() } }
        ControllerMetrics.initialize(controller: name, workers: workerCount)
        logger.info("starting controller", metadata: ["kind": "\(R.kind)", "workers": "\(workerCount)"])

        try await withTaskCancellationHandler {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { infra in
                for primary in primaries {
                    infra.addTask {
                        try await primary.run { change in queue.add(change.object.objectKey) }
                    }
                }
                for child in children { infra.addTask { try await child.run() } }
                infra.addTask { await queue.runDelays() }
                if let ownRecorder { infra.addTask { try await ownRecorder.run() } }
                // Workers start once every cache is synced, so reconcilers see complete caches.
                while !syncChecks.allSatisfy({ $0() }), !queue.isShuttingDown {
                    try await Task.sleep(for: .milliseconds(20))
                }
                logger.info("caches synced; starting workers")
                await withTaskGroup(of: Void.self) { workers in
                    let metrics = ReconcileMetrics(controller: name)
                    for _ in 0..<workerCount {
                        workers.addTask {
                            await self.work(queue: queue, store: store, caches: caches, recorder: recorder, metrics: metrics)
                        }
                    }
                }
                logger.info("workers stopped")
                infra.cancelAll()
            }
        } onGracefulShutdown: {
            queue.shutDown()
        }
        } onCancel: {
            queue.shutDown()
        }
    }

    private func work(queue: WorkQueue<ObjectKey>, store: Store<R>, caches: CacheSet, recorder: EventRecorder, metrics: ReconcileMetrics) async {
        while !Task.isCancelled, let key = await queue.get() {
            await process(key, queue: queue, store: store, caches: caches, recorder: recorder, metrics: metrics)
            queue.done(key)
        }
    }

    private func process(_ key: ObjectKey, queue: WorkQueue<ObjectKey>, store: Store<R>, caches: CacheSet, recorder: EventRecorder,
                         metrics: ReconcileMetrics) async {
        guard let object = store.get(key) else {
            // Deleted (and without finalizers): nothing to reconcile.
            queue.forget(key)
            return
        }
        // The metadata set in one assignment (each subscript set goes through the handler).
        var log = logger
        var metadata = log.handler.metadata
        metadata["kind"] = .string(R.kind)
        metadata["namespace"] = .string(key.namespace ?? "")
        metadata["name"] = .string(key.name)
        log.handler.metadata = metadata
        let context = ReconcileContext<R>(
            controllerName: name, client: client, api: Api<R>(client: client, namespace: key.namespace),
            store: store, recorder: recorder, logger: log, retries: queue.retries(key), caches: caches)
        let started = ContinuousClock.now
        let result: String
        do {
            let action = try await reconcile(object, context)
            queue.forget(key)
            switch action {
            case .awaitChange:
                result = "success"
            case .requeue(let after):
                result = "requeue_after"
                queue.add(key, after: Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18)
            }
        } catch let error as TerminalError {
            result = "error"
            queue.forget(key)
            metrics.errors.increment()
            metrics.terminalErrors.increment()
            log.error("reconcile failed permanently; not retrying", metadata: ["error": "\(error.message)"])
        } catch is CancellationError {
            result = "error"
            queue.add(key)
        } catch {
            result = "error"
            metrics.errors.increment()
            log.warning("reconcile failed; retrying with backoff", metadata: ["error": "\(error)", "retries": "\(queue.retries(key))"])
            queue.addRateLimited(key)
        }
        let elapsed = ContinuousClock.now - started
        metrics.time.record(duration: elapsed)
        metrics.total(result).increment()
    }
}

/// The reconcile metrics of one controller, created once per run instead of once per reconcile
/// (each creation is a lookup in the metrics factory).
struct ReconcileMetrics: Sendable {
    let errors: Counter
    let terminalErrors: Counter
    let time: Metrics.Timer
    private let totals: [String: Counter]
    private let controller: String

    init(controller: String) {
        self.controller = controller
        errors = Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", controller)])
        terminalErrors = Counter(label: "controller_runtime_terminal_reconcile_errors_total", dimensions: [("controller", controller)])
        time = Metrics.Timer(label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", controller)])
        totals = Dictionary(uniqueKeysWithValues: ControllerMetrics.results.map {
            ($0, Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", controller), ("result", $0)]))
        })
    }

    /// `controller_runtime_reconcile_total` for this result.
    func total(_ result: String) -> Counter {
        totals[result] ?? Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", controller), ("result", result)])
    }
}
