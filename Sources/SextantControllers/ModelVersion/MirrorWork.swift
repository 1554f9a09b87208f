import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle

/// The registry mirrors of the ModelVersion controller plus what it remembers between passes:
/// the backoff of failed mirror calls (per version uid and registry; a restart retries at once)
/// and the namespaces' annotations (`ml.sextant.dev/aws-role-arn`, read at most once a minute).
public actor MirrorWork {
    /// The mirrors, by registry.
    public nonisolated let mirrors: RegistryMirrors
    /// The registry calls, made off the reconcile path while `run()` runs.
    nonisolated let calls = MirrorCalls()
    /// How soon a pass looks again while a registry call is out.
    static let pollSeconds: TimeInterval = 1
    private var failures: [String: (count: Int, notBefore: Date)] = [:]
    private var namespaces: [String: (annotations: [String: String], at: Date)] = [:]
    private let namespaceTTL: TimeInterval = 60
    private var lastSweep: Date?
    /// How often what is remembered of deleted versions is swept.
    static let sweepSeconds: TimeInterval = 60

    /// Work over `mirrors`.
    public init(mirrors: RegistryMirrors = RegistryMirrors()) {
        self.mirrors = mirrors
    }

    /// Makes the registry calls that reconciles submit, until cancelled or the process shuts down
    /// gracefully (registered with the controller manager next to the ModelVersion controller, so
    /// it runs only while leading). Calls still out are dropped and made again by the next leader.
    public nonisolated func run() async {
        let calls = self.calls
        await cancelWhenGracefulShutdown {
            await calls.run()
        }
    }

    /// Per registry, when the version's failed mirror may be called again.
    func notBefore(uid: String) -> [String: Date] {
        var result: [String: Date] = [:]
        for (key, value) in failures where key.hasPrefix(uid + "/") {
            result[String(key.dropFirst(uid.count + 1))] = value.notBefore
        }
        return result
    }

    /// Records a failed call; returns when it may be retried.
    @discardableResult
    func failed(uid: String, registry: String, now: Date) -> Date {
        let key = "\(uid)/\(registry)"
        let count = (failures[key]?.count ?? 0) + 1
        let at = now.addingTimeInterval(MirrorPlanner.backoffSeconds(failures: count))
        failures[key] = (count, at)
        return at
    }

    /// Records a successful call (the backoff starts over).
    func succeeded(uid: String, registry: String) {
        failures["\(uid)/\(registry)"] = nil
    }

    /// Forgets a version (deleted): its backoff and its registry calls.
    func forget(uid: String) async {
        failures = failures.filter { !$0.key.hasPrefix(uid + "/") }
        await calls.forget(uid: uid)
    }

    /// At most once a minute, forgets the backoff and registry calls of versions that are no longer
    /// in `live()` (uids of the versions in the cache): versions deleted without the mirror
    /// finalizer (no deletion policy `delete`) are never reconciled again to forget themselves.
    func sweep(now: Date, live: () -> Set<String>) async {
        if let last = lastSweep, now.timeIntervalSince(last) < Self.sweepSeconds { return }
        lastSweep = now
        let uids = live()
        failures = failures.filter { uids.contains(MirrorCalls.uid(ofKey: $0.key)) }
        await calls.retain(uids: uids)
    }

    /// How many versions' failed calls are remembered.
    var rememberedFailures: Int { failures.count }

    /// The annotations of `namespace` (empty when it cannot be read: calls then use the controller's identity).
    func namespaceAnnotations(_ namespace: String, client: KubeClient, logger: Logger) async -> [String: String] {
        let now = Date()
        if let cached = namespaces[namespace], now.timeIntervalSince(cached.at) < namespaceTTL { return cached.annotations }
        var annotations: [String: String] = [:]
        do {
            annotations = try await Api<Namespace>(client: client).get(namespace).metadata.annotations ?? [:]
        } catch {
            logger.warning("cannot read the namespace's annotations; registry calls use the controller's own identity",
                           metadata: ["error": "\(error)"])
        }
        namespaces[namespace] = (annotations, now)
        return annotations
    }
}
