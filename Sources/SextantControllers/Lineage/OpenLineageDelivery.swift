import CloudHTTP
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Where and how events are sent: `--openlineage-url` / `OPENLINEAGE_URL`,
/// `OPENLINEAGE_NAMESPACE` (default `sextant`), `OPENLINEAGE_ENDPOINT` (default `api/v1/lineage`)
/// and an optional `OPENLINEAGE_API_KEY` sent as a bearer token (never logged).
public struct OpenLineageSettings: Sendable, Hashable {
    /// The server's base URL (`http://marquez:5000`).
    public var url: URL
    /// Path of the lineage endpoint under `url`.
    public var endpoint: String
    /// OpenLineage namespace of the jobs.
    public var namespace: String
    /// Bearer token, if the server wants one.
    public var apiKey: String?

    /// Settings.
    public init(url: URL, endpoint: String = "api/v1/lineage", namespace: String = "sextant", apiKey: String? = nil) {
        self.url = url
        self.endpoint = endpoint
        self.namespace = namespace
        self.apiKey = apiKey
    }

    /// From the flag (when given) or `OPENLINEAGE_URL`; nil when neither is set (emission off).
    /// Throws `ControllerError.invalidConfiguration` for a URL that is not http(s).
    public static func from(flag: String?, environment: [String: String]) throws -> OpenLineageSettings? {
        guard let text = (flag ?? environment["OPENLINEAGE_URL"]).map({ $0.trimmingCharacters(in: .whitespaces) }), !text.isEmpty else {
            return nil
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw ControllerError.invalidConfiguration("OpenLineage URL \(text) is not an http(s) URL")
        }
        let namespace = environment["OPENLINEAGE_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "sextant"
        let endpoint = environment["OPENLINEAGE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "api/v1/lineage"
        let key = environment["OPENLINEAGE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return OpenLineageSettings(url: url, endpoint: endpoint, namespace: namespace, apiKey: key)
    }

    /// The URL events are POSTed to (`url` itself when it already ends with the endpoint).
    public var lineageURL: URL {
        let trimmed = endpoint.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if url.path.hasSuffix("/" + trimmed) || trimmed.isEmpty { return url }
        return url.appendingPathComponent(trimmed)
    }
}

/// Sends the emitter's events to the lineage server, one at a time in order: a swift-service-lifecycle
/// Service run in the controller's service/task group. A server error, 408, 429 or no answer is
/// retried with exponential backoff (0.5 s doubling to `maxBackoff`) while newer events wait in the
/// bounded queue; any other 4xx is a rejected event, logged and counted, not retried.
public struct OpenLineageDelivery: Service {
    /// What happens to one event after one POST.
    public enum Outcome: Sendable, Hashable {
        /// Accepted (2xx).
        case sent
        /// Refused for good (4xx other than 408/429): dropped.
        case rejected
        /// Try again later.
        case retry
    }

    let emitter: OpenLineageEmitter
    let settings: OpenLineageSettings
    let transport: any CloudHTTPTransport
    let logger: Logger
    let maxBackoff: Duration

    /// A delivery loop for `emitter` to `settings.lineageURL`.
    public init(emitter: OpenLineageEmitter, settings: OpenLineageSettings, transport: any CloudHTTPTransport = CloudHTTPClientTransport(),
                logger: Logger, maxBackoff: Duration = .seconds(30)) {
        self.emitter = emitter
        self.settings = settings
        self.transport = transport
        self.logger = logger
        self.maxBackoff = maxBackoff
    }

    /// The outcome of an HTTP status (nil = no answer).
    public static func outcome(status: Int?) -> Outcome {
        guard let status else { return .retry }
        switch status {
        case 200..<300: return .sent
        case 408, 429: return .retry
        case 400..<500: return .rejected
        default: return .retry
        }
    }

    /// The wait before retry number `n` (from 0): 0.5 s × 2ⁿ, at most `maxBackoff`.
    public static func backoff(_ n: Int, max: Duration) -> Duration {
        let seconds = 0.5 * pow(2, Double(min(n, 20)))
        return min(.milliseconds(Int64(seconds * 1000)), max)
    }

    public func run() async throws {
        logger.info("sending OpenLineage events", metadata: ["url": "\(settings.lineageURL.absoluteString)", "namespace": "\(settings.namespace)"])
        await cancelWhenGracefulShutdown {
            while let event = await emitter.next() {
                await deliver(event)
            }
        }
    }

    private func deliver(_ event: OpenLineageRunEvent) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(event) else { return }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let key = settings.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        let request = CloudHTTPRequest(method: "POST", url: settings.lineageURL, headers: headers, body: body)
        var failures = 0
        while !Task.isCancelled {
            var status: Int?
            do {
                status = try await transport.send(request, timeout: .seconds(10)).status
            } catch {
                status = nil
            }
            switch Self.outcome(status: status) {
            case .sent:
                Counter(label: "sextant_openlineage_events_sent_total").increment()
                return
            case .rejected:
                Counter(label: "sextant_openlineage_events_dropped_total", dimensions: [("reason", "rejected")]).increment()
                logger.warning("OpenLineage server rejected an event", metadata: [
                    "status": "\(status ?? 0)", "eventType": "\(event.eventType.rawValue)", "job": "\(event.job.name)"])
                return
            case .retry:
                Counter(label: "sextant_openlineage_delivery_retries_total").increment()
                if failures == 0 || failures % 10 == 0 {
                    logger.notice("OpenLineage server unavailable; retrying", metadata: [
                        "status": "\(status.map(String.init) ?? "no answer")", "failures": "\(failures + 1)"])
                }
                let wait = Self.backoff(failures, max: maxBackoff)
                failures += 1
                do { try await Task.sleep(for: wait) } catch { return }
            }
        }
    }
}
