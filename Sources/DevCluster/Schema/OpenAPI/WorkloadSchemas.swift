import KubeCore

/// Schemas of batch/v1, apps/v1, coordination, events.k8s.io, RBAC, policy, networking and
/// apiextensions kinds.
enum WorkloadSchemas {
    static let definitions: [String: JSONValue] = [
        "io.k8s.api.batch.v1.Job": S.kind("batch", "v1", "Job", "Job represents the configuration of a single job.", [
            "spec": S.object("JobSpec describes how the job execution will look like.", required: ["template"], [
                "template": S.ref(S.podTemplateSpec, "Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are \"Never\" or \"OnFailure\"."),
                "completions": S.int("Specifies the desired number of successfully finished pods the job should be run with."),
                "parallelism": S.int("Specifies the maximum desired number of pods the job should run at any given time."),
                "backoffLimit": S.int("Specifies the number of retries before marking this job failed. Defaults to 6"),
                "activeDeadlineSeconds": S.int("Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer.", format: "int64"),
                "ttlSecondsAfterFinished": S.int("ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed)."),
                "selector": S.ref(S.labelSelector, "A label query over pods that should match the pod count."),
                "manualSelector": S.bool("manualSelector controls generation of pod labels and pod selectors."),
                "suspend": S.bool("suspend specifies whether the Job controller should create Pods or not."),
                "completionMode": S.string("completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`."),
                "podFailurePolicy": S.free("Specifies the policy of handling failed pods."),
                "successPolicy": S.free("successPolicy specifies the policy when the Job can be declared as succeeded."),
                "backoffLimitPerIndex": S.int("Specifies the limit for the number of retries within an index before marking this index as failed."),
                "maxFailedIndexes": S.int("Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set."),
                "podReplacementPolicy": S.string("podReplacementPolicy specifies when to create replacement Pods. TerminatingOrFailed or Failed."),
                "managedBy": S.string("ManagedBy field indicates the controller that manages a Job."),
            ]),
            "status": S.object("JobStatus represents the current state of a Job.", [
                "active": S.int("The number of pending and running pods which are not terminating."),
                "succeeded": S.int("The number of pods which reached phase Succeeded."),
                "failed": S.int("The number of pods which reached phase Failed."),
                "startTime": S.ref(S.time, "Represents time when the job controller started processing a job."),
                "completionTime": S.ref(S.time, "Represents time when the job was completed."),
                "conditions": S.list(S.free("JobCondition describes current state of a job."), "The latest available observations of an object's current state.", meta: BuiltinPatchMeta.common["status.conditions"]),
            ]),
        ]),
        "io.k8s.api.apps.v1.Deployment": S.kind("apps", "v1", "Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.", [
            "spec": S.object("DeploymentSpec is the specification of the desired behavior of the Deployment.", required: ["selector", "template"], [
                "replicas": S.int("Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1."),
                "selector": S.ref(S.labelSelector, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels."),
                "template": S.ref(S.podTemplateSpec, "Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is \"Always\"."),
                "strategy": ["type": "object", "description": "The deployment strategy to use to replace existing pods with new ones.", "x-kubernetes-patch-strategy": "retainKeys",
                             "properties": ["type": S.string("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate."),
                                            "rollingUpdate": S.free("Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.")]],
                "minReadySeconds": S.int("Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available."),
                "revisionHistoryLimit": S.int("The number of old ReplicaSets to retain to allow rollback."),
                "paused": S.bool("Indicates that the deployment is paused."),
                "progressDeadlineSeconds": S.int("The maximum time in seconds for a deployment to make progress before it is considered to be failed."),
            ]),
            "status": S.object("DeploymentStatus is the most recently observed status of the Deployment.", [
                "observedGeneration": S.int("The generation observed by the deployment controller.", format: "int64"),
                "replicas": S.int("Total number of non-terminated pods targeted by this deployment (their labels match the selector)."),
                "updatedReplicas": S.int("Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                "readyReplicas": S.int("readyReplicas is the number of pods targeted by this Deployment with a Ready Condition."),
                "availableReplicas": S.int("Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                "unavailableReplicas": S.int("Total number of unavailable pods targeted by this deployment."),
                "conditions": S.list(S.free("DeploymentCondition describes the state of a deployment at a certain point."), "Represents the latest available observations of a deployment's current state.", meta: BuiltinPatchMeta.common["status.conditions"]),
            ]),
        ]),
        "io.k8s.api.coordination.v1.Lease": S.kind("coordination.k8s.io", "v1", "Lease", "Lease defines a lease concept.", [
            "spec": S.object("LeaseSpec is a specification of a Lease.", [
                "holderIdentity": S.string("holderIdentity contains the identity of the holder of a current lease."),
                "leaseDurationSeconds": S.int("leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it."),
                "acquireTime": S.string("acquireTime is a time when the current lease was acquired.", format: "date-time"),
                "renewTime": S.string("renewTime is a time when the current holder of a lease has last updated the lease.", format: "date-time"),
                "leaseTransitions": S.int("leaseTransitions is the number of transitions of a lease between holders."),
            ]),
        ]),
        "io.k8s.api.events.v1.Event": S.kind("events.k8s.io", "v1", "Event", "Event is a report of an event somewhere in the cluster.", required: ["eventTime"], [
            "eventTime": S.string("eventTime is the time when this Event was first observed. It is required.", format: "date-time"),
            "regarding": S.free("regarding contains the object this Event is about."),
            "related": S.free("related is the optional secondary object for more complex actions."),
            "reason": S.string("reason is why the action was taken. It is human-readable."),
            "note": S.string("note is a human-readable description of the status of this operation."),
            "type": S.string("type is the type of this event (Normal, Warning)."),
            "action": S.string("action is what action was taken/failed regarding to the regarding object."),
            "reportingController": S.string("reportingController is the name of the controller that emitted this Event."),
            "reportingInstance": S.string("reportingInstance is the ID of the controller instance."),
            "series": S.free("series is data about the Event series this event represents."),
        ]),
        "io.k8s.api.rbac.v1.Role": S.kind("rbac.authorization.k8s.io", "v1", "Role", "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.", [
            "rules": S.list(policyRule, "Rules holds all the PolicyRules for this Role"),
        ]),
        "io.k8s.api.rbac.v1.ClusterRole": S.kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.", [
            "rules": S.list(policyRule, "Rules holds all the PolicyRules for this ClusterRole"),
            "aggregationRule": S.free("AggregationRule is an optional field that describes how to build the Rules for this ClusterRole."),
        ]),
        "io.k8s.api.rbac.v1.RoleBinding": S.kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "RoleBinding references a role, but does not contain it.", required: ["roleRef"], binding),
        "io.k8s.api.rbac.v1.ClusterRoleBinding": S.kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "ClusterRoleBinding references a ClusterRole, but not contain it.", required: ["roleRef"], binding),
        "io.k8s.api.policy.v1.PodDisruptionBudget": S.kind("policy", "v1", "PodDisruptionBudget", "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods", [
            "spec": S.object("PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.", [
                "minAvailable": S.intOrString("An eviction is allowed if at least \"minAvailable\" pods selected by \"selector\" will still be available after the eviction."),
                "maxUnavailable": S.intOrString("An eviction is allowed if at most \"maxUnavailable\" pods selected by \"selector\" are unavailable after the eviction."),
                "selector": S.ref(S.labelSelector, "Label query over pods whose evictions are managed by the disruption budget."),
                "unhealthyPodEvictionPolicy": S.string("UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction."),
            ]),
            "status": S.free("Most recently observed status of the PodDisruptionBudget."),
        ]),
        "io.k8s.api.networking.v1.NetworkPolicy": S.kind("networking.k8s.io", "v1", "NetworkPolicy", "NetworkPolicy describes what network traffic is allowed for a set of Pods", [
            "spec": S.object("NetworkPolicySpec provides the specification of a NetworkPolicy", [
                "podSelector": S.ref(S.labelSelector, "podSelector selects the pods to which this NetworkPolicy object applies."),
                "policyTypes": S.list(S.string(""), "policyTypes is a list of rule types that the NetworkPolicy relates to. Valid options are [\"Ingress\"], [\"Egress\"], or [\"Ingress\", \"Egress\"]."),
                "ingress": S.list(S.free("NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec's podSelector."), "ingress is a list of ingress rules to be applied to the selected pods."),
                "egress": S.list(S.free("NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec's podSelector."), "egress is a list of egress rules to be applied to the selected pods."),
            ]),
        ]),
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition": S.kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.", required: ["spec"], [
            "spec": S.object("CustomResourceDefinitionSpec describes how a user wants their resource to appear", required: ["group", "names", "scope", "versions"], [
                "group": S.string("group is the API group of the defined custom resource."),
                "names": S.free("names specify the resource and kind names for the custom resource."),
                "scope": S.string("scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`."),
                "versions": S.list(S.free("CustomResourceDefinitionVersion describes a version for CRD."), "versions is the list of all API versions of the defined custom resource."),
                "conversion": S.free("conversion defines conversion settings for the CRD."),
                "preserveUnknownFields": S.bool("preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage."),
            ]),
            "status": S.free("status indicates the actual state of the CustomResourceDefinition"),
        ]),
    ]

    static let policyRule = S.object("PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.", required: ["verbs"], [
        "apiGroups": S.list(S.string(""), "APIGroups is the name of the APIGroup that contains the resources."),
        "resources": S.list(S.string(""), "Resources is a list of resources this rule applies to. '*' represents all resources."),
        "verbs": S.list(S.string(""), "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
        "resourceNames": S.list(S.string(""), "ResourceNames is an optional white list of names that the rule applies to."),
        "nonResourceURLs": S.list(S.string(""), "NonResourceURLs is a set of partial urls that a user should have access to."),
    ])

    static let binding: [String: JSONValue] = [
        "roleRef": S.object("RoleRef contains information that points to the role being used", required: ["apiGroup", "kind", "name"], [
            "apiGroup": S.string("APIGroup is the group for the resource being referenced"),
            "kind": S.string("Kind is the type of resource being referenced"),
            "name": S.string("Name is the name of resource being referenced"),
        ]),
        "subjects": S.list(S.object("Subject contains a reference to the object or user identities a role binding applies to.", required: ["kind", "name"], [
            "kind": S.string("Kind of object being referenced. Values defined by this API group are \"User\", \"Group\", and \"ServiceAccount\"."),
            "name": S.string("Name of the object being referenced."),
            "namespace": S.string("Namespace of the referenced object."),
            "apiGroup": S.string("APIGroup holds the API group of the referenced subject."),
        ]), "Subjects holds references to the objects the role applies to."),
    ]
}
