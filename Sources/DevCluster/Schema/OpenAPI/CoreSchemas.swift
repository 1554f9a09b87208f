import KubeCore

/// Schemas of core/v1 kinds (pods and their PodSpec, services, namespaces, configmaps, secrets,
/// serviceaccounts, events).
enum CoreSchemas {
    private static func meta(_ path: String) -> PatchMeta? { BuiltinPatchMeta.podSpec[path] }

    static let definitions: [String: JSONValue] = [
        S.podSpec: S.object("PodSpec is a description of a pod.", required: ["containers"], [
            "containers": S.list(S.ref(S.container), "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.", meta: meta("containers")),
            "initContainers": S.list(S.ref(S.container), "List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started.", meta: meta("initContainers")),
            "volumes": S.list(S.free("Volume represents a named volume in a pod that may be accessed by any container in the pod."), "List of volumes that can be mounted by containers belonging to the pod.", meta: meta("volumes")),
            "restartPolicy": S.string("Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always."),
            "serviceAccountName": S.string("ServiceAccountName is the name of the ServiceAccount to use to run this pod."),
            "nodeName": S.string("NodeName indicates in which node this pod is scheduled."),
            "nodeSelector": S.stringMap("NodeSelector is a selector which must be true for the pod to fit on a node."),
            "terminationGracePeriodSeconds": S.int("Optional duration in seconds the pod needs to terminate gracefully.", format: "int64"),
            "activeDeadlineSeconds": S.int("Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.", format: "int64"),
            "imagePullSecrets": S.list(S.free("LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace."), "ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.", meta: meta("imagePullSecrets")),
            "tolerations": S.list(S.free("The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>."), "If specified, the pod's tolerations."),
            "affinity": S.free("If specified, the pod's scheduling constraints"),
            "securityContext": S.free("SecurityContext holds pod-level security attributes and common container settings."),
        ]),
        S.container: S.object("A single application container that you want to run within a pod.", required: ["name"], [
            "name": S.string("Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated."),
            "image": S.string("Container image name. More info: https://kubernetes.io/docs/concepts/containers/images"),
            "command": S.list(S.string(""), "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided."),
            "args": S.list(S.string(""), "Arguments to the entrypoint. The container image's CMD is used if this is not provided."),
            "workingDir": S.string("Container's working directory."),
            "env": S.list(S.object("EnvVar represents an environment variable present in a Container.", required: ["name"], [
                "name": S.string("Name of the environment variable. Must be a C_IDENTIFIER."),
                "value": S.string("Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables."),
                "valueFrom": S.free("Source for the environment variable's value. Cannot be used if value is not empty."),
            ]), "List of environment variables to set in the container. Cannot be updated.", meta: meta("containers.env")),
            "envFrom": S.list(S.free("EnvFromSource represents the source of a set of ConfigMaps or Secrets"), "List of sources to populate environment variables in the container."),
            "ports": S.list(S.object("ContainerPort represents a network port in a single container.", required: ["containerPort"], [
                "containerPort": S.int("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."),
                "name": S.string("If specified, this must be an IANA_SVC_NAME and unique within the pod."),
                "protocol": S.string("Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\"."),
                "hostPort": S.int("Number of port to expose on the host."),
            ]), "List of ports to expose from the container.", meta: meta("containers.ports")),
            "volumeMounts": S.list(S.object("VolumeMount describes a mounting of a Volume within a container.", required: ["name", "mountPath"], [
                "name": S.string("This must match the Name of a Volume."),
                "mountPath": S.string("Path within the container at which the volume should be mounted. Must not contain ':'."),
                "readOnly": S.bool("Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false."),
                "subPath": S.string("Path within the volume from which the container's volume should be mounted."),
            ]), "Pod volumes to mount into the container's filesystem. Cannot be updated.", meta: meta("containers.volumeMounts")),
            "resources": S.object("ResourceRequirements describes the compute resource requirements.", [
                "limits": ["type": "object", "additionalProperties": S.intOrString("Quantity"), "description": "Limits describes the maximum amount of compute resources allowed."],
                "requests": ["type": "object", "additionalProperties": S.intOrString("Quantity"), "description": "Requests describes the minimum amount of compute resources required."],
            ]),
            "imagePullPolicy": S.string("Image pull policy. One of Always, Never, IfNotPresent."),
            "livenessProbe": S.free("Periodic probe of container liveness."),
            "readinessProbe": S.free("Periodic probe of container service readiness."),
            "securityContext": S.free("SecurityContext defines the security options the container should be run with."),
        ]),
        S.podTemplateSpec: S.object("PodTemplateSpec describes the data a pod should have when created from a template", [
            "metadata": S.ref(S.objectMeta, "Standard object's metadata."),
            "spec": S.ref(S.podSpec, "Specification of the desired behavior of the pod."),
        ]),
        "io.k8s.api.core.v1.Pod": S.kind("", "v1", "Pod", "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.", [
            "spec": S.ref(S.podSpec, "Specification of the desired behavior of the pod."),
            "status": S.object("PodStatus represents information about the status of a pod. Status may trail the actual state of a system.", [
                "phase": S.string("The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown."),
                "conditions": S.list(S.free("PodCondition contains details for the current condition of this pod."), "Current service state of pod.", meta: BuiltinPatchMeta.common["status.conditions"]),
                "podIP": S.string("podIP address allocated to the pod."),
                "startTime": S.ref(S.time, "RFC 3339 date and time at which the object was acknowledged by the Kubelet."),
                "containerStatuses": S.list(S.free("ContainerStatus contains details for the current status of this container."), "The list has one entry per container in the manifest."),
                "message": S.string("A human readable message indicating details about why the pod is in this condition."),
                "reason": S.string("A brief CamelCase message indicating details about why the pod is in this state."),
            ]),
        ]),
        "io.k8s.api.core.v1.Service": S.kind("", "v1", "Service", "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", [
            "spec": S.object("ServiceSpec describes the attributes that a user creates on a service.", [
                "type": S.string("type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
                "selector": S.stringMap("Route service traffic to pods with label keys and values matching this selector."),
                "clusterIP": S.string("clusterIP is the IP address of the service and is usually assigned randomly."),
                "ports": S.list(S.object("ServicePort contains information on service's port.", required: ["port"], [
                    "name": S.string("The name of this port within the service. This must be a DNS_LABEL."),
                    "port": S.int("The port that will be exposed by this service."),
                    "targetPort": S.intOrString("Number or name of the port to access on the pods targeted by the service."),
                    "protocol": S.string("The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP."),
                    "nodePort": S.int("The port on each node on which this service is exposed when type is NodePort or LoadBalancer."),
                ]), "The list of ports that are exposed by this service.", meta: BuiltinPatchMeta.specific["services"]?["spec.ports"]),
            ]),
            "status": S.free("Most recently observed status of the service."),
        ]),
        "io.k8s.api.core.v1.Namespace": S.kind("", "v1", "Namespace", "Namespace provides a scope for Names. Use of multiple namespaces is optional.", [
            "spec": S.object("NamespaceSpec describes the attributes on a Namespace.", ["finalizers": S.list(S.string(""), "Finalizers is an opaque list of values that must be empty to permanently remove object from storage.")]),
            "status": S.object("NamespaceStatus is information about the current status of a Namespace.", ["phase": S.string("Phase is the current lifecycle phase of the namespace: Active or Terminating.")]),
        ]),
        "io.k8s.api.core.v1.ConfigMap": S.kind("", "v1", "ConfigMap", "ConfigMap holds configuration data for pods to consume.", [
            "data": S.stringMap("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
            "binaryData": S.stringMap("BinaryData contains the binary data (base64)."),
            "immutable": S.bool("Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated."),
        ]),
        "io.k8s.api.core.v1.Secret": S.kind("", "v1", "Secret", "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.", [
            "data": S.stringMap("Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string."),
            "stringData": S.stringMap("stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience."),
            "type": S.string("Used to facilitate programmatic handling of secret data."),
            "immutable": S.bool("Immutable, if set to true, ensures that data stored in the Secret cannot be updated."),
        ]),
        "io.k8s.api.core.v1.ServiceAccount": S.kind("", "v1", "ServiceAccount", "ServiceAccount binds together: a name, understood by users, and perhaps by peripheral systems, for an identity; a principal that can be authenticated and authorized; a set of secrets.", [
            "secrets": S.list(S.free("ObjectReference"), "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
            "imagePullSecrets": S.list(S.free("LocalObjectReference"), "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount."),
            "automountServiceAccountToken": S.bool("AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted."),
        ]),
        "io.k8s.api.core.v1.Event": S.kind("", "v1", "Event", "Event is a report of an event somewhere in the cluster.", required: ["metadata", "involvedObject"], [
            "involvedObject": S.free("The object that this event is about."),
            "reason": S.string("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            "message": S.string("A human-readable description of the status of this operation."),
            "type": S.string("Type of this event (Normal, Warning), new types could be added in the future"),
            "count": S.int("The number of times this event has occurred."),
            "firstTimestamp": S.ref(S.time, "The time at which the event was first recorded."),
            "lastTimestamp": S.ref(S.time, "The time at which the most recent occurrence of this event was recorded."),
            "eventTime": S.string("Time when this Event was first observed.", format: "date-time"),
            "source": S.free("The component reporting this event."),
            "reportingComponent": S.string("Name of the controller that emitted this Event."),
            "reportingInstance": S.string("ID of the controller instance."),
            "action": S.string("What action was taken/failed regarding to the Regarding object."),
        ]),
    ]
}
