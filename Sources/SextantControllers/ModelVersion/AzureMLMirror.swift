import CloudAzure
import Foundation
import KubeCore
import SextantAPI

/// `spec.registries.azureML`: one model version per ModelVersion in the workspace's model `name`,
/// version = `spec.version` (so the PUT is naturally idempotent), `modelUri` = the artifact, tags
/// `sextant.uid`, `stage` (the effective stage, as the contract says) and the metrics. The model
/// container is created or updated first (PUT, idempotent).
///
/// REST shapes (api-version 2024-04-01), from the Azure ML REST reference:
/// - Model Containers - Create Or Update: https://learn.microsoft.com/en-us/rest/api/azureml/model-containers/create-or-update
/// - Model Versions - Get: https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/get
/// - Model Versions - Create Or Update: https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/create-or-update
/// - Model Versions - List (`tags` filter): https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/list
/// - Model Versions - Delete: https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/delete
public struct AzureMLMirror: RegistryMirror {
    public let registry = MirrorStages.azureML
    /// The Resource Manager API version of the model calls.
    public static let apiVersion = "2024-04-01"
    let client: AzureClient

    /// A mirror calling Azure Resource Manager through `client`.
    public init(client: AzureClient) {
        self.client = client
    }

    struct Target {
        var workspace: String
        var name: String
        var subscription: String
        var resourceGroup: String
        var workspaceName: String

        var container: String { "\(workspace)/models/\(name)" }
        func version(_ v: String) -> String { "\(container)/versions/\(v)" }
    }

    func target(_ s: MirrorSubject) throws -> Target {
        guard let cfg = s.registries.azureML else { throw CloudBackendError(.invalidRequest, "spec.registries.azureML is not set") }
        let ws = "/subscriptions/\(cfg.subscriptionId)/resourceGroups/\(cfg.resourceGroup)/providers/Microsoft.MachineLearningServices/workspaces/\(cfg.workspace)"
        return Target(workspace: ws, name: cfg.name, subscription: cfg.subscriptionId, resourceGroup: cfg.resourceGroup, workspaceName: cfg.workspace)
    }

    /// The Azure ML studio page of a version (format not checked against the live studio).
    static func studioURL(_ t: Target, version: String) -> String {
        "https://ml.azure.com/model/\(t.name):\(version)/details?wsid=\(t.workspace)"
    }

    static func tags(_ s: MirrorSubject) -> [String: String] {
        var tags = [MirrorSubject.uidTag: s.uid, "sextant.namespace": s.namespace, "sextant.name": s.name, "stage": s.stage]
        if let p = s.pipeline { tags["sextant.pipeline"] = p }
        for (k, v) in s.metrics { tags["metric.\(k)"] = MirrorSubject.metricText(v) }
        return tags
    }

    static func versionBody(_ s: MirrorSubject) -> JSONValue {
        var properties: [String: JSONValue] = [
            "modelUri": .string(s.artifactURI),
            "modelType": "custom_model",
            "description": .string("Sextant ModelVersion \(s.namespace)/\(s.name) (model \(s.model) version \(s.version))"),
            "tags": .object(tags(s).mapValues { .string($0) }),
        ]
        if let d = s.digest { properties["properties"] = ["sextant.digest": .string(d)] }
        return ["properties": .object(properties)]
    }

    public func ensure(_ s: MirrorSubject, context: CloudCallContext) async throws -> MirrorRecord {
        try await Self.mapping {
            let t = try target(s)
            if let found = try await find(s, t) {
                return MirrorRecord(id: found, url: Self.studioURL(t, version: found))
            }
            _ = try await client.arm("PUT", path: t.container, apiVersion: Self.apiVersion,
                                     body: ["properties": ["description": .string("Model \(s.model), mirrored by Sextant"), "tags": ["sextant.managed-by": "sextant"]]])
            let version = String(s.version)
            let existing = try await client.arm("GET", path: t.version(version), apiVersion: Self.apiVersion, allowNotFound: true)
            if existing.status != 404 {
                throw CloudBackendError(.invalidRequest, "version \(version) of Azure ML model \(t.name) in workspace \(t.workspaceName) belongs to another object (its sextant.uid tag differs)")
            }
            _ = try await client.arm("PUT", path: t.version(version), apiVersion: Self.apiVersion, body: Self.versionBody(s))
            context.logger.info("created Azure ML model version", metadata: ["model": "\(t.name)", "version": "\(version)"])
            return MirrorRecord(id: version, url: Self.studioURL(t, version: version), created: true)
        }
    }

    public func sync(_ s: MirrorSubject, record: MirrorRecord, context: CloudCallContext) async throws -> String {
        try await Self.mapping {
            let t = try target(s)
            let current = try await client.arm("GET", path: t.version(record.id), apiVersion: Self.apiVersion, allowNotFound: true)
            guard current.status != 404 else {
                throw CloudBackendError(.unavailable, "Azure ML model version \(t.name)/\(record.id) disappeared; it is looked up again on the next try")
            }
            let have = (current.json[path: ["properties", "tags"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            if have != Self.tags(s) {
                // Tags and description are the mutable part of a version; the rest is sent unchanged.
                var body = Self.versionBody(s)
                if let uri = current.json[path: ["properties", "modelUri"]] { body["properties"]?["modelUri"] = uri }
                _ = try await client.arm("PUT", path: t.version(record.id), apiVersion: Self.apiVersion, body: body)
            }
            return MirrorStages.registryStage(registry, stage: s.stage)
        }
    }

    public func delete(_ s: MirrorSubject, context: CloudCallContext) async throws {
        try await Self.mapping {
            let t = try target(s)
            guard let version = try await find(s, t) else { return }
            _ = try await client.arm("DELETE", path: t.version(version), apiVersion: Self.apiVersion, allowNotFound: true)
            context.logger.info("deleted Azure ML model version", metadata: ["model": "\(t.name)", "version": "\(version)"])
        }
    }

    /// Our version: `spec.version` (or the recorded id) when its `sextant.uid` tag is ours, else the
    /// version the `tags` filter of the list finds.
    func find(_ s: MirrorSubject, _ t: Target) async throws -> String? {
        for candidate in [s.recordedID, String(s.version)].compactMap({ $0 }) {
            let got = try await client.arm("GET", path: t.version(candidate), apiVersion: Self.apiVersion, allowNotFound: true)
            if got.status != 404, got.json[path: ["properties", "tags", MirrorSubject.uidTag]]?.stringValue == s.uid { return candidate }
        }
        let filter = AzureEndpoints.pathSegment("\(MirrorSubject.uidTag)=\(s.uid)")
        let list = try await client.arm("GET", path: t.container + "/versions?tags=\(filter)", apiVersion: Self.apiVersion, allowNotFound: true)
        for v in list.json["value"]?.arrayValue ?? [] where v[path: ["properties", "tags", MirrorSubject.uidTag]]?.stringValue == s.uid {
            if let name = v["name"]?.stringValue { return name }
        }
        return nil
    }

    static func mapping<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as AzureError {
            throw CloudBackendError(CloudBackendError.Kind(rawValue: e.stepReason) ?? .invalidRequest, "Azure \(e)".clipped(300))
        }
    }
}
