import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import ServiceLifecycle

/// A controller for the primary kind `R`: keeps caches of `R` and of the kinds it `owns` or
/// `watches`, turns every change into a key on a rate-limited work queue, and runs `workers`
/// reconcilers that never process the same key concurrently.
///
/// Writing one:
/// ```swift
/// let controller = Controller<MLPipeline>("mlpipeline", client: client, namespace: options.namespace) { pipeline, ctx in
///     // pipeline is the cached object; ctx has client, api, caches, recorder, logger.
///     return try await ctx.finalize(pipeline, finalizer: "ml.sextant.dev/cleanup", apply: { p in
///         let jobs = ctx.owned(Job.self, by: p)                    // children from the cache
///         if jobs.isEmpty {
///             _ = try await ctx.api(Job.self).create(makeJob(p))     // ownerReference: p.ownerReference()
///             await ctx.event(p, reason: "JobCreated", note: "created job \(p.name)-train")
///         }
///         try await ctx.updateStatus(p) { status in                  // /status, only if changed, 409-safe
///             status = status ?? .init()
///             status?.conditions = (status?.conditions ?? []).settingReady(...)
///         }
///         return jobs.allSatisfy { $0.finishedCondition != nil } ? .awaitChange : .requeue(after: .seconds(30))
///     }, cleanup: { p in
///         try await deleteCloudResources(p)
///         return .awaitChange
///     })
/// }
/// .owns(Job.self)                                   // a Job event enqueues its controller owner
/// .watches(ModelVersion.self) { mv in [ObjectKey(namespace: mv.namespace, name: mv.spec.pipeline)] }
/// .workers(options.workers)
/// manager.add(controller)
/// ```
/// Throw `TerminalError` for failures retries cannot fix (after setting a condition); any other
/// error is retried with per-object exponential backoff (5 ms … 1000 s).
public struct Controller<R: Resource>: Sendable {
    public typealias Reconcile = @Sendable (R, ReconcileContext<R>) async throws -> ReconcileAction

    public let name: String
    public let client: KubeClient
    /// Namespaces to watch; empty = all namespaces.
    public var namespaces: [String]
    public var labelSelector: String?
    public private(set) var workerCount: Int = 2
    public var logger: Logger
    var secondary: [SecondaryWatch] = []
    var indexers: [String: Store<R>.IndexFunction] = [:]
    /// How the primary watch builds MODIFIED objects from the primary cache (`WatchReuse`; nil:
    /// every event is decoded in full).
    public let primaryReuse: (@Sendable (Store<R>) -> WatchReuse<R>)?
    let reconcile: Reconcile

    /// - Parameters:
    ///   - namespaces: namespaces to watch (one reflector each, sharing the caches); empty = all.
    public init(_ name: String, client: KubeClient, namespaces: [String] = [], labelSelector: String? = nil,
                logger: Logger? = nil, reconcile: @escaping Reconcile) {
        self.init(name, client: client, namespaces: namespaces, labelSelector: labelSelector, logger: logger,
                  primaryReuse: nil, reconcile: reconcile)
    }

    init(_ name: String, client: KubeClient, namespaces: [String], labelSelector: String?, logger: Logger?,
         primaryReuse: (@Sendable (Store<R>) -> WatchReuse<R>)?, reconcile: @escaping Reconcile) {
        self.name = name
        self.client = client
        self.namespaces = namespaces
        self.labelSelector = labelSelector
        var log = logger ?? Logger(label: "sextant.controller")
        log[metadataKey: "controller"] = "\(name)"
        self.logger = log
        self.primaryReuse = primaryReuse
        self.reconcile = reconcile
    }

    /// Watches `C` and enqueues the controller owner (ownerReference with `controller: true` and kind `R`) of every changed `C`.
    public func owns<C: Resource>(_ type: C.Type, labelSelector: String? = nil) -> Controller {
        watches(type, labelSelector: labelSelector) { child in
            Self.controllerOwnerKeys(of: child)
        }
    }

    /// Watches `O` and enqueues the keys `mapping` returns for every changed `O` (old and new versions).
    /// A `fieldSelector` narrows the watch on the server (e.g. only pods that ended:
    /// `status.phase!=Pending,status.phase!=Running`); objects that stop matching leave the cache.
    public func watches<O: Resource>(_ type: O.Type, labelSelector: String? = nil, fieldSelector: String? = nil,
                                     mapping: @escaping @Sendable (O) -> [ObjectKey]) -> Controller {
        var copy = self
        copy.secondary.append(SecondaryWatch(kind: O.kind, namespaced: O.namespaced) { client, namespace, caches, enqueue, logger in
            let store = caches.storeOrCreate(O.self)
            let api = Api<O>(client: client, namespace: namespace)
            let watcher = Watcher(api: api, labelSelector: labelSelector, fieldSelector: fieldSelector, logger: logger)
            let reflector = Reflector(watcher: watcher, store: store)
            return (
                run: {
                    try await reflector.run { change in
                        var keys = mapping(change.object)
                        if case .updated(let old, _) = change { keys += mapping(old) }
                        for key in Set(keys) { enqueue(key) }
                    }
                },
                synced: { reflector.hasSynced })
        })
        return copy
    }

    /// Number of concurrent reconcilers (default 2).
    public func workers(_ n: Int) -> Controller {
        var copy = self
        copy.workerCount = max(1, n)
        return copy
    }

    /// Adds a custom index to the primary cache.
    public func index(_ name: String, _ function: @escaping Store<R>.IndexFunction) -> Controller {
        var copy = self
        copy.indexers[name] = function
        return copy
    }

    /// Keys of the controller owners of kind `R` of `child`.
    public static func controllerOwnerKeys<C: Resource>(of child: C) -> [ObjectKey] {
        guard let ref = child.metadata.controllerReference, ref.kind == R.kind else { return [] }
        let group = ref.apiVersion.split(separator: "/").count == 2 ? String(ref.apiVersion.split(separator: "/")[0]) : ""
        guard group == R.group else { return [] }
        return [ObjectKey(namespace: R.namespaced ? child.metadata.namespace : nil, name: ref.name)]
    }
}

extension Controller where R: StatusChangesKeepGeneration {
    /// A controller of a `StatusChangesKeepGeneration` kind (chosen over the general initializer):
    /// as there, and a MODIFIED event of the primary watch whose object is cached at the same
    /// `metadata.generation` decodes only metadata and status, keeping the cached spec
    /// (`WatchReuse(keepingSpecOf:)`; status writes are most of a controller's events).
    public init(_ name: String, client: KubeClient, namespaces: [String] = [], labelSelector: String? = nil,
                logger: Logger? = nil, reconcile: @escaping Reconcile) {
        self.init(name, client: client, namespaces: namespaces, labelSelector: labelSelector, logger: logger,
                  primaryReuse: { store in WatchReuse(keepingSpecOf: { store.get($0) }) }, reconcile: reconcile)
    }
}

/// A type-erased secondary watch.
struct SecondaryWatch: Sendable {
    typealias Start = @Sendable (KubeClient, String?, CacheSet, @escaping @Sendable (ObjectKey) -> Void, Logger)
        -> (run: @Sendable () async throws -> Void, synced: @Sendable () -> Bool)
    let kind: String
    let namespaced: Bool
    let start: Start
}
