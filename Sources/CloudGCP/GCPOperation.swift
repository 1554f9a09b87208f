import KubeCore

/// One Google API call the product makes, with the IAM permissions it needs and the predefined role
/// that grants them. `GCPOperation.all` lists every one; the least-privilege custom role of the
/// controller's service account is derived from it (`GCPIAMRole`), like the RBAC rules from the
/// Kubernetes calls. Add the calls of a new feature here (and to `all`).
public struct GCPOperation: Sendable, Hashable, CustomStringConvertible {
    /// The REST method name (`aiplatform.projects.locations.customJobs.create`).
    public var name: String
    /// HTTP method.
    public var method: String
    /// Path template (`/v1/{parent=projects/*/locations/*}/customJobs`).
    public var path: String
    /// IAM permissions the caller needs (`aiplatform.customJobs.create`, and `iam.serviceAccounts.actAs`
    /// on the job's service account).
    public var permissions: [String]
    /// The smallest predefined role that holds `permissions` (`roles/aiplatform.user`).
    public var predefinedRole: String
    /// Which feature makes the call (`vertexAI`, `outputs`, `triggers`, ...).
    public var usedBy: String

    /// An operation.
    public init(name: String, method: String, path: String, permissions: [String], predefinedRole: String, usedBy: String) {
        self.name = name
        self.method = method
        self.path = path
        self.permissions = permissions
        self.predefinedRole = predefinedRole
        self.usedBy = usedBy
    }

    /// `method path (permissions)`.
    public var description: String { "\(name) (\(permissions.joined(separator: ", ")))" }

    // Vertex AI CustomJobs (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs).
    /// `customJobs.create`; `iam.serviceAccounts.actAs` is needed on the job's `serviceAccount`.
    public static let createCustomJob = GCPOperation(
        name: "aiplatform.projects.locations.customJobs.create", method: "POST", path: "/v1/{parent=projects/*/locations/*}/customJobs",
        permissions: ["aiplatform.customJobs.create", "iam.serviceAccounts.actAs"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI")
    /// `customJobs.get`.
    public static let getCustomJob = GCPOperation(
        name: "aiplatform.projects.locations.customJobs.get", method: "GET", path: "/v1/{name=projects/*/locations/*/customJobs/*}",
        permissions: ["aiplatform.customJobs.get"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI")
    /// `customJobs.list` with a label filter (adoption after a restart).
    public static let listCustomJobs = GCPOperation(
        name: "aiplatform.projects.locations.customJobs.list", method: "GET", path: "/v1/{parent=projects/*/locations/*}/customJobs",
        permissions: ["aiplatform.customJobs.list"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI")
    /// `customJobs.cancel`.
    public static let cancelCustomJob = GCPOperation(
        name: "aiplatform.projects.locations.customJobs.cancel", method: "POST", path: "/v1/{name=projects/*/locations/*/customJobs/*}:cancel",
        permissions: ["aiplatform.customJobs.cancel"], predefinedRole: "roles/aiplatform.user", usedBy: "vertexAI")

    // Cloud Storage (https://cloud.google.com/storage/docs/json_api/v1/objects/get).
    /// `objects.get` (content and metadata): outputs JSON of cloud steps.
    public static let getObject = GCPOperation(
        name: "storage.objects.get", method: "GET", path: "/storage/v1/b/{bucket}/o/{object}",
        permissions: ["storage.objects.get"], predefinedRole: "roles/storage.objectViewer", usedBy: "outputs")
    /// `objects.list` (https://cloud.google.com/storage/docs/json_api/v1/objects/list): Delta logs of
    /// `gs://` datasets watched by RetrainPolicy `dataChange` triggers.
    public static let listObjects = GCPOperation(
        name: "storage.objects.list", method: "GET", path: "/storage/v1/b/{bucket}/o",
        permissions: ["storage.objects.list"], predefinedRole: "roles/storage.objectViewer", usedBy: "dataChange")

    // Cloud Monitoring (https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.location.prometheus.api.v1/query_range).
    /// PromQL `query_range` of RetrainPolicy `metric.cloudMonitoring` triggers.
    public static let prometheusQueryRange = GCPOperation(
        name: "monitoring.projects.location.prometheus.api.v1.query_range", method: "GET",
        path: "/v1/{name=projects/*}/location/{location}/prometheus/api/v1/query_range",
        permissions: ["monitoring.timeSeries.list"], predefinedRole: "roles/monitoring.viewer", usedBy: "metric triggers")

    // Token flows.
    /// `generateAccessToken` of a workload-identity-federation file with impersonation. Allowed on the
    /// impersonated service account (`roles/iam.workloadIdentityUser` or `roles/iam.serviceAccountTokenCreator`
    /// granted to the federated principal), not by the controller's own role.
    public static let generateAccessToken = GCPOperation(
        name: "iamcredentials.projects.serviceAccounts.generateAccessToken", method: "POST",
        path: "/v1/{name=projects/*/serviceAccounts/*}:generateAccessToken",
        permissions: ["iam.serviceAccounts.getAccessToken"], predefinedRole: "roles/iam.workloadIdentityUser", usedBy: "credentials")

    /// Every Google API call the product makes with its own identity.
    public static var all: [GCPOperation] {
        [createCustomJob, getCustomJob, listCustomJobs, cancelCustomJob, getObject, listObjects, prometheusQueryRange, generateAccessToken]
            + modelRegistry
    }

    /// Calls allowed by a binding on another resource (the impersonated service account), not by the
    /// controller's project role.
    public static let trustSide: Set<String> = ["iam.serviceAccounts.getAccessToken"]
}

/// The least-privilege custom role of the controller's Google service account, derived from
/// `GCPOperation.all`, and the predefined roles that cover the same calls.
public enum GCPIAMRole {
    /// The permissions of `operations`, sorted and unique, without the trust-side ones.
    public static func permissions(of operations: [GCPOperation] = GCPOperation.all) -> [String] {
        Array(Set(operations.flatMap(\.permissions)).subtracting(GCPOperation.trustSide)).sorted()
    }

    /// The predefined roles that cover `operations` (`roles/aiplatform.user`, `roles/storage.objectViewer`, ...),
    /// without the trust-side ones, plus `roles/iam.serviceAccountUser` for `iam.serviceAccounts.actAs`.
    public static func predefinedRoles(of operations: [GCPOperation] = GCPOperation.all) -> [String] {
        var roles = Set(operations.filter { Set($0.permissions).isDisjoint(with: GCPOperation.trustSide) }.map(\.predefinedRole))
        if operations.contains(where: { $0.permissions.contains("iam.serviceAccounts.actAs") }) { roles.insert("roles/iam.serviceAccountUser") }
        return roles.sorted()
    }

    /// A custom role definition for `gcloud iam roles create --file` (YAML-compatible JSON).
    public static func customRole(permissions: [String] = GCPIAMRole.permissions()) -> JSONValue {
        [
            "title": "Sextant controller",
            "description": "Least privilege of the Sextant controller (sextant cloud-permissions gcp)",
            "stage": "GA",
            "includedPermissions": .array(permissions.map { .string($0) }),
        ]
    }

    /// The custom role as pretty JSON text.
    public static func customRoleText() -> String {
        String(decoding: customRole().data(pretty: true), as: UTF8.self)
    }
}
