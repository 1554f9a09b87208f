import KubeCore

/// One Azure call the product makes and the RBAC actions it needs. `AzureOperation.all` lists every
/// one of them; the least-privilege custom role (`AzureRoleDefinition`) is derived from that list,
/// as the IAM policy is for AWS. Add a call here when you add one (Monitor, registry, ...).
public struct AzureOperation: Sendable, Hashable, CustomStringConvertible {
    /// `AzureML.Jobs.CreateOrUpdate`.
    public var name: String
    /// HTTP method.
    public var method: String
    /// Path template.
    public var path: String
    /// Control-plane actions (role definition `actions`).
    public var actions: [String]
    /// Data-plane actions (role definition `dataActions`: Blob reads, ...).
    public var dataActions: [String]

    /// An operation.
    public init(name: String, method: String, path: String, actions: [String] = [], dataActions: [String] = []) {
        self.name = name
        self.method = method
        self.path = path
        self.actions = actions
        self.dataActions = dataActions
    }

    public var description: String { name }

    static let workspace = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}"
    static let ml = "Microsoft.MachineLearningServices/workspaces"

    /// Azure ML `Jobs - Create Or Update` (PUT by the deterministic name; also the adoption).
    public static let createOrUpdateJob = AzureOperation(name: "AzureML.Jobs.CreateOrUpdate", method: "PUT", path: workspace + "/jobs/{id}",
                                                         actions: ["\(ml)/jobs/write"])
    /// Azure ML `Jobs - Get`.
    public static let getJob = AzureOperation(name: "AzureML.Jobs.Get", method: "GET", path: workspace + "/jobs/{id}",
                                              actions: ["\(ml)/jobs/read"])
    /// Azure ML `Jobs - Cancel` (asynchronous: 202 with `Location`/`Azure-AsyncOperation`, polled).
    public static let cancelJob = AzureOperation(name: "AzureML.Jobs.Cancel", method: "POST", path: workspace + "/jobs/{id}/cancel",
                                                 actions: ["\(ml)/jobs/cancel/action",
                                                           "Microsoft.MachineLearningServices/locations/mfeOperationResults/read",
                                                           "Microsoft.MachineLearningServices/locations/mfeOperationsStatus/read"])
    /// Azure ML `Environment Versions - Create Or Update` (an environment for a step that names an image).
    public static let createOrUpdateEnvironmentVersion = AzureOperation(
        name: "AzureML.EnvironmentVersions.CreateOrUpdate", method: "PUT", path: workspace + "/environments/{name}/versions/{version}",
        actions: ["\(ml)/environments/write", "\(ml)/environments/read"])
    /// Azure ML `Compute - Get` (the VM size of the job's cluster, for cost).
    public static let getCompute = AzureOperation(name: "AzureML.Compute.Get", method: "GET", path: workspace + "/computes/{computeName}",
                                                  actions: ["\(ml)/computes/read"])
    /// Blob `Get Blob` (the outputs JSON at `SEXTANT_OUTPUTS_URI`).
    public static let getBlob = AzureOperation(name: "Storage.Blob.Get", method: "GET", path: "/{container}/{blob}",
                                               dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"])
    /// Blob `Get Blob Properties` (the version of a dataset watched by a RetrainPolicy `dataChange` trigger).
    public static let getBlobProperties = AzureOperation(name: "Storage.Blob.GetProperties", method: "HEAD", path: "/{container}/{blob}",
                                                         dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"])
    /// Blob `List Blobs` (Delta logs of watched datasets); authorized by the blob read data action.
    public static let listBlobs = AzureOperation(name: "Storage.Blob.List", method: "GET", path: "/{container}?restype=container&comp=list",
                                                 dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"])

    /// Log Analytics query API `POST /v1/workspaces/{workspaceId}/query` (RetrainPolicy `metric.azureMonitor`
    /// triggers; https://learn.microsoft.com/azure/azure-monitor/logs/api/request-format). Built-in role:
    /// Log Analytics Reader on the workspace.
    public static let logAnalyticsQuery = AzureOperation(name: "LogAnalytics.Query", method: "POST", path: "/v1/workspaces/{workspaceId}/query",
                                                         actions: ["Microsoft.OperationalInsights/workspaces/query/read"])

    /// Azure ML `Model Containers - Create Or Update` (registry mirror: the model of `spec.registries.azureML`).
    public static let createOrUpdateModelContainer = AzureOperation(
        name: "AzureML.ModelContainers.CreateOrUpdate", method: "PUT", path: workspace + "/models/{name}", actions: ["\(ml)/models/write"])
    /// Azure ML `Model Versions - Get` and `- List` (finding a mirrored version by its `sextant.uid` tag).
    public static let getModelVersion = AzureOperation(
        name: "AzureML.ModelVersions.Get", method: "GET", path: workspace + "/models/{name}/versions/{version}", actions: ["\(ml)/models/read"])
    /// Azure ML `Model Versions - Create Or Update` (the version and its `stage` tag).
    public static let createOrUpdateModelVersion = AzureOperation(
        name: "AzureML.ModelVersions.CreateOrUpdate", method: "PUT", path: workspace + "/models/{name}/versions/{version}",
        actions: ["\(ml)/models/write"])
    /// Azure ML `Model Versions - Delete` (only with `ml.sextant.dev/deletion-policy: delete`).
    public static let deleteModelVersion = AzureOperation(
        name: "AzureML.ModelVersions.Delete", method: "DELETE", path: workspace + "/models/{name}/versions/{version}",
        actions: ["\(ml)/models/delete"])

    /// Every Azure call the product makes.
    public static let all: [AzureOperation] = [
        createOrUpdateJob, getJob, cancelJob, createOrUpdateEnvironmentVersion, getCompute, getBlob, getBlobProperties, listBlobs,
        logAnalyticsQuery,
        createOrUpdateModelContainer, getModelVersion, createOrUpdateModelVersion, deleteModelVersion,
    ]
}

/// The least-privilege custom role the controller's identity needs, derived from `AzureOperation.all`.
public enum AzureRoleDefinition {
    /// The control-plane actions of `operations`, sorted and unique.
    public static func actions(of operations: [AzureOperation] = AzureOperation.all) -> [String] {
        Array(Set(operations.flatMap(\.actions))).sorted()
    }

    /// The data-plane actions of `operations`, sorted and unique.
    public static func dataActions(of operations: [AzureOperation] = AzureOperation.all) -> [String] {
        Array(Set(operations.flatMap(\.dataActions))).sorted()
    }

    /// A role definition document (`az role definition create --role-definition @file`).
    public static func document(name: String = "Sextant controller", assignableScopes: [String] = ["/subscriptions/{subscriptionId}"],
                                operations: [AzureOperation] = AzureOperation.all) -> JSONValue {
        [
            "Name": .string(name),
            "IsCustom": true,
            "Description": "What the Sextant controller calls: Azure ML command jobs, environments and computes; Blob reads of outputs.",
            "Actions": .array(actions(of: operations).map { .string($0) }),
            "NotActions": [],
            "DataActions": .array(dataActions(of: operations).map { .string($0) }),
            "NotDataActions": [],
            "AssignableScopes": .array(assignableScopes.map { .string($0) }),
        ]
    }
}
