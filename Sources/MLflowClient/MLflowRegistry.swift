import Foundation

/// The Model Registry calls: registered models, model versions (searched by tag before any create:
/// `model-versions/create` is not idempotent and makes a new version each time), tags and aliases.
extension MLflowClient {
    /// `registered-models/get`: the model, or nil when there is none of that name.
    public func registeredModel(named name: String) async throws -> MLflowRegisteredModel? {
        struct Answer: Decodable { var registered_model: MLflowRegisteredModel }
        do {
            let answer: Answer = try await call(.get, "registered-models/get", query: [("name", name)])
            return answer.registered_model
        } catch MLflowError.resourceDoesNotExist {
            return nil
        }
    }

    /// The registered model `name`, created (with `tags`) when missing; a concurrent create that wins
    /// (`RESOURCE_ALREADY_EXISTS`) is answered by reading it.
    @discardableResult
    public func ensureRegisteredModel(name: String, tags: [MLflowKeyValue] = [], description: String? = nil) async throws -> MLflowRegisteredModel {
        if let found = try await registeredModel(named: name) { return found }
        struct Body: Encodable, Sendable { var name: String; var tags: [MLflowKeyValue]; var description: String? }
        struct Answer: Decodable { var registered_model: MLflowRegisteredModel }
        do {
            let answer: Answer = try await call(.post, "registered-models/create", body: Body(name: name, tags: tags, description: description))
            return answer.registered_model
        } catch MLflowError.resourceAlreadyExists {
            guard let found = try await registeredModel(named: name) else {
                throw MLflowError.rejected(code: "RESOURCE_ALREADY_EXISTS", status: 400, message: "registered model \(name) exists but cannot be read")
            }
            return found
        }
    }

    /// `model-versions/search` with an MLflow `filter` (``name = 'churn' AND tags.`sextant.uid` = '...'``).
    public func searchModelVersions(filter: String, maxResults: Int = 100) async throws -> [MLflowModelVersion] {
        struct Answer: Decodable { var model_versions: [MLflowModelVersion]? }
        let answer: Answer = try await call(.get, "model-versions/search", query: [("filter", filter), ("max_results", String(maxResults))])
        return answer.model_versions ?? []
    }

    /// The versions of model `name` whose tag `key` is `value`, lowest version first.
    public func findModelVersions(name: String, tag key: String, value: String) async throws -> [MLflowModelVersion] {
        let filter = "name = '\(name.replacingOccurrences(of: "'", with: ""))' AND " + Self.tagFilter(key: key, value: value)
        return try await searchModelVersions(filter: filter).sorted { (Int($0.version) ?? 0) < (Int($1.version) ?? 0) }
    }

    /// `model-versions/get`: the version, or nil when it does not exist.
    public func modelVersion(name: String, version: String) async throws -> MLflowModelVersion? {
        struct Answer: Decodable { var model_version: MLflowModelVersion }
        do {
            let answer: Answer = try await call(.get, "model-versions/get", query: [("name", name), ("version", version)])
            return answer.model_version
        } catch MLflowError.resourceDoesNotExist {
            return nil
        }
    }

    /// `model-versions/create`: a NEW version each call (search by tag first). `tags` are set in the
    /// same call, so a search finds the version at once.
    public func createModelVersion(name: String, source: String, runID: String?, tags: [MLflowKeyValue], description: String? = nil) async throws -> MLflowModelVersion {
        struct Body: Encodable, Sendable {
            var name: String
            var source: String
            var run_id: String?
            var tags: [MLflowKeyValue]
            var description: String?
        }
        struct Answer: Decodable { var model_version: MLflowModelVersion }
        let answer: Answer = try await call(.post, "model-versions/create",
                                            body: Body(name: name, source: source, run_id: runID, tags: tags, description: description))
        return answer.model_version
    }

    /// `model-versions/set-tag`.
    public func setModelVersionTag(name: String, version: String, key: String, value: String) async throws {
        struct Body: Encodable, Sendable { var name: String; var version: String; var key: String; var value: String }
        let _: RegistryAck = try await call(.post, "model-versions/set-tag", body: Body(name: name, version: version, key: key, value: value))
    }

    /// `model-versions/delete`; a version that does not exist is not an error.
    public func deleteModelVersion(name: String, version: String) async throws {
        struct Body: Encodable, Sendable { var name: String; var version: String }
        do {
            let _: RegistryAck = try await call(.delete, "model-versions/delete", body: Body(name: name, version: version))
        } catch MLflowError.resourceDoesNotExist {}
    }

    /// `registered-models/alias` (POST): points `alias` at `version` (moving it from any other version).
    public func setAlias(name: String, alias: String, version: String) async throws {
        struct Body: Encodable, Sendable { var name: String; var alias: String; var version: String }
        let _: RegistryAck = try await call(.post, "registered-models/alias", body: Body(name: name, alias: alias, version: version))
    }

    /// `registered-models/alias` (DELETE): removes `alias`; one that does not exist is not an error.
    public func deleteAlias(name: String, alias: String) async throws {
        struct Body: Encodable, Sendable { var name: String; var alias: String }
        do {
            let _: RegistryAck = try await call(.delete, "registered-models/alias", body: Body(name: name, alias: alias))
        } catch MLflowError.resourceDoesNotExist {}
    }

    /// The web UI's page of a model version: `<trackingURI>/#/models/<name>/versions/<version>`.
    public func modelVersionURL(name: String, version: String) -> String {
        let escaped = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name
        return "\(displayURI)/#/models/\(escaped)/versions/\(version)"
    }
}

/// An answer whose content is not needed (`{}`).
struct RegistryAck: Decodable {}
