import Foundation
import KubeClient
import KubeCore
import Logging

/// What a watcher reports to its consumer.
public enum WatcherEvent<R: Resource>: Sendable {
    /// A (re)list completed: this is the complete current set (replaces everything known).
    case restarted([R])
    /// An object was added or modified.
    case applied(R)
    /// An object was deleted.
    case deleted(R)
}

/// Drives a `WatcherStateMachine` against the API: list (paginated), watch, resume, relist on 410,
/// back off on errors. `run` returns only when its task is cancelled.
public struct Watcher<R: Resource>: Sendable {
    public let api: Api<R>
    public var labelSelector: String?
    public var fieldSelector: String?
    public var pageSize: Int = 500
    public var logger: Logger
    /// Builds MODIFIED events' objects from the consumer's cached copies where they allow
    /// (`WatchReuse`, `Api.watch(_:reuse:)`).
    public var reuse: WatchReuse<R>?

    public init(api: Api<R>, labelSelector: String? = nil, fieldSelector: String? = nil, logger: Logger = Logger(label: "sextant.watcher")) {
        self.api = api
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.logger = logger
    }

    /// Runs until cancelled, handing every event to `handle` in order.
    public func run(_ handle: @Sendable (WatcherEvent<R>) async -> Void) async throws {
        var machine = WatcherStateMachine()
        var action = machine.start()
        var log = logger
        log[metadataKey: "kind"] = "\(R.kind)"
        while !Task.isCancelled {
            switch action {
            case .list:
                do {
                    let (items, rv) = try await api.listAll(ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector), pageSize: pageSize)
                    await handle(.restarted(items))
                    action = machine.listSucceeded(resourceVersion: rv)
                    log.debug("listed", metadata: ["count": "\(items.count)", "resourceVersion": "\(rv)"])
                } catch is CancellationError {
                    return
                } catch {
                    action = machine.listFailed()
                    log.warning("list failed", metadata: ["error": "\(error)"])
                }
            case .watch(let rv):
                action = await watchOnce(from: rv, machine: &machine, handle: handle, logger: log)
            case .backoff(let delay):
                do { try await Task.sleep(for: .seconds(delay)) } catch { return }
                action = machine.backoffElapsed()
            }
        }
    }

    private func watchOnce(from rv: String, machine: inout WatcherStateMachine, handle: @Sendable (WatcherEvent<R>) async -> Void, logger: Logger) async -> WatcherStateMachine.Action {
        do {
            // Randomized server timeout, as client-go does, so watches do not all restart together.
            let options = WatchOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: rv,
                                       allowWatchBookmarks: true, timeoutSeconds: Int.random(in: 240...360))
            let stream = try await api.watch(options, reuse: reuse)
            for try await event in stream {
                switch event {
                case .added(let o), .modified(let o):
                    _ = machine.received(.object(resourceVersion: o.metadata.resourceVersion))
                    await handle(.applied(o))
                case .deleted(let o):
                    _ = machine.received(.object(resourceVersion: o.metadata.resourceVersion))
                    await handle(.deleted(o))
                case .bookmark(let brv):
                    _ = machine.received(.bookmark(resourceVersion: brv))
                case .error(let status):
                    logger.info("watch error event", metadata: ["code": "\(status.code ?? 0)", "reason": "\(status.reason ?? "")"])
                    if let next = machine.received(.error(code: status.code, reason: status.reason)) { return next }
                }
            }
            return machine.streamEnded()
        } catch is CancellationError {
            return machine.streamEnded()
        } catch let error as KubeClientError {
            logger.info("watch failed", metadata: ["error": "\(error)"])
            return machine.watchFailed(gone: error.isGone)
        } catch {
            logger.info("watch failed", metadata: ["error": "\(error)"])
            return machine.watchFailed(gone: false)
        }
    }
}
