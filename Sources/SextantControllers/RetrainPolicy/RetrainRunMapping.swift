import Foundation
import KubeCore
import SextantAPI

/// Builds runs from a policy's template and reads runs back for the planner.
enum RetrainRunMapping {
    /// Annotation on a created run: why it was created.
    static let triggerReasonAnnotation = "ml.sextant.dev/trigger-reason"
    /// Annotation on a created run: the trigger's detail (schedule time, annotation value).
    static let triggerDetailAnnotation = "ml.sextant.dev/trigger-detail"

    /// The MLPipeline for a planned run: the template's spec, its labels and annotations, owned by
    /// the policy and labelled with it.
    static func pipeline(for policy: RetrainPolicy, run: PlannedRun) -> MLPipeline {
        let template = policy.spec.pipeline
        var labels = template.metadata?.labels ?? [:]
        labels[SextantLabels.retrainPolicy] = policy.name
        labels[SextantLabels.managedBy] = SextantLabels.managedByValue
        var annotations = template.metadata?.annotations ?? [:]
        annotations[triggerReasonAnnotation] = run.reason
        annotations[triggerDetailAnnotation] = String(run.detail.prefix(1024))
        var spec = template.spec
        spec.cancel = nil
        if !run.pins.isEmpty {
            spec.datasets = spec.datasets?.map { dataset in
                var d = dataset
                if let version = run.pins[d.name] { d.version = version }
                return d
            }
        }
        let meta = ObjectMeta(
            name: run.name, namespace: policy.namespace, labels: labels, annotations: annotations,
            ownerReferences: [policy.ownerReference()])
        return MLPipeline(metadata: meta, spec: spec)
    }

    /// The planner's view of a run.
    static func run(_ p: MLPipeline) -> RetrainRun {
        RetrainRun(
            name: p.name, uid: p.uid, phase: p.status?.phase,
            created: p.metadata.creationTimestamp.flatMap(KubeTime.parse) ?? .distantPast,
            finished: p.status?.finishedAt.flatMap(KubeTime.parse),
            cancelRequested: p.spec.cancel == true)
    }
}

/// Checks the controller repeats even when the CRD schema already enforced them.
enum RetrainPolicyValidation {
    /// (reason, message) of every problem, most important first.
    static func problems(_ spec: RetrainPolicySpec) -> [(String, String)] {
        var out: [(String, String)] = []
        if let c = spec.concurrencyPolicy, !ConcurrencyPolicy.all.contains(c) {
            out.append(("InvalidSpec", "spec.concurrencyPolicy \"\(c)\" is not one of Allow, Forbid, Replace"))
        }
        for (field, value) in [("minIntervalSeconds", spec.minIntervalSeconds), ("startingDeadlineSeconds", spec.startingDeadlineSeconds)] {
            if let v = value, v < 0 { out.append(("InvalidSpec", "spec.\(field) must not be negative")) }
        }
        for (field, value) in [("successfulRunsHistoryLimit", spec.successfulRunsHistoryLimit), ("failedRunsHistoryLimit", spec.failedRunsHistoryLimit)] {
            if let v = value, v < 0 { out.append(("InvalidSpec", "spec.\(field) must not be negative")) }
        }
        if let data = spec.triggers?.dataChange {
            if let f = data.format, !DataChangeFormat.all.contains(f) {
                out.append(("InvalidTrigger", "spec.triggers.dataChange.format \"\(f)\" is not one of \(DataChangeFormat.all.joined(separator: ", "))"))
            }
            let names = (spec.pipeline.spec.datasets ?? []).map(\.name)
            if !names.contains(data.dataset) {
                out.append(("InvalidTrigger", "spec.triggers.dataChange.dataset \"\(data.dataset)\" is not a dataset of the pipeline template (\(names.joined(separator: ", ")))"))
            }
        }
        if let metric = spec.triggers?.metric {
            if let problem = MetricSourceFactory.specProblem(metric) {
                out.append(("InvalidTrigger", problem))
            }
        }
        return out
    }

    /// The Ready message of a valid policy.
    static func readyMessage(_ spec: RetrainPolicySpec, next: Date?) -> String {
        var parts: [String] = []
        if let n = next {
            parts.append("next scheduled run at \(KubeTime.format(n))")
        } else {
            parts.append("no schedule; runs on manual triggers (annotation \(RetrainPlanner.triggerAnnotation))")
        }
        if let data = spec.triggers?.dataChange {
            parts.append("watching dataset \(data.dataset) for new versions every \(data.pollIntervalSeconds ?? 600)s")
        }
        if let metric = spec.triggers?.metric {
            parts.append("watching a metric every \(metric.pollIntervalSeconds ?? 300)s")
        }
        return parts.joined(separator: "; ")
    }
}
