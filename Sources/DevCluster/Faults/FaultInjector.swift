import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore

/// Faults the dev server injects for reliability tests. All off by default. Set with
/// `sextant dev --fault-*` flags or `POST /admin/faults` (same JSON field names).
public struct FaultConfiguration: Sendable, Codable, Equatable {
    /// Share (0...1) of API requests answered with an error from `errorCodes`.
    public var errorRate: Double = 0
    /// Codes picked at random for injected errors: 500, 429 and/or 503.
    public var errorCodes: [Int] = [500, 429, 503]
    /// `Retry-After` seconds on 429/503.
    public var retryAfterSeconds: Int = 1
    /// Added latency per API request, milliseconds.
    public var latencyMs: Int = 0
    /// Watch streams end after this many events (nil: never).
    public var watchEventLimit: Int?

    public init(errorRate: Double = 0, errorCodes: [Int] = [500, 429, 503], retryAfterSeconds: Int = 1, latencyMs: Int = 0, watchEventLimit: Int? = nil) {
        self.errorRate = errorRate
        self.errorCodes = errorCodes
        self.retryAfterSeconds = retryAfterSeconds
        self.latencyMs = latencyMs
        self.watchEventLimit = watchEventLimit
    }

    public var isActive: Bool { errorRate > 0 || latencyMs > 0 || watchEventLimit != nil }
}

/// Applies the fault configuration to requests and logs every injected fault.
public actor FaultInjector {
    private(set) var configuration: FaultConfiguration
    /// Objects (`qualifiedResource/namespace/name`) whose next update answers 409 Conflict.
    private var conflicts: Set<String> = []
    private let logger: Logger
    /// Number of faults injected so far.
    public private(set) var injectedCount = 0

    public init(configuration: FaultConfiguration = FaultConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func set(_ configuration: FaultConfiguration) {
        self.configuration = configuration
        logger.warning("fault configuration changed", metadata: ["faults": "\(configuration)"])
    }

    /// Arms a 409 Conflict for the next update or patch of one object.
    public func conflictOnNextUpdate(resource: String, namespace: String?, name: String) {
        conflicts.insert(Self.key(resource, namespace, name))
        logger.warning("conflict armed", metadata: ["resource": "\(resource)", "namespace": "\(namespace ?? "")", "name": "\(name)"])
    }

    static func key(_ resource: String, _ namespace: String?, _ name: String) -> String {
        "\(resource)/\(namespace ?? "")/\(name)"
    }

    func record(_ message: String, metadata: Logger.Metadata = [:]) {
        injectedCount += 1
        logger.warning("injected fault: \(message)", metadata: metadata)
    }

    /// Latency and random errors before a request is handled; a response means "answer this".
    func beforeRequest(method: String, path: String) async throws -> Response? {
        let config = configuration
        if config.latencyMs > 0 {
            record("latency \(config.latencyMs)ms", metadata: ["method": "\(method)", "path": "\(path)"])
            try await Task.sleep(for: .milliseconds(config.latencyMs))
        }
        guard config.errorRate > 0, Double.random(in: 0..<1) < config.errorRate else { return nil }
        let code = config.errorCodes.randomElement() ?? 500
        record("error \(code)", metadata: ["method": "\(method)", "path": "\(path)"])
        var headers = HTTPFields()
        let status: Status
        switch code {
        case 429:
            status = Status(message: "Too many requests, please try again later.", reason: "TooManyRequests",
                            details: StatusDetails(retryAfterSeconds: config.retryAfterSeconds), code: 429)
            headers[.retryAfter] = String(config.retryAfterSeconds)
        case 503:
            status = Status(message: "the server is currently unable to handle the request", reason: "ServiceUnavailable",
                            details: StatusDetails(retryAfterSeconds: config.retryAfterSeconds), code: 503)
            headers[.retryAfter] = String(config.retryAfterSeconds)
        default:
            status = APIErrors.internalError("injected fault")
        }
        return Responses.status(status, extraHeaders: headers)
    }

    /// Throws the armed 409 Conflict for this object, once.
    func checkConflict(info: ResourceInfo, namespace: String?, name: String) throws {
        for resource in [info.resource, info.qualifiedResource] {
            let key = Self.key(resource, info.namespaced ? namespace : nil, name)
            if conflicts.remove(key) != nil {
                record("conflict", metadata: ["resource": "\(info.qualifiedResource)", "namespace": "\(namespace ?? "")", "name": "\(name)"])
                throw APIErrors.conflict(info, name)
            }
        }
    }

    func watchEventLimit() -> Int? { configuration.watchEventLimit }

    /// `GET /admin/faults` shows the configuration; `POST` sets it (fields of `FaultConfiguration`
    /// plus `"compact": true` and `"conflict": {"resource": "jobs", "namespace": "ns", "name": "x"}`);
    /// `DELETE` turns everything off.
    func handleAdmin(method: HTTPRequest.Method, body: ByteBuffer, store: DevStore) async throws -> Response {
        switch method {
        case .get:
            break
        case .delete:
            set(FaultConfiguration())
            conflicts.removeAll()
        case .post, .put:
            let json: JSONValue
            do {
                json = try JSONValue.parse(Data(body.readableBytesView))
            } catch {
                throw APIErrors.badRequest("invalid fault configuration: \(error)")
            }
            var config = configuration
            if let v = json["errorRate"]?.doubleValue { config.errorRate = v }
            if let v = json["errorCodes"]?.arrayValue { config.errorCodes = v.compactMap { $0.intValue.map(Int.init) } }
            if let v = json["retryAfterSeconds"]?.intValue { config.retryAfterSeconds = Int(v) }
            if let v = json["latencyMs"]?.intValue { config.latencyMs = Int(v) }
            if let v = json["watchEventLimit"] { config.watchEventLimit = v.intValue.map(Int.init) }
            if config != configuration { set(config) }
            if json["compact"]?.boolValue == true {
                await store.compact()
                record("forced compaction")
            }
            if let conflict = json["conflict"], let resource = conflict["resource"]?.stringValue, let name = conflict["name"]?.stringValue {
                conflictOnNextUpdate(resource: resource, namespace: conflict["namespace"]?.stringValue, name: name)
            }
        default:
            throw APIErrors.methodNotAllowed
        }
        var out = (try? JSONValue(encoding: configuration)) ?? .emptyObject
        out["injectedCount"] = .int(Int64(injectedCount))
        out["armedConflicts"] = .array(conflicts.sorted().map(JSONValue.string))
        return Responses.json(out)
    }
}
