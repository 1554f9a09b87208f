import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import KubeCore
import NIOCore

/// The request context: Hummingbird's core storage plus the connection (for client certificates).
public struct DevRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    public var maxUploadSize: Int { APIResponder.maxBodySize }
}

/// Decoded query parameters (`+` is a space, percent-escapes decoded), first value wins.
struct Query: Sendable {
    private var values: [String: String] = [:]

    init(_ raw: String?) {
        guard let raw else { return }
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode: (Substring) -> String = { s in
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if values[key] == nil { values[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    func bool(_ key: String) -> Bool {
        guard let v = values[key] else { return false }
        return v == "true" || v == "1" || v.isEmpty
    }

    func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }

    /// `dryRun=All` (any value other than empty means dry run; the server only knows All).
    var dryRun: Bool { (values["dryRun"] ?? "").isEmpty == false }
}

/// Building HTTP responses.
enum Responses {
    static let jsonType = "application/json"

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = jsonType, warnings: [String] = []) -> Response {
        let buffer = ByteBuffer(bytes: value.bytes())
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache, private"
        for warning in warnings {
            headers.append(HTTPField(name: .warning, value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// A `kind: Status` error body with the status code it carries.
    static func status(_ status: Status, extraHeaders: HTTPFields = HTTPFields()) -> Response {
        let value = (try? JSONValue(encoding: status)) ?? ["kind": "Status", "apiVersion": "v1", "status": "Failure"]
        var response = json(value, status: HTTPResponse.Status(code: status.code ?? 500))
        for field in extraHeaders { response.headers.append(field) }
        return response
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A document with an `ETag` (the quoted upper-case hex SHA-512 of its JSON), `Vary: Accept` and
    /// `Cache-Control: public`, or `304 Not Modified` when `If-None-Match` names that ETag — as
    /// kube-apiserver serves aggregated discovery (`discovery/aggregated/etag.go`).
    static func withETag(_ value: JSONValue, contentType: String, ifNoneMatch: String?) -> Response {
        let data = value.data()
        let etag = "\"" + SHA512.hash(data: data).map { String(format: "%02X", $0) }.joined() + "\""
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.vary] = "Accept"
        headers[.cacheControl] = "public"
        let candidates = (ifNoneMatch ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if candidates.contains(etag) { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `/openapi/v2` negotiated as kube-openapi does: the first Accept clause (by q) that is JSON or
    /// the gnostic protobuf wins; nothing acceptable is `406 Not Acceptable` with an empty body.
    static func openAPIv2(_ doc: JSONValue, accept: String?) -> Response {
        var clauses: [(type: String, q: Double, index: Int)] = []
        for (index, clause) in (accept ?? "*/*").split(separator: ",").enumerated() {
            let params = clause.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            var q = 1.0
            for p in params.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 1 }
            if let type = params.first, q > 0 { clauses.append((type.lowercased(), q, index)) }
        }
        clauses.sort { $0.q != $1.q ? $0.q > $1.q : $0.index < $1.index }
        for clause in clauses {
            let parts = clause.type.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "application" || parts[0] == "*" else { continue }
            var headers = HTTPFields()
            headers[.vary] = "Accept"
            headers[.eTag] = "\"\(OpenAPIDocuments.hash(doc))\""
            if parts[1] == "json" || parts[1] == "*" {
                headers[.contentType] = jsonType
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: doc.data())))
            }
            if OpenAPIv2Protobuf.acceptedSubtypes.contains(parts[1]) {
                headers[.contentType] = OpenAPIv2Protobuf.contentType
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIv2Protobuf.encode(doc))))
            }
        }
        return Response(status: .notAcceptable)
    }

    /// A `Success` Status (deletecollection, deletes of kinds that do not return the object).
    static func success(details: StatusDetails? = nil) -> JSONValue {
        var s = Status(status: "Success")
        s.details = details
        return (try? JSONValue(encoding: s)) ?? ["kind": "Status", "apiVersion": "v1", "status": "Success"]
    }
}

/// What the client asked for in `Accept`.
struct AcceptedFormat: Sendable {
    /// A meta.k8s.io Table (`as=Table`).
    var table = false
    /// Partial object metadata (`as=PartialObjectMetadata` / `PartialObjectMetadataList`).
    var partialMetadata = false
    /// Aggregated discovery version (`v2` or `v2beta1`) when asked for.
    var aggregatedDiscovery: String?

    init(_ accept: String?) {
        guard let accept else { return }
        // Media types in preference order; the first one we can serve wins.
        for mediaType in accept.split(separator: ",") {
            let params = mediaType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let base = params.first, base == "application/json" || base == "*/*" || base == "application/*" else { continue }
            var dict: [String: String] = [:]
            for p in params.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { dict[kv[0]] = kv[1] }
            }
            switch dict["as"] {
            case "Table" where dict["g"] == "meta.k8s.io" && (dict["v"] == "v1" || dict["v"] == "v1beta1"):
                table = true
                return
            case "PartialObjectMetadata", "PartialObjectMetadataList":
                if dict["g"] == "meta.k8s.io" { partialMetadata = true; return }
            case "APIGroupDiscoveryList" where dict["g"] == "apidiscovery.k8s.io":
                if dict["v"] == "v2" || dict["v"] == "v2beta1" { aggregatedDiscovery = dict["v"]; return }
            case nil:
                return
            default:
                continue
            }
        }
    }
}

extension HTTPField.Name {
    static let warning = HTTPField.Name("Warning")!
    static let retryAfter = HTTPField.Name("Retry-After")!
    static let auditID = HTTPField.Name("Audit-Id")!
}
