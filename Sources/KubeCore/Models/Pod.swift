import Foundation

/// `v1` Pod (spec and status subset the operator reads and writes).
public struct Pod: HasStatus, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Pod"
    public static let plural = "pods"
    public static let namespaced = true

    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta, spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `v1.PodTemplateSpec`: the pod a Job or Deployment creates.
public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `v1.PodSpec` subset.
public struct PodSpec: Codable, Sendable, Hashable {
    public var containers: [Container]
    public var initContainers: [Container]?
    /// `Always`, `OnFailure` or `Never`.
    public var restartPolicy: String?
    public var serviceAccountName: String?
    public var nodeName: String?
    public var nodeSelector: [String: String]?
    public var activeDeadlineSeconds: Int64?
    public var terminationGracePeriodSeconds: Int64?
    public var volumes: [JSONValue]?
    public var tolerations: [JSONValue]?
    public var affinity: JSONValue?
    public var imagePullSecrets: [JSONValue]?
    public var securityContext: JSONValue?
    /// `TopologySpreadConstraint`s as JSON.
    public var topologySpreadConstraints: [JSONValue]?

    public init(containers: [Container], restartPolicy: String? = nil, serviceAccountName: String? = nil) {
        self.containers = containers
        self.restartPolicy = restartPolicy
        self.serviceAccountName = serviceAccountName
    }
}

/// `v1.Container` subset.
public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var env: [EnvVar]?
    public var envFrom: [JSONValue]?
    public var resources: ResourceRequirements?
    public var ports: [ContainerPort]?
    public var volumeMounts: [JSONValue]?
    /// `Always`, `IfNotPresent` or `Never`.
    public var imagePullPolicy: String?
    /// Where the container writes its termination message (default `/dev/termination-log`).
    public var terminationMessagePath: String?
    /// `File` or `FallbackToLogsOnError`.
    public var terminationMessagePolicy: String?
    public var readinessProbe: JSONValue?
    public var livenessProbe: JSONValue?
    public var securityContext: JSONValue?

    public init(
        name: String, image: String? = nil, command: [String]? = nil, args: [String]? = nil,
        env: [EnvVar]? = nil, resources: ResourceRequirements? = nil, ports: [ContainerPort]? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.resources = resources
        self.ports = ports
    }
}

/// `v1.EnvVar`.
public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    /// `valueFrom` (secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef) kept as JSON.
    public var valueFrom: JSONValue?

    public init(name: String, value: String? = nil, valueFrom: JSONValue? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// `v1.ResourceRequirements`: quantities as their canonical strings (`500m`, `2Gi`).
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var requests: [String: Quantity]?
    public var limits: [String: Quantity]?

    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// `v1.ContainerPort`.
public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var containerPort: Int32
    public var `protocol`: String?

    public init(name: String? = nil, containerPort: Int32, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// `v1.PodStatus` subset.
public struct PodStatus: Codable, Sendable, Hashable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var podIP: String?
    public var startTime: String?
    public var containerStatuses: [ContainerStatus]?
    public var initContainerStatuses: [ContainerStatus]?

    public init(phase: String? = nil) { self.phase = phase }
}


/// `v1.ContainerStatus`.
public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var ready: Bool?
    public var started: Bool?
    public var restartCount: Int32?
    public var image: String?
    public var imageID: String?
    public var containerID: String?
    public var state: ContainerState?
    public var lastState: ContainerState?

    public init(name: String, state: ContainerState? = nil) {
        self.name = name
        self.state = state
    }
}

/// `v1.ContainerState`: at most one of the three is set.
public struct ContainerState: Codable, Sendable, Hashable {
    public var waiting: Waiting?
    public var running: Running?
    public var terminated: Terminated?

    public init(waiting: Waiting? = nil, running: Running? = nil, terminated: Terminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }

    public struct Waiting: Codable, Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public init(reason: String? = nil, message: String? = nil) {
            self.reason = reason
            self.message = message
        }
    }

    public struct Running: Codable, Sendable, Hashable {
        public var startedAt: String?
        public init(startedAt: String? = nil) { self.startedAt = startedAt }
    }

    /// A finished container: `message` is the termination message (the step's outputs).
    public struct Terminated: Codable, Sendable, Hashable {
        public var exitCode: Int32
        public var signal: Int32?
        public var reason: String?
        public var message: String?
        public var startedAt: String?
        public var finishedAt: String?
        public var containerID: String?

        public init(exitCode: Int32, reason: String? = nil, message: String? = nil, startedAt: String? = nil, finishedAt: String? = nil) {
            self.exitCode = exitCode
            self.reason = reason
            self.message = message
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }
}
