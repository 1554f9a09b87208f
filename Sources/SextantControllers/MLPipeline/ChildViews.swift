import Foundation
import KubeCore
import SextantAPI

/// The part of a `batch/v1` Job the MLPipeline controller reads: metadata (owner references),
/// the containers' names and resource requests (cost) and the status. The controller's Job
/// cache holds these instead of whole Jobs: the pod template (env, command, annotations) is
/// neither decoded from every watch event nor kept in memory. Metadata and status are trimmed
/// as `ChildViewTrim` says (what the controller never reads is not kept).
public struct JobView: HasStatus, Hashable {
    public static let group = Job.group
    public static let version = Job.version
    public static let kind = Job.kind
    public static let plural = Job.plural
    public static let namespaced = Job.namespaced

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: JobStatus?

    /// `spec.template.spec.containers[].{name, resources}`.
    public struct Spec: Codable, Sendable, Hashable {
        public var template: Template?
    }

    /// `spec.template` with only `spec.containers`.
    public struct Template: Codable, Sendable, Hashable {
        public var spec: PodSpecResources?
    }

    /// `spec.template.spec` with only the containers' names and resources.
    public struct PodSpecResources: Codable, Sendable, Hashable {
        public var containers: [ContainerResources]?
    }

    /// A container's name and resources.
    public struct ContainerResources: Codable, Sendable, Hashable {
        public var name: String
        public var resources: ResourceRequirements?
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = ChildViewTrim.metadata(try c.decode(ObjectMeta.self, forKey: .metadata))
        spec = try c.decodeIfPresent(Spec.self, forKey: .spec)
        status = try c.decodeIfPresent(JobStatus.self, forKey: .status).map(ChildViewTrim.status)
    }

    /// A view of `job` (what its watch event would decode to).
    public init(_ job: Job) {
        metadata = ChildViewTrim.metadata(job.metadata)
        status = job.status.map(ChildViewTrim.status)
        let containers = job.spec?.template.spec?.containers.map { ContainerResources(name: $0.name, resources: $0.resources) }
        spec = job.spec.map { _ in Spec(template: Template(spec: PodSpecResources(containers: containers))) }
    }

    /// The Job with the fields of this view (what `JobObservation` reads).
    public var job: Job {
        let containers = (spec?.template?.spec?.containers ?? []).map { Container(name: $0.name, resources: $0.resources) }
        return Job(metadata: metadata, spec: spec.map { _ in JobSpec(template: PodTemplateSpec(spec: PodSpec(containers: containers))) },
                   status: status)
    }
}

/// The part of a Pod the MLPipeline controller reads: metadata (owner references, labels), the
/// phase and the containers' states (the terminated state carries the step's outputs), trimmed
/// as `ChildViewTrim` says.
public struct PodView: HasStatus, Hashable {
    public static let group = Pod.group
    public static let version = Pod.version
    public static let kind = Pod.kind
    public static let plural = Pod.plural
    public static let namespaced = Pod.namespaced

    public var metadata: ObjectMeta
    public var status: Status?

    /// `status.phase` and `status.containerStatuses[].{name, state}`.
    public struct Status: Codable, Sendable, Hashable {
        public var phase: String?
        public var containerStatuses: [ContainerStateView]?
    }

    /// A container's name and state.
    public struct ContainerStateView: Codable, Sendable, Hashable {
        public var name: String
        public var state: ContainerState?
    }

    enum CodingKeys: String, CodingKey { case metadata, status }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = ChildViewTrim.metadata(try c.decode(ObjectMeta.self, forKey: .metadata))
        status = try c.decodeIfPresent(Status.self, forKey: .status).map(ChildViewTrim.status)
    }

    /// A view of `pod`.
    public init(_ pod: Pod) {
        metadata = ChildViewTrim.metadata(pod.metadata)
        status = pod.status.map { s in
            ChildViewTrim.status(Status(phase: s.phase, containerStatuses: s.containerStatuses?.map { ContainerStateView(name: $0.name, state: $0.state) }))
        }
    }

    /// The Pod with the fields of this view.
    public var pod: Pod {
        var podStatus = status.map { PodStatus(phase: $0.phase) }
        podStatus?.containerStatuses = status?.containerStatuses?.map { ContainerStatus(name: $0.name, state: $0.state) }
        return Pod(metadata: metadata, status: podStatus)
    }
}

/// What the child views keep, so that tens of thousands of cached Jobs and pods cost little:
/// - metadata: name, namespace, uid, resourceVersion, generation, deletion fields, finalizers,
///   ownerReferences (the owner index, `controllerReference`), and only the labels under
///   `ml.sextant.dev/` (the pod watch maps a pod to its run by `SextantLabels.pipeline`). Not
///   kept: the other labels (`batch.kubernetes.io/*`, `controller-uid`, `job-name`, managed-by:
///   the watches select on them server-side), annotations, generateName, creationTimestamp,
///   managedFields. Known label keys and owner apiVersions/kinds are stored as the shared
///   constants, not as one heap copy per object.
/// - a Job's status: every field but the conditions other than `Complete` and `Failed`
///   (`Job.finishedCondition` reads only those).
/// - a pod's terminated container state: exit code, signal, reason and message (the step's
///   outputs); not its start/finish times or container id (the Job's status has the times).
enum ChildViewTrim {
    /// The label keys of `SextantLabels` by themselves: a decoded key is replaced by the constant.
    static let labelKeys: [String: String] = Dictionary(
        uniqueKeysWithValues: [SextantLabels.pipeline, SextantLabels.step, SextantLabels.attempt, SextantLabels.model,
                               SextantLabels.modelVersion, SextantLabels.retrainPolicy].map { ($0, $0) })
    /// The owner reference strings the controller's children carry.
    static let ownerStrings: [String: String] = Dictionary(
        uniqueKeysWithValues: [SextantGroup.apiVersion, "MLPipeline", "batch/v1", "Job"].map { ($0, $0) })
    static let labelPrefix = "ml.sextant.dev/"

    static func metadata(_ m: ObjectMeta) -> ObjectMeta {
        var kept: [(String, String)] = []
        for (key, value) in m.labels ?? [:] {
            if let constant = labelKeys[key] {
                kept.append((constant, value))
            } else if key.hasPrefix(labelPrefix) {
                kept.append((key, value))
            }
        }
        var t = ObjectMeta(name: m.name, namespace: m.namespace,
                           labels: kept.isEmpty ? nil : Dictionary(kept, uniquingKeysWith: { a, _ in a }),
                           ownerReferences: m.ownerReferences?.map(ownerReference), finalizers: m.finalizers)
        t.uid = m.uid
        t.resourceVersion = m.resourceVersion
        t.generation = m.generation
        t.deletionTimestamp = m.deletionTimestamp
        t.deletionGracePeriodSeconds = m.deletionGracePeriodSeconds
        return t
    }

    static func ownerReference(_ ref: OwnerReference) -> OwnerReference {
        var r = ref
        r.apiVersion = ownerStrings[ref.apiVersion] ?? ref.apiVersion
        r.kind = ownerStrings[ref.kind] ?? ref.kind
        return r
    }

    static func status(_ s: JobStatus) -> JobStatus {
        var t = s
        t.conditions = s.conditions?.filter { $0.type == "Complete" || $0.type == "Failed" }
        return t
    }

    static func status(_ s: PodView.Status) -> PodView.Status {
        var t = s
        t.containerStatuses = s.containerStatuses?.map { c in
            var c = c
            if let ended = c.state?.terminated {
                var kept = ContainerState.Terminated(exitCode: ended.exitCode, reason: ended.reason, message: ended.message)
                kept.signal = ended.signal
                c.state?.terminated = kept
            }
            return c
        }
        return t
    }
}
