import Foundation
import KubeCore
import Logging

/// One emulated controller: list+watch of the resources it cares about feeding a work queue of
/// primary-object keys, one worker reconciling keys level-based.
///
/// `reconcile` returns an optional delay after which the key is looked at again (timers such as
/// deadlines). A 409 Conflict re-queues the key at once (the reconcile re-reads); other errors
/// after a second.
struct ControllerLoop: Sendable {
    /// A watched resource and how its events map to primary keys.
    struct Source: Sendable {
        var resource: GroupVersionResource
        var keys: @Sendable (StoreEvent) async -> [ObjectKey]
    }

    var name: String
    var store: any ObjectStore
    var sources: [Source]
    var logger: Logger
    var reconcile: @Sendable (ObjectKey) async throws -> Duration?

    /// Runs until cancelled.
    func run() async {
        await runLoop()
    }
}

extension ControllerLoop.Source {
    /// A source whose events name the primary objects themselves.
    static func primary(_ resource: GroupVersionResource) -> Self {
        Self(resource: resource) { event in ObjectKey(object: event.object).map { [$0] } ?? [] }
    }

    /// A source of dependents mapped to their controlling owner of `ownerKind` (same namespace).
    static func owned(_ resource: GroupVersionResource, ownerKind: String) -> Self {
        Self(resource: resource) { event in
            guard let ref = event.object.ownerReferences.first(where: { $0.controller == true && $0.kind == ownerKind }) else { return [] }
            return [ObjectKey(namespace: event.object.namespace, name: ref.name)]
        }
    }

}

extension ControllerLoop {
    private func runLoop() async {
        let queue = WorkQueue<ObjectKey>()
        await withDiscardingTaskGroup { group in
            for source in sources {
                group.addTask { await watch(source, into: queue) }
            }
            group.addTask { await queue.runTimer() }
            for await key in queue.keys {
                if Task.isCancelled { break }
                queue.taken(key)
                await process(key, queue: queue)
            }
            group.cancelAll()
        }
    }

    private func process(_ key: ObjectKey, queue: WorkQueue<ObjectKey>) async {
        do {
            if let delay = try await reconcile(key) {
                queue.add(key, after: delay)
            }
        } catch is CancellationError {
            return
        } catch {
            if StoreErrors.isConflict(error) {
                logger.debug("conflict, retrying", metadata: ["controller": "\(name)", "object": "\(key)"])
                queue.add(key, after: .milliseconds(20))
            } else {
                logger.warning("reconcile failed", metadata: ["controller": "\(name)", "object": "\(key)", "error": "\(error)"])
                queue.add(key, after: .seconds(1))
            }
        }
    }

    /// Lists (resync) then watches one resource, re-listing whenever the watch ends.
    private func watch(_ source: Source, into queue: WorkQueue<ObjectKey>) async {
        while !Task.isCancelled {
            do {
                let list = try await store.list(source.resource, namespace: nil, labelSelector: nil)
                for item in list.items {
                    let event = StoreEvent(kind: .added, resource: source.resource, object: item, resourceVersion: list.resourceVersion)
                    for key in await source.keys(event) { queue.add(key) }
                }
                let events = try await store.watch(source.resource, namespace: nil, since: list.resourceVersion)
                for try await event in events {
                    for key in await source.keys(event) { queue.add(key) }
                }
            } catch is CancellationError {
                return
            } catch {
                logger.debug("watch ended", metadata: ["controller": "\(name)", "resource": "\(source.resource)", "error": "\(error)"])
            }
            do { try await Task.sleep(for: .milliseconds(300)) } catch { return }
        }
    }
}
