import Foundation
import KubeCore
import MLflowClient
import SextantAPI

/// `spec.registries.mlflow`: the registered model (created when missing) and one model version per
/// ModelVersion, with `source` = the artifact URI, `run_id` = the producing run's MLflow run when it
/// was tracked, tags (`sextant.uid`, stage, metrics), and the alias `production`/`staging` of the
/// effective stage moved to it (and removed when it leaves that stage). `model-versions/create` makes
/// a new version on every call, so the version is always searched by its `sextant.uid` tag first.
public struct MLflowMirror: RegistryMirror {
    public let registry = MirrorStages.mlflow
    /// The controller's environment: `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME`/`PASSWORD`.
    let environment: [String: String]
    let timeout: Duration

    /// A mirror authenticating with the credentials in `environment`.
    public init(environment: [String: String], timeout: Duration = .seconds(10)) {
        self.environment = environment
        self.timeout = timeout
    }

    func client(_ s: MirrorSubject) throws -> (MLflowClient, String) {
        guard let cfg = s.registries.mlflow else { throw CloudBackendError(.invalidRequest, "spec.registries.mlflow is not set") }
        do {
            return (try MLflowClient(trackingURI: cfg.trackingURI, environment: environment, timeout: timeout), cfg.name)
        } catch {
            throw Self.mapped(error)
        }
    }

    public func ensure(_ s: MirrorSubject, context: CloudCallContext) async throws -> MirrorRecord {
        let (c, name) = try client(s)
        return try await Self.mapping {
            if let found = try await find(s, client: c, name: name) {
                return MirrorRecord(id: found.version, url: c.modelVersionURL(name: name, version: found.version))
            }
            try await c.ensureRegisteredModel(name: name, tags: [MLflowKeyValue(key: "sextant.managed-by", value: "sextant")],
                                              description: "Model \(s.model), mirrored by Sextant")
            let created: MLflowModelVersion
            do {
                created = try await c.createModelVersion(name: name, source: s.artifactURI, runID: s.mlflowRunID, tags: MLflowMirrorTags.tags(s),
                                                         description: MLflowMirrorTags.description(s))
            } catch let e as MLflowError where s.mlflowRunID != nil && !e.isRetryable {
                // The producing run is not on this server (tracked elsewhere, or deleted): register
                // without the link rather than not at all; the run id stays in a tag.
                context.logger.warning("model version create with run_id refused; creating it without", metadata: ["error": "\(e)"])
                created = try await c.createModelVersion(name: name, source: s.artifactURI, runID: nil, tags: MLflowMirrorTags.tags(s),
                                                         description: MLflowMirrorTags.description(s))
            }
            context.logger.info("created MLflow model version", metadata: ["model": "\(name)", "version": "\(created.version)"])
            return MirrorRecord(id: created.version, url: c.modelVersionURL(name: name, version: created.version), created: true)
        }
    }

    public func sync(_ s: MirrorSubject, record: MirrorRecord, context: CloudCallContext) async throws -> String {
        let (c, name) = try client(s)
        return try await Self.mapping {
            guard let v = try await c.modelVersion(name: name, version: record.id) else {
                throw CloudBackendError(.unavailable, "MLflow model version \(name)/\(record.id) disappeared; it is looked up again on the next try")
            }
            for tag in MLflowMirrorTags.tags(s) where v.tag(tag.key) != tag.value {
                try await c.setModelVersionTag(name: name, version: v.version, key: tag.key, value: tag.value)
            }
            let wanted = MirrorStages.mlflowAlias(s.stage)
            let held = Set(v.aliases ?? [])
            for alias in MirrorStages.mlflowAliases {
                if alias == wanted, !held.contains(alias) {
                    try await c.setAlias(name: name, alias: alias, version: v.version)
                    context.logger.info("moved MLflow alias", metadata: ["model": "\(name)", "alias": "\(alias)", "version": "\(v.version)"])
                } else if alias != wanted, held.contains(alias) {
                    // Only an alias that points at this version is removed (another version may hold it now).
                    try await c.deleteAlias(name: name, alias: alias)
                }
            }
            return MirrorStages.registryStage(registry, stage: s.stage)
        }
    }

    public func delete(_ s: MirrorSubject, context: CloudCallContext) async throws {
        let (c, name) = try client(s)
        try await Self.mapping {
            for v in try await c.findModelVersions(name: name, tag: MirrorSubject.uidTag, value: s.uid) {
                try await c.deleteModelVersion(name: name, version: v.version)
                context.logger.info("deleted MLflow model version", metadata: ["model": "\(name)", "version": "\(v.version)"])
            }
        }
    }

    /// The version holding the uid tag (the lowest, should an earlier failure have left two).
    func find(_ s: MirrorSubject, client c: MLflowClient, name: String) async throws -> MLflowModelVersion? {
        if let id = s.recordedID, let v = try await c.modelVersion(name: name, version: id), v.tag(MirrorSubject.uidTag) == s.uid {
            return v
        }
        do {
            return try await c.findModelVersions(name: name, tag: MirrorSubject.uidTag, value: s.uid).first
        } catch MLflowError.resourceDoesNotExist {
            return nil
        }
    }

    /// Runs `body`, turning an `MLflowError` into its `CloudBackendError`.
    static func mapping<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw mapped(error) }
    }

    static func mapped(_ error: any Error) -> CloudBackendError {
        guard let e = error as? MLflowError else { return CloudBackendError.classify(error) }
        let kind: CloudBackendError.Kind
        switch e {
        case .unavailable, .invalidResponse: kind = .unavailable
        case .accessDenied, .hostNotAllowed: kind = .accessDenied
        default: kind = .invalidRequest
        }
        return CloudBackendError(kind, "MLflow \(e.description)".clipped(300))
    }
}

/// The tags and description of a mirrored MLflow model version (pure).
enum MLflowMirrorTags {
    static func tags(_ s: MirrorSubject) -> [MLflowKeyValue] {
        var tags = [
            MLflowKeyValue(key: MirrorSubject.uidTag, value: s.uid),
            MLflowKeyValue(key: "sextant.namespace", value: s.namespace),
            MLflowKeyValue(key: "sextant.name", value: s.name),
            MLflowKeyValue(key: "sextant.version", value: String(s.version)),
            MLflowKeyValue(key: "sextant.stage", value: s.stage),
        ]
        if let p = s.pipeline { tags.append(MLflowKeyValue(key: "sextant.pipeline", value: p)) }
        if let d = s.digest { tags.append(MLflowKeyValue(key: "sextant.digest", value: d)) }
        if let f = s.framework, !f.isEmpty { tags.append(MLflowKeyValue(key: "sextant.framework", value: f)) }
        if let r = s.mlflowRunID { tags.append(MLflowKeyValue(key: "sextant.run-id", value: r)) }
        for (k, v) in s.metrics.sorted(by: { $0.key < $1.key }) {
            tags.append(MLflowKeyValue(key: "metric.\(k)", value: MirrorSubject.metricText(v)))
        }
        return tags
    }

    static func description(_ s: MirrorSubject) -> String {
        "Sextant ModelVersion \(s.namespace)/\(s.name) (model \(s.model) version \(s.version))"
    }
}
