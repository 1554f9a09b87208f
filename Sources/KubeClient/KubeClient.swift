import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// An HTTP request to the API server, relative to the configured server.
public struct KubeRequest: Sendable {
    public var method: HTTPMethod
    /// Absolute path (`/api/v1/namespaces/default/pods`).
    public var path: String
    public var query: [(String, String)]
    public var body: Data?
    public var contentType: String?
    public var accept: String = "application/json"

    public init(method: HTTPMethod, path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
    }

    /// Requests that can be sent twice without changing the result (client-go retries these on
    /// transport errors; writes are retried only when the server says it did not process them).
    var isIdempotent: Bool { method == .GET || method == .HEAD }
}

/// A Kubernetes API client: TLS and authentication from a `ClientConfiguration`, client-side rate
/// limiting (token bucket, `qps`/`burst`), retries of idempotent requests with backoff and
/// `Retry-After`, Status errors decoded into `KubeClientError.api`, and the
/// `rest_client_requests_total{code,method,host}` metric. Thread-safe; share one per process and
/// call `shutdown()` at the end.
public final class KubeClient: Sendable {
    public let configuration: ClientConfiguration
    public let logger: Logger
    let transport: HTTPTransport
    let credentials: CredentialProvider
    let limiter: RateLimiter
    private let host: String

    /// Creates a client. Throws `KubeClientError.config` for unusable TLS material or an
    /// unsupported `proxy-url`.
    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "sextant.kubeclient")) throws {
        self.configuration = configuration
        self.logger = logger
        self.credentials = CredentialProvider(configuration.credentials)
        self.limiter = RateLimiter(qps: configuration.qps, burst: configuration.burst)
        self.host = URL(string: configuration.server)?.host ?? configuration.server
        self.transport = try HTTPTransport(configuration: configuration)
    }

    private init(sharing other: KubeClient, qps: Double, burst: Int) {
        var configuration = other.configuration
        configuration.qps = qps
        configuration.burst = burst
        self.configuration = configuration
        self.logger = other.logger
        self.credentials = other.credentials
        self.limiter = RateLimiter(qps: qps, burst: burst)
        self.host = other.host
        self.transport = other.transport
    }

    /// A client sharing this one's connections and credentials but with its own client-side rate
    /// limit (e.g. Events, so they never spend the reconcilers' budget). Call `shutdown()` only on
    /// the original.
    public func withRateLimit(qps: Double, burst: Int) -> KubeClient {
        KubeClient(sharing: self, qps: qps, burst: burst)
    }

    /// Convenience: loads the kubeconfig (or in-cluster configuration) and creates a client.
    public convenience init(kubeconfig: String? = nil, context: String? = nil, logger: Logger = Logger(label: "sextant.kubeclient")) throws {
        try self.init(configuration: ClientConfiguration.automatic(kubeconfig: kubeconfig, context: context), logger: logger)
    }

    /// Closes connections (also ends open watches). Call once before the process ends.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// The namespace of the configuration's context.
    public var defaultNamespace: String { configuration.namespace }

    func url(for request: KubeRequest) -> String {
        var url = transport.baseURL + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        return url
    }

    /// Percent-encodes everything but letters, digits and `-._~`. Names and namespaces are
    /// almost always ASCII letters, digits, `-` and `.`: those are returned as they are without
    /// building a CharacterSet (which cost more than the request's JSON encoding).
    static func escape(_ s: String) -> String {
        if s.utf8.allSatisfy({ b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }) { return s }
        return escapeSlowly(s)
    }

    static func escapeSlowly(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// The request with its headers, and the HTTP client for the current TLS identity.
    private func makeRequest(_ request: KubeRequest) async throws -> (HTTPClient, HTTPClientRequest) {
        let credential = try await credentials.current()
        let http = try transport.client(for: credential.clientIdentity)
        var r = HTTPClientRequest(url: url(for: request))
        r.method = request.method
        r.headers.add(name: "Accept", value: request.accept)
        r.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let auth = credential.authorization {
            r.headers.add(name: "Authorization", value: auth)
        }
        if let body = request.body {
            r.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            r.body = .bytes(ByteBuffer(data: body))
        }
        return (http, r)
    }

    private func record(_ method: HTTPMethod, code: String) {
        Counter(label: "rest_client_requests_total", dimensions: [("code", code), ("method", method.rawValue), ("host", host)]).increment()
    }

    /// Sends a request and returns the body of a 2xx answer; throws `KubeClientError.api` with the
    /// decoded Status otherwise. Retries per the rules above.
    public func send(_ request: KubeRequest) async throws -> Data {
        var attempt = 0
        var refreshedCredentials = false
        while true {
            try await limiter.wait()
            let outcome: Result<(HTTPResponseStatus, HTTPHeaders, Data), Error>
            do {
                let (http, r) = try await makeRequest(request)
                let response = try await http.execute(r, timeout: .nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000))
                let body = try await response.body.collect(upTo: 512 * 1024 * 1024)
                outcome = .success((response.status, response.headers, Data(buffer: body)))
            } catch let error as KubeClientError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .failure(let error):
                record(request.method, code: "<error>")
                if request.isIdempotent, attempt < configuration.maxRetries, !Task.isCancelled {
                    attempt += 1
                    let delay = RetryBackoff.delay(attempt: attempt)
                    logger.debug("retrying after transport error", metadata: ["path": "\(request.path)", "error": "\(error)", "attempt": "\(attempt)"])
                    try await Task.sleep(for: .seconds(delay))
                    continue
                }
                throw KubeClientError.transport("\(request.method.rawValue) \(request.path): \(error)")
            case .success(let (status, headers, body)):
                record(request.method, code: String(status.code))
                if (200..<300).contains(status.code) { return body }
                if status.code == 401, !refreshedCredentials, await credentials.canRefresh {
                    refreshedCredentials = true
                    await credentials.invalidate()
                    continue
                }
                let retryAfter = headers.first(name: "Retry-After").flatMap(Double.init)
                let serverSaysRetry = status.code == 429 || (status.code >= 500 && (request.isIdempotent || retryAfter != nil))
                if serverSaysRetry, attempt < configuration.maxRetries, !Task.isCancelled {
                    attempt += 1
                    let delay = min(retryAfter ?? RetryBackoff.delay(attempt: attempt), 30)
                    logger.debug("retrying", metadata: ["path": "\(request.path)", "code": "\(status.code)", "attempt": "\(attempt)"])
                    try await Task.sleep(for: .seconds(delay))
                    continue
                }
                throw KubeClientError.api(Self.decodeStatus(body, code: Int(status.code), reason: status.reasonPhrase))
            }
        }
    }

    /// The decoder for typed answers and watch events: `metadata.managedFields` is left out (see
    /// `ObjectMeta.skipManagedFieldsKey`; `DynamicApi` keeps them).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        if let key = ObjectMeta.skipManagedFieldsKey { decoder.userInfo[key] = true }
        return decoder
    }

    /// Decodes an error body into a Status (synthesizing one for non-Status bodies).
    static func decodeStatus(_ body: Data, code: Int, reason: String) -> Status {
        if var s = try? JSONDecoder().decode(Status.self, from: body), s.kind == "Status" {
            if s.code == nil { s.code = code }
            return s
        }
        let reasons: [Int: String] = [400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
                                      409: "Conflict", 410: "Gone", 415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
                                      500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"]
        let text = String(decoding: body.prefix(1000), as: UTF8.self)
        return Status(status: "Failure", message: text.isEmpty ? reason : text, reason: reasons[code] ?? "Unknown", code: code)
    }

    /// Sends a request and decodes the JSON answer.
    public func send<T: Decodable>(_ request: KubeRequest, as type: T.Type) async throws -> T {
        let data = try await send(request)
        do {
            return try Self.decoder().decode(T.self, from: data)
        } catch {
            throw KubeClientError.decoding("\(T.self) from \(request.path): \(error)")
        }
    }

    /// Opens a streaming request (watch) and yields its body line by line (newline-delimited JSON).
    /// Non-2xx answers throw `KubeClientError.api` before the first line. Not retried: the watcher
    /// decides what to do.
    public func lines(_ request: KubeRequest) async throws -> AsyncThrowingStream<Data, Error> {
        try await limiter.wait()
        var (http, r) = try await makeRequest(request)
        var response: HTTPClientResponse
        do {
            response = try await http.execute(r, timeout: .seconds(Int64(configuration.timeout.components.seconds)))
            if response.status.code == 401, await credentials.canRefresh {
                await credentials.invalidate()
                (http, r) = try await makeRequest(request)
                response = try await http.execute(r, timeout: .seconds(Int64(configuration.timeout.components.seconds)))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            record(request.method, code: "<error>")
            throw KubeClientError.transport("\(request.method.rawValue) \(request.path): \(error)")
        }
        record(request.method, code: String(response.status.code))
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await response.body.collect(upTo: 1024 * 1024)).map { Data(buffer: $0) } ?? Data()
            throw KubeClientError.api(Self.decodeStatus(body, code: Int(response.status.code), reason: response.status.reasonPhrase))
        }
        // The body is consumed on demand by the caller's iteration.
        let iteratorBox = LineIterator(body: response.body)
        return AsyncThrowingStream<Data, Error> {
            do {
                return try await iteratorBox.next()
            } catch is CancellationError {
                return nil
            } catch {
                throw KubeClientError.transport("watch stream \(request.path): \(error)")
            }
        }
    }
}

/// Holds the iterator of a stream consumed by exactly one `AsyncThrowingStream(unfolding:)` closure,
/// which calls `next()` serially; hence the unchecked conformance.
final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable {
    private var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> Base.Element? { try await base.next() }
}

/// Splits a response body into lines.
final class LineIterator: @unchecked Sendable {
    // Only ever used by the single consumer of the stream that owns it (AsyncThrowingStream's
    // unfolding initializer calls `next()` serially), hence the unchecked conformance.
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer = LineBuffer()
    private var finished = false

    init(body: HTTPClientResponse.Body) {
        self.iterator = body.makeAsyncIterator()
    }

    func next() async throws -> Data? {
        while true {
            if let line = buffer.nextLine() { return line }
            if finished { return buffer.remainder() }
            if let chunk = try await iterator.next() {
                buffer.append(chunk.readableBytesView)
            } else {
                finished = true
            }
        }
    }
}

/// Accumulates bytes and hands out complete `\n`-terminated lines (without the newline; empty lines skipped).
public struct LineBuffer: Sendable {
    private var bytes: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func append<C: Collection>(_ chunk: C) where C.Element == UInt8 {
        if start > 0, start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        }
        bytes.append(contentsOf: chunk)
    }

    public mutating func nextLine() -> Data? {
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = bytes[start..<newline]
            let nonEmpty = line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") })
            let data = nonEmpty ? Data(line) : nil
            start = newline + 1
            if start > 65_536 {
                bytes.removeFirst(start)
                start = 0
            }
            if let data { return data }
        }
        return nil
    }

    /// Whatever is left after the last newline (a final unterminated line).
    public mutating func remainder() -> Data? {
        guard start < bytes.count else { return nil }
        let rest = Data(bytes[start...])
        start = bytes.count
        return rest.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }) ? rest : nil
    }
}

/// Exponential backoff with jitter used for client retries.
public enum RetryBackoff {
    /// `base * 2^(attempt-1)` capped at `cap`, with ±20 % jitter.
    public static func delay(attempt: Int, base: Double = 0.2, cap: Double = 10) -> Double {
        let raw = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return raw * Double.random(in: 0.8...1.2)
    }
}
