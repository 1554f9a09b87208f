import Foundation
import KubeCore
import SextantAPI

/// Turns one status transition of a run into OpenLineage RunEvents (pure: no I/O).
///
/// Events come from what changed between the status a reconcile read and the status it wrote:
/// - the run: START when it leaves Pending, COMPLETE / FAIL / ABORT when it reaches Succeeded /
///   Failed / Cancelled (a run that fails before starting gets START and FAIL together);
/// - each attempt of each step: START when the attempt appears, COMPLETE / FAIL / ABORT when it
///   reaches Succeeded / Failed / Cancelled; a step reused from the cache gets START and COMPLETE
///   once, when it becomes Succeeded.
/// A status that does not change makes no event, so a restarted controller, whose first pass reads
/// what the last one wrote, emits nothing again for what was already reported.
public struct OpenLineageEventBuilder: Sendable {
    /// OpenLineage namespace of the jobs (`OPENLINEAGE_NAMESPACE`, default `sextant`).
    public var namespace: String
    /// The `producer` URI.
    public var producer: String

    /// The producer URI Sextant reports.
    public static let defaultProducer = "https://github.com/sextant-ml/sextant"
    static let parentSchema = "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet"
    static let versionSchema = "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet"
    static let jobTypeSchema = "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"
    static let errorSchema = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet"

    /// A builder.
    public init(namespace: String = "sextant", producer: String = OpenLineageEventBuilder.defaultProducer) {
        self.namespace = namespace
        self.producer = producer
    }

    /// The events of the transition `previous` → `current` of `pipeline`, in the order they
    /// happened: the run's START, then the steps' events in spec order, then the run's end.
    public func events(pipeline: MLPipeline, previous: MLPipelineStatus?, current: MLPipelineStatus, now: Date) -> [OpenLineageRunEvent] {
        let uid = pipeline.metadata.uid ?? ""
        guard !uid.isEmpty else { return [] }
        let runJob = jobName(pipeline)
        let runID = OpenLineageIDs.pipelineRun(uid: uid)
        let nowText = KubeTime.format(now)
        let datasets = pipeline.spec.datasets ?? []
        var out: [OpenLineageRunEvent] = []

        let wasStarted = Self.isStarted(previous?.phase)
        let isStarted = Self.isStarted(current.phase)
        if isStarted && !wasStarted {
            out.append(event(.start, time: current.startedAt ?? nowText, runID: runID, job: runJob, jobType: "PIPELINE",
                             inputs: datasets.map(dataset)))
        }

        let previousSteps = Dictionary((previous?.steps ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let outputs = Dictionary((current.steps ?? []).map { ($0.name, $0.outputs) }, uniquingKeysWith: { a, _ in a })
        for step in pipeline.spec.steps {
            guard let now = current.steps?.first(where: { $0.name == step.name }) else { continue }
            let before = previousSteps[step.name]
            out += stepEvents(step, now, before: before, pipeline: pipeline, uid: uid, parent: (runID, runJob),
                              inputs: inputs(of: step, datasets: datasets, outputs: outputs), nowText: nowText)
        }

        if let end = Self.endEvent(runPhase: current.phase), Self.endEvent(runPhase: previous?.phase) == nil {
            let ended = current.finishedAt ?? nowText
            let made = (current.steps ?? []).flatMap { artifacts($0.outputs) }
            let message = end == .complete ? nil : current.conditions?.first(where: { $0.type == "Succeeded" })?.message
            out.append(event(end, time: ended, runID: runID, job: runJob, jobType: "PIPELINE", inputs: datasets.map(dataset),
                             outputs: end == .complete ? made : [], error: message))
        }
        return out
    }

    /// `<k8s namespace>.<pipeline>`.
    public func jobName(_ pipeline: MLPipeline) -> String {
        "\(pipeline.metadata.namespace ?? "default").\(pipeline.metadata.name ?? "")"
    }

    private func stepEvents(_ step: PipelineStep, _ now: StepStatus, before: StepStatus?, pipeline: MLPipeline, uid: String,
                            parent: (runID: String, job: String), inputs: [OpenLineageRunEvent.DatasetRef], nowText: String) -> [OpenLineageRunEvent] {
        let job = "\(parent.job).\(step.name)"
        let parentFacet = parentFacet(runID: parent.runID, job: parent.job)
        var out: [OpenLineageRunEvent] = []
        if now.cached == true, now.phase == StepPhase.succeeded, before?.phase != StepPhase.succeeded {
            let runID = OpenLineageIDs.cachedStepRun(uid: uid, step: step.name)
            out.append(event(.start, time: nowText, runID: runID, job: job, jobType: "STEP", parent: parentFacet, inputs: inputs))
            out.append(event(.complete, time: nowText, runID: runID, job: job, jobType: "STEP", parent: parentFacet,
                             inputs: inputs, outputs: artifacts(now.outputs)))
            return out
        }
        let previousAttempts = Dictionary((before?.attempts ?? []).map { ($0.attempt, $0) }, uniquingKeysWith: { a, _ in a })
        for attempt in now.attempts ?? [] {
            let runID = OpenLineageIDs.stepRun(uid: uid, step: step.name, attempt: attempt.attempt)
            let old = previousAttempts[attempt.attempt]
            if old == nil {
                out.append(event(.start, time: attempt.startedAt ?? attempt.finishedAt ?? nowText, runID: runID, job: job, jobType: "STEP",
                                 parent: parentFacet, inputs: inputs))
            }
            guard let end = Self.endEvent(attemptPhase: attempt.phase), Self.endEvent(attemptPhase: old?.phase) == nil else { continue }
            // The outputs of a step are those of its successful (last) attempt.
            let made = end == .complete ? artifacts(now.outputs) : []
            let error = end == .complete ? nil : [attempt.reason, attempt.message].compactMap { $0 }.joined(separator: ": ")
            out.append(event(end, time: attempt.finishedAt ?? nowText, runID: runID, job: job, jobType: "STEP", parent: parentFacet,
                             inputs: inputs, outputs: made, error: error))
        }
        return out
    }

    /// The datasets a step reads (the ones its templates name) and the upstream artifacts it reads
    /// (`{{steps.X.outputs.artifacts.Y}}`, with the URI that step reported).
    func inputs(of step: PipelineStep, datasets: [Dataset], outputs: [String: OutputValues?]) -> [OpenLineageRunEvent.DatasetRef] {
        var refs: [OpenLineageRunEvent.DatasetRef] = []
        var seen = Set<String>()
        for ref in Self.references(of: step) {
            var next: OpenLineageRunEvent.DatasetRef?
            switch ref {
            case .datasetURI(let n), .datasetVersion(let n):
                next = datasets.first(where: { $0.name == n }).map(dataset)
            case .artifact(let s, let n):
                next = (outputs[s] ?? nil)?.artifacts?[n].map { uri in
                    let (ns, name) = OpenLineageIDs.datasetName(uri: uri)
                    return OpenLineageRunEvent.DatasetRef(namespace: ns, name: name)
                }
            default:
                next = nil
            }
            if let next, seen.insert("\(next.namespace)|\(next.name)").inserted { refs.append(next) }
        }
        return refs
    }

    /// Every template reference in the step's definition (container or cloud block), in text order.
    static func references(of step: PipelineStep) -> [TemplateReference] {
        var unnamed = step
        unnamed.name = ""
        unnamed.dependsOn = nil
        guard let json = try? JSONValue(encoding: unnamed) else { return [] }
        var refs: [TemplateReference] = []
        func walk(_ v: JSONValue) {
            switch v {
            case .string(let s): refs += (try? Templates.references(in: s)) ?? []
            case .array(let a): a.forEach(walk)
            case .object(let o): o.keys.sorted().forEach { key in o[key].map(walk) }
            default: break
            }
        }
        walk(json)
        return refs
    }

    private func dataset(_ d: Dataset) -> OpenLineageRunEvent.DatasetRef {
        let (ns, name) = OpenLineageIDs.datasetName(uri: d.uri)
        var facets: [String: JSONValue]?
        if let version = d.version, !version.isEmpty {
            facets = ["version": ["_producer": .string(producer), "_schemaURL": .string(Self.versionSchema), "datasetVersion": .string(version)]]
        }
        return OpenLineageRunEvent.DatasetRef(namespace: ns, name: name, facets: facets)
    }

    private func artifacts(_ outputs: OutputValues?) -> [OpenLineageRunEvent.DatasetRef] {
        (outputs?.artifacts ?? [:]).sorted { $0.key < $1.key }.map { _, uri in
            let (ns, name) = OpenLineageIDs.datasetName(uri: uri)
            return OpenLineageRunEvent.DatasetRef(namespace: ns, name: name)
        }
    }

    private func parentFacet(runID: String, job: String) -> JSONValue {
        let run: JSONValue = ["runId": .string(runID)]
        let jobRef: JSONValue = ["namespace": .string(namespace), "name": .string(job)]
        return ["_producer": .string(producer), "_schemaURL": .string(Self.parentSchema), "run": run, "job": jobRef,
                "root": ["run": run, "job": jobRef]]
    }

    private func event(_ type: OpenLineageRunEvent.EventType, time: String, runID: String, job: String, jobType: String,
                       parent: JSONValue? = nil, inputs: [OpenLineageRunEvent.DatasetRef], outputs: [OpenLineageRunEvent.DatasetRef] = [],
                       error: String? = nil) -> OpenLineageRunEvent {
        var runFacets: [String: JSONValue] = [:]
        if let parent { runFacets["parent"] = parent }
        if let error, !error.isEmpty {
            runFacets["errorMessage"] = ["_producer": .string(producer), "_schemaURL": .string(Self.errorSchema),
                                         "message": .string(error), "programmingLanguage": "unknown"]
        }
        let jobFacets: [String: JSONValue] = ["jobType": [
            "_producer": .string(producer), "_schemaURL": .string(Self.jobTypeSchema),
            "processingType": "BATCH", "integration": "SEXTANT", "jobType": .string(jobType),
        ]]
        return OpenLineageRunEvent(
            eventTime: time, producer: producer, eventType: type,
            run: .init(runId: runID, facets: runFacets.isEmpty ? nil : runFacets),
            job: .init(namespace: namespace, name: job, facets: jobFacets), inputs: inputs, outputs: outputs)
    }

    static func isStarted(_ phase: String?) -> Bool {
        guard let phase else { return false }
        return phase != PipelinePhase.pending
    }

    static func endEvent(runPhase phase: String?) -> OpenLineageRunEvent.EventType? {
        switch phase {
        case PipelinePhase.succeeded: return .complete
        case PipelinePhase.failed: return .fail
        case PipelinePhase.cancelled: return .abort
        default: return nil
        }
    }

    static func endEvent(attemptPhase phase: String?) -> OpenLineageRunEvent.EventType? {
        switch phase {
        case StepPhase.succeeded: return .complete
        case StepPhase.failed: return .fail
        case StepPhase.cancelled, StepPhase.skipped: return .abort
        default: return nil
        }
    }
}
