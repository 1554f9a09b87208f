import Foundation
import KubeCore

/// The part of a `batch/v1` Job the MLPipeline controller reads: metadata (owner references),
/// the containers' names and resource requests (cost) and the status. The controller's Job
/// cache holds these instead of whole Jobs: the pod template (env, command, annotations) is
/// neither decoded from every watch event nor kept in memory.
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

    /// A view of `job` (what its watch event would decode to).
    public init(_ job: Job) {
        metadata = job.metadata
        status = job.status
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
/// phase and the containers' states (the terminated state carries the step's outputs).
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

    /// A view of `pod`.
    public init(_ pod: Pod) {
        metadata = pod.metadata
        status = pod.status.map { s in
            Status(phase: s.phase, containerStatuses: s.containerStatuses?.map { ContainerStateView(name: $0.name, state: $0.state) })
        }
    }

    /// The Pod with the fields of this view.
    public var pod: Pod {
        var podStatus = status.map { PodStatus(phase: $0.phase) }
        podStatus?.containerStatuses = status?.containerStatuses?.map { ContainerStatus(name: $0.name, state: $0.state) }
        return Pod(metadata: metadata, status: podStatus)
    }
}
