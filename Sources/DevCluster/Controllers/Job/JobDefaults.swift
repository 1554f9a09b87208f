import Foundation
import KubeCore

/// The API defaults of `batch/v1` Jobs, as a real API server stores them (so `kubectl describe`
/// and `kubectl get -o yaml` show the same fields).
public enum JobDefaults {
    /// Label keys a Job's pods carry.
    public static let jobNameLabel = "batch.kubernetes.io/job-name"
    public static let legacyJobNameLabel = "job-name"
    public static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"
    public static let legacyControllerUIDLabel = "controller-uid"

    /// Fills in the defaults of a Job. The selector and template labels need `metadata.uid`;
    /// they are added only once the uid is known. Idempotent.
    public static func apply(to job: inout JSONValue) {
        var spec = job["spec"] ?? .emptyObject
        if spec["backoffLimit"] == nil { spec["backoffLimit"] = 6 }
        if spec["completions"] == nil, spec["parallelism"] == nil { spec["completions"] = 1 }
        if spec["parallelism"] == nil { spec["parallelism"] = 1 }
        if spec["suspend"] == nil { spec["suspend"] = false }
        if spec["completionMode"] == nil { spec["completionMode"] = "NonIndexed" }
        if spec["podReplacementPolicy"] == nil { spec["podReplacementPolicy"] = "TerminatingOrFailed" }
        var template = spec["template"] ?? .emptyObject
        PodDefaults.applyToSpec(&template, defaultRestartPolicy: "Never")
        if let uid = job.uid, let name = job.name, spec["manualSelector"]?.boolValue != true {
            if spec["selector"] == nil {
                spec["selector"] = ["matchLabels": [controllerUIDLabel: .string(uid)]]
            }
            var labels = template[path: ["metadata", "labels"]]?.objectValue ?? [:]
            labels[controllerUIDLabel] = labels[controllerUIDLabel] ?? .string(uid)
            labels[legacyControllerUIDLabel] = labels[legacyControllerUIDLabel] ?? .string(uid)
            labels[jobNameLabel] = labels[jobNameLabel] ?? .string(name)
            labels[legacyJobNameLabel] = labels[legacyJobNameLabel] ?? .string(name)
            template[path: ["metadata", "labels"]] = .object(labels)
        }
        spec["template"] = template
        job["spec"] = spec
    }
}

/// API defaults of pod specs (also inside templates).
public enum PodDefaults {
    /// Defaults a pod or pod template (`{metadata, spec}`): restartPolicy, grace period, DNS
    /// policy, scheduler, and per-container termination message settings.
    public static func applyToSpec(_ podOrTemplate: inout JSONValue, defaultRestartPolicy: String = "Always") {
        var spec = podOrTemplate["spec"] ?? .emptyObject
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = .string(defaultRestartPolicy) }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        if spec["securityContext"] == nil { spec["securityContext"] = .emptyObject }
        if let containers = spec["containers"]?.arrayValue {
            spec["containers"] = .array(containers.map(defaultContainer))
        }
        podOrTemplate["spec"] = spec
    }

    static func defaultContainer(_ container: JSONValue) -> JSONValue {
        var c = container
        if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
        if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
        if c["imagePullPolicy"] == nil {
            let image = c["image"]?.stringValue ?? ""
            let tag = image.split(separator: "/").last.flatMap { $0.contains(":") ? $0.split(separator: ":").last : nil }
            c["imagePullPolicy"] = (tag == nil || tag == "latest") && !image.contains("@") ? "Always" : "IfNotPresent"
        }
        if c["resources"] == nil { c["resources"] = .emptyObject }
        if let ports = c["ports"]?.arrayValue {
            c["ports"] = .array(ports.map { p in
                var p = p
                if p["protocol"] == nil { p["protocol"] = "TCP" }
                return p
            })
        }
        return c
    }
}
