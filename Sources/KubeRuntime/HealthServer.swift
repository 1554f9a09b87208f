import Foundation
import Hummingbird
import Logging
import NIOCore
import Metrics
import Prometheus
import Synchronization

/// Named readiness checks (caches synced, leadership state).
public final class ReadinessTracker: Sendable {
    private let checks = Mutex<[(String, @Sendable () -> Bool)]>([])

    public init() {}

    /// Registers a check; `/readyz` is ready when all pass.
    public func register(_ name: String, _ check: @escaping @Sendable () -> Bool) {
        checks.withLock { $0.append((name, check)) }
    }

    /// Names of failing checks (empty = ready).
    public func failing() -> [String] {
        checks.withLock { $0 }.filter { !$0.1() }.map(\.0)
    }

    public var isReady: Bool { failing().isEmpty }
}

/// Parses `host:port`, `:port` (all interfaces) or `0` (disabled → nil).
public func parseBindAddress(_ text: String) throws -> (host: String, port: Int)? {
    if text == "0" || text.isEmpty { return nil }
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
        throw RuntimeError.invalidOption("bind address \"\(text)\" is not host:port")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "0.0.0.0" : host, port)
}

/// HTTP endpoints of the manager: `/healthz`, `/readyz` and (when a registry is given) `/metrics`.
enum ProbeServer {
    static func application(host: String, port: Int, readiness: ReadinessTracker?, registry: PrometheusCollectorRegistry?, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        if let readiness {
            router.get("healthz") { _, _ -> Response in text(.ok, "ok") }
            router.get("readyz") { _, _ -> Response in
                let failing = readiness.failing()
                return failing.isEmpty ? text(.ok, "ok") : text(.serviceUnavailable, "not ready: " + failing.joined(separator: ", "))
            }
        }
        if let registry {
            router.get("metrics") { _, _ -> Response in
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
            }
        }
        var log = logger
        log.logLevel = .warning
        return Application(router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)), logger: log)
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}

/// Process-wide metrics setup for binaries that do not import swift-metrics/Prometheus themselves.
public enum RuntimeMetrics {
    /// Bootstraps swift-metrics with a Prometheus registry (once per process) and returns it for
    /// `ControllerManager(registry:)`.
    public static func bootstrapPrometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
