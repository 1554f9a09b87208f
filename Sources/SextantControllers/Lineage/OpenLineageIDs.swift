import Crypto
import Foundation

/// Run ids and dataset names of OpenLineage events.
public enum OpenLineageIDs {
    /// The UUID namespace of Sextant's name-based run ids (a fixed, random UUID).
    static let namespaceUUID: [UInt8] = [
        0x6b, 0x1f, 0x3d, 0x52, 0x9a, 0x4e, 0x4c, 0x27, 0x8f, 0x0d, 0x51, 0x6e, 0x2a, 0x93, 0xc4, 0x7b,
    ]

    /// A version-5 (SHA-1, name-based, RFC 9562) UUID of `name` in Sextant's namespace, lower case.
    /// The same name always gives the same UUID, so a restarted controller names runs as before.
    public static func uuid5(_ name: String) -> String {
        var digest = Array(Insecure.SHA1.hash(data: namespaceUUID + Array(name.utf8)).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.map(String.init).joined(separator: "-")
    }

    /// The run id of a pipeline run (MLPipeline object `uid`).
    public static func pipelineRun(uid: String) -> String { uuid5("ml.sextant.dev/MLPipeline/\(uid)") }

    /// The run id of one attempt of a step of the run `uid`.
    public static func stepRun(uid: String, step: String, attempt: Int) -> String {
        uuid5("ml.sextant.dev/MLPipeline/\(uid)/steps/\(step)/attempts/\(attempt)")
    }

    /// The run id of a step whose result was reused from the cache (it has no attempt).
    public static func cachedStepRun(uid: String, step: String) -> String {
        uuid5("ml.sextant.dev/MLPipeline/\(uid)/steps/\(step)/cached")
    }

    /// Dataset namespace and name from a URI, as OpenLineage's naming rules do: `scheme://authority`
    /// and the path (`s3://bucket/a/b` → `s3://bucket`, `a/b`); `file:///x` → `file`, `/x`; a URI
    /// without a scheme keeps the whole text as the name in namespace `uri`.
    public static func datasetName(uri: String) -> (namespace: String, name: String) {
        guard let schemeEnd = uri.range(of: "://") else {
            if uri.hasPrefix("/") { return ("file", uri) }
            return ("uri", uri)
        }
        let scheme = String(uri[..<schemeEnd.lowerBound]).lowercased()
        let rest = uri[schemeEnd.upperBound...]
        if scheme == "file" { return ("file", rest.isEmpty ? "/" : String(rest)) }
        guard let slash = rest.firstIndex(of: "/") else { return ("\(scheme)://\(rest)", "/") }
        let path = rest[rest.index(after: slash)...]
        return ("\(scheme)://\(rest[..<slash])", path.isEmpty ? "/" : String(path))
    }
}
