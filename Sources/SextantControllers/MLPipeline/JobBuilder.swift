import Foundation
import KubeCore
import SextantAPI

/// The Job of one attempt of a container step, exactly as docs/api.md describes it.
public enum JobBuilder {
    /// Default `terminationMessagePath`.
    public static let defaultOutputsPath = "/dev/termination-log"

    /// The Job for `attempt` of the resolved container step of `pipeline`.
    public static func desiredJob(for pipeline: MLPipeline, step resolved: ResolvedStep, attempt: Int) -> Job? {
        guard let c = resolved.container else { return nil }
        let step = resolved.step
        let pipelineName = pipeline.metadata.name ?? ""
        let name = DerivedName.job(pipeline: pipelineName, step: step.name, attempt: attempt)
        var labels: [String: String] = [
            SextantLabels.managedBy: SextantLabels.managedByValue,
            SextantLabels.pipeline: DerivedName.labelValue(pipelineName),
            SextantLabels.step: step.name,
            SextantLabels.attempt: String(attempt),
        ]
        if let model = pipeline.spec.register?.model { labels[SextantLabels.model] = model }
        if let policy = pipeline.metadata.labels?[SextantLabels.retrainPolicy] { labels[SextantLabels.retrainPolicy] = policy }
        let outputsPath = c.terminationMessagePath ?? defaultOutputsPath
        let env = (c.env ?? []) + [
            EnvVar(name: "SEXTANT_PIPELINE", value: pipelineName),
            EnvVar(name: "SEXTANT_STEP", value: step.name),
            EnvVar(name: "SEXTANT_ATTEMPT", value: String(attempt)),
            EnvVar(name: "SEXTANT_OUTPUTS_PATH", value: outputsPath),
        ] + TrackingPlanner.stepEnvironment(pipeline, step: step.name).map { EnvVar(name: $0.name, value: $0.value) }
        var container = Container(name: "step", image: c.image, command: c.command, args: c.args, env: env, resources: c.resources)
        container.workingDir = c.workingDir
        container.imagePullPolicy = c.imagePullPolicy
        container.terminationMessagePath = outputsPath
        container.terminationMessagePolicy = "FallbackToLogsOnError"

        var podSpec = PodSpec(containers: [container], restartPolicy: "Never", serviceAccountName: pipeline.spec.podDefaults?.serviceAccountName)
        podSpec.nodeSelector = pipeline.spec.podDefaults?.nodeSelector
        podSpec.tolerations = pipeline.spec.podDefaults?.tolerations
        podSpec.imagePullSecrets = pipeline.spec.podDefaults?.imagePullSecrets
        // User pod labels first, ours win: selectors and ownership must not be overridable.
        let podLabels = (c.podMetadata?.labels ?? [:]).merging(labels) { _, ours in ours }
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: podLabels, annotations: c.podMetadata?.annotations),
            spec: podSpec)
        let spec = JobSpec(template: template, backoffLimit: 0, activeDeadlineSeconds: step.timeoutSeconds)
        let owner = OwnerReference(
            apiVersion: SextantGroup.apiVersion, kind: MLPipeline.kind, name: pipelineName,
            uid: pipeline.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        return Job(
            metadata: ObjectMeta(name: name, namespace: pipeline.metadata.namespace, labels: labels, ownerReferences: [owner]),
            spec: spec)
    }
}
