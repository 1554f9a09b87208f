/// The Vertex AI Model Registry calls of the `vertexAI` registry mirror (ModelVersion
/// `spec.registries.vertexAI`). Reference: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models
/// and the permission table https://cloud.google.com/vertex-ai/docs/general/iam-permissions.
/// Every one is in `roles/aiplatform.user`.
extension GCPOperation {
    /// `models.upload` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/upload):
    /// a new model, or with `parentModel` a new version of it; answers a long-running operation.
    public static let uploadModel = GCPOperation(
        name: "aiplatform.projects.locations.models.upload", method: "POST", path: "/v1/{parent=projects/*/locations/*}/models:upload",
        permissions: ["aiplatform.models.upload"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.operations.get`: polls the upload's operation (`aiplatform.models.get`, as the permission table says
    /// for GET on the operation a model call returns).
    public static let getModelOperation = GCPOperation(
        name: "aiplatform.projects.locations.models.operations.get", method: "GET",
        path: "/v1/{name=projects/*/locations/*/models/*/operations/*}",
        permissions: ["aiplatform.models.get"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.get` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/get):
    /// the model, or one version of it (`models/M@V`).
    public static let getModel = GCPOperation(
        name: "aiplatform.projects.locations.models.get", method: "GET", path: "/v1/{name=projects/*/locations/*/models/*}",
        permissions: ["aiplatform.models.get"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.listVersions` with a `labels.sextant-uid="..."` filter
    /// (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/listVersions):
    /// finds a version again after a restart.
    public static let listModelVersions = GCPOperation(
        name: "aiplatform.projects.locations.models.listVersions", method: "GET", path: "/v1/{name=projects/*/locations/*/models/*}:listVersions",
        permissions: ["aiplatform.models.list"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.mergeVersionAliases`
    /// (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/mergeVersionAliases):
    /// moves `production`/`staging` to a version, `-production` removes it.
    public static let mergeVersionAliases = GCPOperation(
        name: "aiplatform.projects.locations.models.mergeVersionAliases", method: "POST",
        path: "/v1/{name=projects/*/locations/*/models/*}:mergeVersionAliases",
        permissions: ["aiplatform.models.update"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.patch` of a version's labels (`models/M@V`, `updateMask=labels`)
    /// (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/patch).
    public static let patchModel = GCPOperation(
        name: "aiplatform.projects.locations.models.patch", method: "PATCH", path: "/v1/{model.name=projects/*/locations/*/models/*}",
        permissions: ["aiplatform.models.update"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.deleteVersion` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/deleteVersion):
    /// deletion policy `delete`.
    public static let deleteModelVersion = GCPOperation(
        name: "aiplatform.projects.locations.models.deleteVersion", method: "DELETE",
        path: "/v1/{name=projects/*/locations/*/models/*}:deleteVersion",
        permissions: ["aiplatform.models.delete"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")
    /// `models.delete` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/delete):
    /// the model's last version cannot be deleted by `deleteVersion`.
    public static let deleteModel = GCPOperation(
        name: "aiplatform.projects.locations.models.delete", method: "DELETE", path: "/v1/{name=projects/*/locations/*/models/*}",
        permissions: ["aiplatform.models.delete"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI mirror")

    /// The Model Registry calls, in `all`.
    public static var modelRegistry: [GCPOperation] {
        [uploadModel, getModelOperation, getModel, listModelVersions, mergeVersionAliases, patchModel, deleteModelVersion, deleteModel]
    }
}
