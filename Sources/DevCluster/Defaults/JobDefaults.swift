import Foundation
import KubeCore

/// The API defaults of `batch/v1` Jobs: `SetDefaults_Job` of kube-apiserver 1.32 plus the Job
/// registry strategy's generated selector and labels (PrepareForCreate).
enum JobDefaults {
    /// Label keys a Job's pods carry.
    static let jobNameLabel = "batch.kubernetes.io/job-name"
    static let legacyJobNameLabel = "job-name"
    static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"
    static let legacyControllerUIDLabel = "controller-uid"

    /// Fills in the defaults of a Job. The selector and template labels need `metadata.uid`;
    /// they are added only once the uid is known (the store assigns it before defaulting). Idempotent.
    static func apply(to job: inout JSONValue) {
        var spec = job["spec"] ?? .emptyObject
        if spec["completions"] == nil, spec["parallelism"] == nil { spec["completions"] = 1 }
        if spec["parallelism"] == nil { spec["parallelism"] = 1 }
        if spec["backoffLimit"] == nil {
            // With backoffLimitPerIndex the global limit is effectively unlimited (MaxInt32).
            spec["backoffLimit"] = spec["backoffLimitPerIndex"] == nil ? 6 : .int(Int64(Int32.max))
        }
        if spec["completionMode"] == nil { spec["completionMode"] = "NonIndexed" }
        if spec["suspend"] == nil { spec["suspend"] = false }
        if spec["podReplacementPolicy"] == nil {
            spec["podReplacementPolicy"] = spec["podFailurePolicy"] == nil ? "TerminatingOrFailed" : "Failed"
        }
        // manualSelector stays absent unless the user set it (1.32 does not default it).
        var template = spec["template"] ?? .emptyObject
        // A Job's pods must not restart in place forever: `Never` when unset. (Kubernetes
        // rejects a Job template without restartPolicy; the dev cluster is lenient.)
        if template[path: ["spec", "restartPolicy"]] == nil { template[path: ["spec", "restartPolicy"]] = "Never" }
        PodDefaults.applyToTemplate(&template)
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
        // A Job without labels takes its template's labels (as a real server shows them).
        if (job[path: ["metadata", "labels"]]?.objectValue ?? [:]).isEmpty,
           let labels = template[path: ["metadata", "labels"]], !(labels.objectValue ?? [:]).isEmpty {
            job[path: ["metadata", "labels"]] = labels
        }
    }
}
