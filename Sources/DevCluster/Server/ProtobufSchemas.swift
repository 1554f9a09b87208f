/// Protobuf message descriptors for the built-in kinds stock clients send as
/// `application/vnd.kubernetes.protobuf` (kubectl's `create` generators use typed clients).
/// Field numbers are those of k8s.io/api `*/generated.proto` and k8s.io/apimachinery
/// `pkg/apis/meta/v1/generated.proto`; only spec-side fields are listed (status is ignored on
/// create/update anyway). Fields not listed are skipped when decoding.
enum ProtobufSchemas {
    indirect enum FieldType: Sendable {
        case string, bytes, bool, int32, int64
        case message(String)
        /// An embedded Go struct whose JSON fields are inlined into the parent.
        case inline(String)
        /// `map<string, V>`.
        case map(FieldType)
        case quantity, intOrString, time

        var isLengthDelimited: Bool {
            switch self {
            case .bool, .int32, .int64: return false
            default: return true
            }
        }
    }

    struct Field: Sendable {
        var name: String
        var type: FieldType
        var repeated = false
        /// Go pointer fields (and fields without `omitempty`) keep their zero value in JSON.
        var keepsZero = false
    }

    typealias Message = [Int: Field]

    // Small constructors keep the tables readable.
    static func str(_ n: String, keep: Bool = false) -> Field { Field(name: n, type: .string, keepsZero: keep) }
    static func strs(_ n: String) -> Field { Field(name: n, type: .string, repeated: true) }
    static func bool(_ n: String, keep: Bool = false) -> Field { Field(name: n, type: .bool, keepsZero: keep) }
    static func i32(_ n: String, keep: Bool = false) -> Field { Field(name: n, type: .int32, keepsZero: keep) }
    static func i64(_ n: String, keep: Bool = false) -> Field { Field(name: n, type: .int64, keepsZero: keep) }
    static func msg(_ n: String, _ m: String) -> Field { Field(name: n, type: .message(m)) }
    static func msgs(_ n: String, _ m: String) -> Field { Field(name: n, type: .message(m), repeated: true) }
    static func inline(_ m: String) -> Field { Field(name: "", type: .inline(m)) }
    static func map(_ n: String, _ v: FieldType = .string) -> Field { Field(name: n, type: .map(v)) }
    static func intOrString(_ n: String) -> Field { Field(name: n, type: .intOrString) }
    static func time(_ n: String) -> Field { Field(name: n, type: .time) }

    /// The top-level message of each resource (by storage key or resource name).
    static let topLevel: [String: String] = [
        "namespaces": "Namespace", "configmaps": "ConfigMap", "secrets": "Secret", "serviceaccounts": "ServiceAccount",
        "pods": "Pod", "services": "Service",
        "deployments.apps": "Deployment", "jobs.batch": "Job", "cronjobs.batch": "CronJob",
        "roles.rbac.authorization.k8s.io": "Role", "clusterroles.rbac.authorization.k8s.io": "ClusterRole",
        "rolebindings.rbac.authorization.k8s.io": "RoleBinding", "clusterrolebindings.rbac.authorization.k8s.io": "ClusterRoleBinding",
        "poddisruptionbudgets.policy": "PodDisruptionBudget", "priorityclasses.scheduling.k8s.io": "PriorityClass",
        "ingresses.networking.k8s.io": "Ingress",
        // Create-only kinds (not stored): kubectl create token, kubectl auth can-i / whoami.
        "tokenrequests.authentication.k8s.io": "TokenRequest", "selfsubjectreviews.authentication.k8s.io": "SelfSubjectReview",
        "selfsubjectaccessreviews.authorization.k8s.io": "SelfSubjectAccessReview",
        "selfsubjectrulesreviews.authorization.k8s.io": "SelfSubjectRulesReview",
        "subjectaccessreviews.authorization.k8s.io": "SubjectAccessReview",
        "localsubjectaccessreviews.authorization.k8s.io": "SubjectAccessReview",
    ]

    static let messages: [String: Message] = meta.merging(core) { a, _ in a }.merging(workloads) { a, _ in a }.merging(others) { a, _ in a }
        .merging(auth) { a, _ in a }

    // k8s.io/api/authentication/v1 and authorization/v1
    static let auth: [String: Message] = [
        "TokenRequest": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "TokenRequestSpec")],
        "TokenRequestSpec": [1: strs("audiences"), 3: msg("boundObjectRef", "BoundObjectReference"), 4: i64("expirationSeconds")],
        "BoundObjectReference": [1: str("kind"), 2: str("apiVersion"), 3: str("name"), 4: str("uid")],
        "SelfSubjectReview": [1: msg("metadata", "ObjectMeta")],
        "SelfSubjectAccessReview": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "SelfSubjectAccessReviewSpec")],
        "SelfSubjectAccessReviewSpec": [1: msg("resourceAttributes", "ResourceAttributes"), 2: msg("nonResourceAttributes", "NonResourceAttributes")],
        "ResourceAttributes": [1: str("namespace"), 2: str("verb"), 3: str("group"), 4: str("version"), 5: str("resource"), 6: str("subresource"), 7: str("name")],
        "NonResourceAttributes": [1: str("path"), 2: str("verb")],
        "SelfSubjectRulesReview": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "SelfSubjectRulesReviewSpec")],
        "SelfSubjectRulesReviewSpec": [1: str("namespace")],
        "SubjectAccessReview": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "SubjectAccessReviewSpec")],
        "SubjectAccessReviewSpec": [1: msg("resourceAttributes", "ResourceAttributes"), 2: msg("nonResourceAttributes", "NonResourceAttributes"),
                                    3: str("user"), 4: strs("groups"), 6: str("uid")],
    ]

    // k8s.io/apimachinery/pkg/apis/meta/v1
    static let meta: [String: Message] = [
        "ObjectMeta": [
            1: str("name"), 2: str("generateName"), 3: str("namespace"), 5: str("uid"), 6: str("resourceVersion"),
            7: i64("generation"), 8: time("creationTimestamp"), 9: time("deletionTimestamp"), 10: i64("deletionGracePeriodSeconds", keep: true),
            11: map("labels"), 12: map("annotations"), 13: msgs("ownerReferences", "OwnerReference"), 14: strs("finalizers"),
        ],
        "OwnerReference": [5: str("apiVersion"), 1: str("kind"), 3: str("name"), 4: str("uid"), 6: bool("controller", keep: true),
                           7: bool("blockOwnerDeletion", keep: true)],
        "LabelSelector": [1: map("matchLabels"), 2: msgs("matchExpressions", "LabelSelectorRequirement")],
        "LabelSelectorRequirement": [1: str("key"), 2: str("operator"), 3: strs("values")],
    ]

    // k8s.io/api/core/v1
    static let core: [String: Message] = [
        "Namespace": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "NamespaceSpec")],
        "NamespaceSpec": [1: strs("finalizers")],
        "ConfigMap": [1: msg("metadata", "ObjectMeta"), 2: map("data"), 3: map("binaryData", .bytes), 4: bool("immutable", keep: true)],
        "Secret": [1: msg("metadata", "ObjectMeta"), 2: map("data", .bytes), 3: str("type"), 4: map("stringData"), 5: bool("immutable", keep: true)],
        "ServiceAccount": [1: msg("metadata", "ObjectMeta"), 2: msgs("secrets", "ObjectReference"), 3: msgs("imagePullSecrets", "LocalObjectReference"),
                           4: bool("automountServiceAccountToken", keep: true)],
        "ObjectReference": [1: str("kind"), 2: str("namespace"), 3: str("name"), 4: str("uid"), 5: str("apiVersion"),
                            6: str("resourceVersion"), 7: str("fieldPath")],
        "LocalObjectReference": [1: str("name")],
        "Pod": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "PodSpec")],
        "PodTemplateSpec": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "PodSpec")],
        "PodSpec": [
            1: msgs("volumes", "Volume"), 20: msgs("initContainers", "Container"), 2: msgs("containers", "Container"),
            3: str("restartPolicy"), 4: i64("terminationGracePeriodSeconds", keep: true), 5: i64("activeDeadlineSeconds", keep: true),
            6: str("dnsPolicy"), 7: map("nodeSelector"), 8: str("serviceAccountName"), 9: str("serviceAccount"),
            21: bool("automountServiceAccountToken", keep: true), 10: str("nodeName"), 11: bool("hostNetwork"), 12: bool("hostPID"),
            13: bool("hostIPC"), 27: bool("shareProcessNamespace", keep: true), 15: msgs("imagePullSecrets", "LocalObjectReference"),
            16: str("hostname"), 17: str("subdomain"), 19: str("schedulerName"), 22: msgs("tolerations", "Toleration"),
            24: str("priorityClassName"), 25: i32("priority", keep: true), 29: str("runtimeClassName", keep: true),
            30: bool("enableServiceLinks", keep: true), 31: str("preemptionPolicy", keep: true), 35: bool("setHostnameAsFQDN", keep: true),
        ],
        "Container": [
            1: str("name"), 2: str("image"), 3: strs("command"), 4: strs("args"), 5: str("workingDir"),
            6: msgs("ports", "ContainerPort"), 19: msgs("envFrom", "EnvFromSource"), 7: msgs("env", "EnvVar"),
            8: msg("resources", "ResourceRequirements"), 9: msgs("volumeMounts", "VolumeMount"),
            13: str("terminationMessagePath"), 20: str("terminationMessagePolicy"), 14: str("imagePullPolicy"),
            16: bool("stdin"), 17: bool("stdinOnce"), 18: bool("tty"),
        ],
        "ContainerPort": [1: str("name"), 2: i32("hostPort"), 3: i32("containerPort", keep: true), 4: str("protocol"), 5: str("hostIP")],
        "EnvVar": [1: str("name"), 2: str("value"), 3: msg("valueFrom", "EnvVarSource")],
        "EnvVarSource": [3: msg("configMapKeyRef", "ConfigMapKeySelector"), 4: msg("secretKeyRef", "SecretKeySelector")],
        "ConfigMapKeySelector": [1: inline("LocalObjectReference"), 2: str("key"), 3: bool("optional", keep: true)],
        "SecretKeySelector": [1: inline("LocalObjectReference"), 2: str("key"), 3: bool("optional", keep: true)],
        "EnvFromSource": [1: str("prefix"), 2: msg("configMapRef", "ConfigMapEnvSource"), 3: msg("secretRef", "SecretEnvSource")],
        "ConfigMapEnvSource": [1: inline("LocalObjectReference"), 2: bool("optional", keep: true)],
        "SecretEnvSource": [1: inline("LocalObjectReference"), 2: bool("optional", keep: true)],
        "ResourceRequirements": [1: map("limits", .quantity), 2: map("requests", .quantity)],
        "VolumeMount": [1: str("name"), 2: bool("readOnly"), 3: str("mountPath"), 4: str("subPath"), 5: str("mountPropagation", keep: true),
                        6: str("subPathExpr")],
        "Volume": [1: str("name"), 2: inline("VolumeSource")],
        "VolumeSource": [2: msg("emptyDir", "EmptyDirVolumeSource"), 6: msg("secret", "SecretVolumeSource"),
                         19: msg("configMap", "ConfigMapVolumeSource")],
        "EmptyDirVolumeSource": [1: str("medium"), 2: Field(name: "sizeLimit", type: .quantity)],
        "SecretVolumeSource": [1: str("secretName"), 3: i32("defaultMode", keep: true), 4: bool("optional", keep: true)],
        "ConfigMapVolumeSource": [1: inline("LocalObjectReference"), 3: i32("defaultMode", keep: true), 4: bool("optional", keep: true)],
        "Toleration": [1: str("key"), 2: str("operator"), 3: str("value"), 4: str("effect"), 5: i64("tolerationSeconds", keep: true)],
        "Service": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "ServiceSpec")],
        "ServiceSpec": [
            1: msgs("ports", "ServicePort"), 2: map("selector"), 3: str("clusterIP"), 18: strs("clusterIPs"), 4: str("type"),
            5: strs("externalIPs"), 7: str("sessionAffinity"), 8: str("loadBalancerIP"), 9: strs("loadBalancerSourceRanges"),
            10: str("externalName"), 11: str("externalTrafficPolicy"), 12: i32("healthCheckNodePort"), 13: bool("publishNotReadyAddresses"),
            19: strs("ipFamilies"), 17: str("ipFamilyPolicy", keep: true), 20: bool("allocateLoadBalancerNodePorts", keep: true),
            21: str("loadBalancerClass", keep: true), 22: str("internalTrafficPolicy", keep: true),
        ],
        "ServicePort": [1: str("name"), 2: str("protocol"), 6: str("appProtocol", keep: true), 3: i32("port", keep: true),
                        4: intOrString("targetPort"), 5: i32("nodePort")],
    ]

    // k8s.io/api/apps/v1 and batch/v1
    static let workloads: [String: Message] = [
        "Deployment": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "DeploymentSpec")],
        "DeploymentSpec": [1: i32("replicas", keep: true), 2: msg("selector", "LabelSelector"), 3: msg("template", "PodTemplateSpec"),
                           4: msg("strategy", "DeploymentStrategy"), 5: i32("minReadySeconds"), 6: i32("revisionHistoryLimit", keep: true),
                           7: bool("paused"), 9: i32("progressDeadlineSeconds", keep: true)],
        "DeploymentStrategy": [1: str("type"), 2: msg("rollingUpdate", "RollingUpdateDeployment")],
        "RollingUpdateDeployment": [1: intOrString("maxUnavailable"), 2: intOrString("maxSurge")],
        "Job": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "JobSpec")],
        "JobSpec": [1: i32("parallelism", keep: true), 2: i32("completions", keep: true), 3: i64("activeDeadlineSeconds", keep: true),
                    7: i32("backoffLimit", keep: true), 4: msg("selector", "LabelSelector"), 5: bool("manualSelector", keep: true),
                    6: msg("template", "PodTemplateSpec"), 8: i32("ttlSecondsAfterFinished", keep: true),
                    9: str("completionMode", keep: true), 10: bool("suspend", keep: true)],
        "CronJob": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "CronJobSpec")],
        "CronJobSpec": [1: str("schedule"), 8: str("timeZone", keep: true), 2: i64("startingDeadlineSeconds", keep: true),
                        3: str("concurrencyPolicy"), 4: bool("suspend", keep: true), 5: msg("jobTemplate", "JobTemplateSpec"),
                        6: i32("successfulJobsHistoryLimit", keep: true), 7: i32("failedJobsHistoryLimit", keep: true)],
        "JobTemplateSpec": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "JobSpec")],
    ]

    // rbac/v1, policy/v1, scheduling/v1, networking/v1
    static let others: [String: Message] = [
        "Role": [1: msg("metadata", "ObjectMeta"), 2: msgs("rules", "PolicyRule")],
        "ClusterRole": [1: msg("metadata", "ObjectMeta"), 2: msgs("rules", "PolicyRule"), 3: msg("aggregationRule", "AggregationRule")],
        "AggregationRule": [1: msgs("clusterRoleSelectors", "LabelSelector")],
        "PolicyRule": [1: strs("verbs"), 2: strs("apiGroups"), 3: strs("resources"), 4: strs("resourceNames"), 5: strs("nonResourceURLs")],
        "RoleBinding": [1: msg("metadata", "ObjectMeta"), 2: msgs("subjects", "Subject"), 3: msg("roleRef", "RoleRef")],
        "ClusterRoleBinding": [1: msg("metadata", "ObjectMeta"), 2: msgs("subjects", "Subject"), 3: msg("roleRef", "RoleRef")],
        "Subject": [1: str("kind"), 2: str("apiGroup"), 3: str("name"), 4: str("namespace")],
        "RoleRef": [1: str("apiGroup", keep: true), 2: str("kind", keep: true), 3: str("name", keep: true)],
        "PodDisruptionBudget": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "PodDisruptionBudgetSpec")],
        "PodDisruptionBudgetSpec": [1: intOrString("minAvailable"), 2: msg("selector", "LabelSelector"), 3: intOrString("maxUnavailable"),
                                    4: str("unhealthyPodEvictionPolicy", keep: true)],
        "PriorityClass": [1: msg("metadata", "ObjectMeta"), 2: i32("value", keep: true), 3: bool("globalDefault"), 4: str("description"),
                          5: str("preemptionPolicy", keep: true)],
        "Ingress": [1: msg("metadata", "ObjectMeta"), 2: msg("spec", "IngressSpec")],
        "IngressSpec": [4: str("ingressClassName", keep: true), 1: msg("defaultBackend", "IngressBackend"), 2: msgs("tls", "IngressTLS"),
                        3: msgs("rules", "IngressRule")],
        "IngressBackend": [4: msg("service", "IngressServiceBackend")],
        "IngressServiceBackend": [1: str("name"), 2: msg("port", "ServiceBackendPort")],
        "ServiceBackendPort": [1: str("name"), 2: i32("number")],
        "IngressTLS": [1: strs("hosts"), 2: str("secretName")],
        "IngressRule": [1: str("host"), 2: inline("IngressRuleValue")],
        "IngressRuleValue": [1: msg("http", "HTTPIngressRuleValue")],
        "HTTPIngressRuleValue": [1: msgs("paths", "HTTPIngressPath")],
        "HTTPIngressPath": [1: str("path"), 3: str("pathType", keep: true), 2: msg("backend", "IngressBackend")],
    ]
}
