import Foundation
import KubeCore
import SextantAPI

/// Names, URIs and environment shared by the SageMaker and AWS Batch backends. Pure.
enum AWSJobNaming {
    /// The attempt's job name made legal for the provider: characters outside `[A-Za-z0-9-]`
    /// (plus `_` where `allowUnderscore`) become `-`, runs of `-` collapse, the name starts and ends
    /// with a letter or digit and is at most `limit` long (a cut name ends in a hash of the full one).
    /// Deterministic, so every call of a backend finds the same job.
    static func legalName(_ name: String, limit: Int, allowUnderscore: Bool) -> String {
        var out = ""
        for c in name.unicodeScalars {
            let ok = (c.value >= 48 && c.value <= 57) || (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122)
                || c == "-" || (allowUnderscore && c == "_")
            let ch: Character = ok ? Character(c) : "-"
            if ch == "-" && out.last == "-" { continue }
            out.append(ch)
        }
        while let f = out.first, f == "-" || f == "_" { out.removeFirst() }
        while let l = out.last, l == "-" || l == "_" { out.removeLast() }
        if out.isEmpty { out = DerivedName.shortHash(name) }
        return DerivedName.make([out], limit: limit)
    }

    /// `<prefix>/<jobName>/sextant-outputs.json` (`SEXTANT_OUTPUTS_URI`).
    static func outputsURI(prefix: String, jobName: String) -> String {
        "\(trimSlash(prefix))/\(jobName)/sextant-outputs.json"
    }

    /// `prefix` without trailing slashes.
    static func trimSlash(_ prefix: String) -> String {
        var p = prefix
        while p.hasSuffix("/") { p.removeLast() }
        return p
    }

    /// The environment the controller adds to every AWS job of an attempt: tracking (`MLFLOW_*`,
    /// `WANDB_*`) and the `SEXTANT_*` variables.
    static func sextantEnvironment(_ attempt: CloudAttempt, outputsURI: String?) -> [String: String] {
        var env = attempt.environment
        for (k, v) in [
            "SEXTANT_PIPELINE": attempt.pipeline,
            "SEXTANT_STEP": attempt.step,
            "SEXTANT_ATTEMPT": String(attempt.attempt),
        ] { env[k] = v }
        if let outputsURI { env["SEXTANT_OUTPUTS_URI"] = outputsURI }
        return env
    }

    /// Tags of every AWS job of an attempt: `sextant.uid` (adoption after a restart), and where it came from.
    static func tags(_ attempt: CloudAttempt) -> [(String, String)] {
        [
            ("sextant.uid", attempt.pipelineUID),
            ("sextant.namespace", attempt.namespace),
            ("sextant.pipeline", attempt.pipeline),
            ("sextant.step", attempt.step),
            ("sextant.attempt", String(attempt.attempt)),
            ("app.kubernetes.io/managed-by", "sextant"),
        ]
    }

    /// `s3://bucket/key` split into bucket and key; nil when it is not an S3 URI with a key.
    static func splitS3(_ uri: String) -> (bucket: String, key: String)? {
        guard uri.hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let bucket = String(rest[..<slash])
        let key = String(rest[rest.index(after: slash)...])
        guard !bucket.isEmpty, !key.isEmpty else { return nil }
        return (bucket, key)
    }

    /// A date from an AWS timestamp: epoch seconds (JSON 1.1), epoch milliseconds (`millis`), or ISO 8601.
    static func date(_ value: JSONValue?, millis: Bool = false) -> Date? {
        guard let value else { return nil }
        if let d = value.doubleValue { return Date(timeIntervalSince1970: millis ? d / 1000 : d) }
        if let s = value.stringValue {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = f.date(from: s) { return d }
            f.formatOptions = [.withInternetDateTime]
            return f.date(from: s)
        }
        return nil
    }

    /// `text` cut to `limit` characters with an ellipsis.
    static func clip(_ text: String, _ limit: Int = 480) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
