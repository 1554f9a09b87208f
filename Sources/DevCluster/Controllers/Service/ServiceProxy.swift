import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One Service's host listener on 127.0.0.1: every accepted connection is relayed to one ready
/// pod of the Service (its host port), chosen by `BackendRotation`, so requests to the Service
/// spread over all ready pods as they do through kube-proxy.
final class ServiceListener: Sendable {
    let port: Int
    private let channel: any Channel
    private let state: RotationState

    private init(port: Int, channel: any Channel, state: RotationState) {
        self.port = port
        self.channel = channel
        self.state = state
    }

    /// Binds 127.0.0.1:`port` (0 = any free port).
    static func bind(port: Int, group: any EventLoopGroup, logger: Logger) async throws -> ServiceListener {
        let state = RotationState()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { client in
                let candidates = state.rotation.withLock { $0.candidates() }
                relay(client, to: candidates, logger: logger)
                return client.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: port).get()
        guard let bound = channel.localAddress?.port else {
            try? await channel.close()
            throw DevClusterError.configuration("the Service listener on 127.0.0.1:\(port) has no local address")
        }
        return ServiceListener(port: bound, channel: channel, state: state)
    }

    /// Sets the ready backends (host ports).
    func update(backends: [Int]) {
        state.rotation.withLock { $0.update(backends) }
    }

    /// Stops accepting; open relays finish on their own.
    func close() async {
        try? await channel.close()
    }

    /// Connects `client` to the first backend that accepts, then glues the two channels.
    private static func relay(_ client: any Channel, to candidates: [Int], logger: Logger) {
        guard let port = candidates.first else {
            client.close(promise: nil)
            return
        }
        ClientBootstrap(group: client.eventLoop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port)
            .whenComplete { result in
                switch result {
                case .success(let backend):
                    do {
                        let (a, b) = ProxyGlue.pair()
                        try client.pipeline.syncOperations.addHandler(a)
                        try backend.pipeline.syncOperations.addHandler(b)
                        // The client may have gone while the backend connected: nothing to relay.
                        guard client.isActive else {
                            backend.close(promise: nil)
                            return
                        }
                        client.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in client.close(promise: nil) }
                    } catch {
                        client.close(promise: nil)
                        backend.close(promise: nil)
                    }
                case .failure:
                    logger.debug("service backend refused the connection", metadata: ["port": "\(port)"])
                    relay(client, to: Array(candidates.dropFirst()), logger: logger)
                }
            }
    }
}

/// The rotation shared by a listener and its channel initializer.
private final class RotationState: Sendable {
    let rotation = Mutex(BackendRotation())
}

/// The host listeners of all Services (local executor), by Service. A listener keeps its port
/// while the Service exists, so the host endpoint stays the same as pods come and go.
actor ServiceProxies {
    private var listeners: [ObjectKey: ServiceListener] = [:]
    private let group: any EventLoopGroup
    private let logger: Logger

    init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.group = group
        self.logger = logger
    }

    /// Ensures the Service's listener exists (on `preferredPort` when it is free, e.g. the port it had
    /// before a restart) and routes it to `backends`. Returns the listening port.
    func route(_ key: ObjectKey, backends: [Int], preferredPort: Int?) async throws -> Int {
        if let existing = listeners[key] {
            existing.update(backends: backends)
            return existing.port
        }
        // The port comes from the same pool as the pods' ports (HostNetwork.freePort), so a
        // listener never takes a port a pod's server was just given and has not bound yet.
        var listener: ServiceListener?
        if let preferredPort, preferredPort > 0, HostNetwork.reserve(preferredPort) {
            listener = try? await ServiceListener.bind(port: preferredPort, group: group, logger: logger)
        }
        for _ in 0..<8 where listener == nil {
            guard let port = HostNetwork.freePort() else { break }
            listener = try? await ServiceListener.bind(port: port, group: group, logger: logger)
        }
        guard let bound = listener else {
            throw DevClusterError.configuration("no free 127.0.0.1 port for the host listener of Service \(key)")
        }
        // Another reconcile of the same key may have bound meanwhile (actor re-entrancy).
        if let raced = listeners[key] {
            await bound.close()
            raced.update(backends: backends)
            return raced.port
        }
        bound.update(backends: backends)
        listeners[key] = bound
        return bound.port
    }

    /// Closes the Service's listener (the Service is gone or selects nothing).
    func remove(_ key: ObjectKey) async {
        guard let listener = listeners.removeValue(forKey: key) else { return }
        await listener.close()
    }

    /// Closes every listener (shutdown).
    func closeAll() async {
        let all = listeners.values
        listeners = [:]
        for listener in all { await listener.close() }
    }
}
