import Logging
import NIOCore
import NIOPosix

/// First handler of an accepted connection: when the connection is active, connects to the first
/// backend that accepts (the rotation's pick, then the others), then joins the two with
/// `ProxyGlue` and starts reading on both. Closes the client when no backend accepts, and the
/// backend when the client went away meanwhile.
///
/// The client's bytes can arrive before the backend has connected even though the connection
/// does not read yet: a client that sends its request and half-closes (EOF) makes NIO read all
/// input up to the EOF at once. Those bytes and the EOF are kept and handed to the backend first.
final class ServiceRelayStarter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let state: RotationState
    private let logger: Logger
    private var clientGone = false
    /// Read from the client before the backend was joined.
    private var early: [ByteBuffer] = []
    private var earlyEOF = false

    init(state: RotationState, logger: Logger) {
        self.state = state
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        connect(context: context, candidates: state.candidates())
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientGone = true
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        early.append(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event { earlyEOF = true }
        context.fireUserInboundEventTriggered(event)
    }

    private func connect(context: ChannelHandlerContext, candidates: [Int]) {
        guard !clientGone else { return }
        guard let port = candidates.first, let address = try? SocketAddress(ipAddress: "127.0.0.1", port: port) else {
            context.close(promise: nil)
            return
        }
        ClientBootstrap(group: context.eventLoop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelOption(ChannelOptions.autoRead, value: false)
            .connect(to: address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let backend):
                    self.join(context: context, backend: backend)
                case .failure:
                    self.logger.debug("service backend refused the connection", metadata: ["port": "\(port)"])
                    self.connect(context: context, candidates: Array(candidates.dropFirst()))
                }
            }
    }

    private func join(context: ChannelHandlerContext, backend: any Channel) {
        let client = context.channel
        guard !clientGone, client.isActive else {
            backend.close(promise: nil)
            return
        }
        let (a, b) = ProxyGlue.pair()
        do {
            try backend.pipeline.syncOperations.addHandler(b)
            try context.pipeline.syncOperations.addHandler(a)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            // A backend that closed before its handler was added: nothing will tell the client.
            guard backend.isActive else { throw ChannelError.ioOnClosedChannel }
            for buffer in early { backend.write(buffer, promise: nil) }
            if earlyEOF {
                let written = backend.eventLoop.makePromise(of: Void.self)
                backend.writeAndFlush(backend.allocator.buffer(capacity: 0), promise: written)
                written.futureResult.whenComplete { _ in backend.close(mode: .output, promise: nil) }
            } else if !early.isEmpty {
                backend.flush()
            }
            early = []
            try client.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
            try backend.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        } catch {
            client.close(promise: nil)
            backend.close(promise: nil)
        }
    }
}
