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
                // The relay starts once the client's channel is active (registered): the initializer
                // runs before that, and a backend that connects first must still find a live client.
                client.eventLoop.makeCompletedFuture {
                    try client.pipeline.syncOperations.addHandler(ServiceRelayStarter(state: state, logger: logger))
                }
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
}

/// The rotation shared by a listener and its connections.
final class RotationState: Sendable {
    let rotation = Mutex(BackendRotation())

    func candidates() -> [Int] { rotation.withLock { $0.candidates() } }
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
