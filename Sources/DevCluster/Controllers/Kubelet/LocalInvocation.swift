import Foundation
import KubeCore

/// The host command line and environment of a container under the local executor (pure).
struct LocalInvocation: Sendable, Equatable {
    var arguments: [String]
    var environment: [String: String]

    /// Builds the invocation: `command` + `args` (when `command` is absent, `args[0]` is the
    /// executable), `$(VAR)` references expanded as Kubernetes does, the container's
    /// `terminationMessagePath` replaced by the pod's host file (also in `SEXTANT_OUTPUTS_PATH`).
    ///
    /// Environment: the host's `PATH`, `HOME`, `LANG`, `TMPDIR`, `SEXTANT_DEV_WORKDIR` (the directory
    /// `sextant dev` was started in); `HOSTNAME` = pod name;
    /// `PORT` for serving pods; then the container's `env` (plain `value`s and `fieldRef`s to
    /// `metadata.name|namespace|uid|labels['k']|annotations['k']`, `status.podIP`,
    /// `status.hostIP`, `spec.nodeName`, `spec.serviceAccountName`; other `valueFrom`s are skipped).
    static func build(pod: JSONValue, container: JSONValue, port: Int?, terminationFile: String, hostEnvironment: [String: String]) -> LocalInvocation {
        var env: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "TMPDIR", "USER", "SEXTANT_DEV_WORKDIR"] {
            if let value = hostEnvironment[key] { env[key] = value }
        }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        env["HOSTNAME"] = pod.name ?? ""
        env["SEXTANT_OUTPUTS_PATH"] = terminationFile
        if let port { env["PORT"] = String(port) }
        let messagePath = container["terminationMessagePath"]?.stringValue ?? "/dev/termination-log"
        for entry in container["env"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { continue }
            if let value = entry["value"]?.stringValue {
                env[name] = replacing(messagePath, with: terminationFile, in: expand(value, env))
            } else if entry["value"] == nil, entry["valueFrom"] == nil {
                env[name] = ""
            } else if let path = entry[path: ["valueFrom", "fieldRef", "fieldPath"]]?.stringValue, let value = fieldValue(path, pod: pod) {
                env[name] = value
            }
        }
        let command = (container["command"]?.arrayValue ?? []).compactMap(\.stringValue)
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        let arguments = (command + args).map { replacing(messagePath, with: terminationFile, in: expand($0, env)) }
        return LocalInvocation(arguments: arguments, environment: env)
    }

    /// Expands `$(NAME)` from `env`; `$$(` escapes; unknown references stay as written.
    static func expand(_ text: String, _ env: [String: String]) -> String {
        guard text.contains("$(") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$(") {
                out += "$("
                rest = after.dropFirst(2)
            } else if after.hasPrefix("("), let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                out += env[name] ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                out += "$"
                rest = after
            }
        }
        return out + rest
    }

    private static func replacing(_ path: String, with replacement: String, in text: String) -> String {
        path.isEmpty ? text : text.replacingOccurrences(of: path, with: replacement)
    }

    private static func fieldValue(_ path: String, pod: JSONValue) -> String? {
        switch path {
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.namespace
        case "metadata.uid": return pod.uid
        case "status.podIP", "status.hostIP": return PodStatusLogic.hostIP
        case "spec.nodeName": return pod[path: ["spec", "nodeName"]]?.stringValue ?? KubeletContext.nodeName
        case "spec.serviceAccountName": return pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
        default:
            for (prefix, map) in [("metadata.labels['", pod.labels), ("metadata.annotations['", pod.annotations)] where path.hasPrefix(prefix) && path.hasSuffix("']") {
                return map[String(path.dropFirst(prefix.count).dropLast(2))]
            }
            return nil
        }
    }
}
