import Foundation
import KubeCore
import SextantAPI

/// The requests of the Vertex AI Model Registry mirror and the reading of their answers (pure; no I/O).
///
/// REST shapes (v1), from the Vertex AI reference:
/// - Model: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models#Model
/// - models.upload: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/upload
/// - models.listVersions: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/listVersions
/// - models.mergeVersionAliases: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/mergeVersionAliases
/// - models.patch: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/patch
/// - models.deleteVersion: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/deleteVersion
/// - aliases: https://cloud.google.com/vertex-ai/docs/model-registry/model-alias
enum VertexMirrorRequests {
    /// The label holding the ModelVersion's uid (GCP label keys allow no `.`, so not `sextant.uid`).
    static let uidLabel = "sextant-uid"
    /// The label holding the effective stage (lower case).
    static let stageLabel = "sextant-stage"
    /// The alias Vertex gives the first version and requires on one version at all times.
    static let defaultAlias = "default"

    /// Where the model lives.
    struct Target: Sendable, Hashable {
        var project: String
        var location: String
        var modelID: String
        var displayName: String
        var servingImage: String

        /// `projects/P/locations/L`.
        var parent: String { "projects/\(project)/locations/\(location)" }
        /// `projects/P/locations/L/models/ID`.
        var modelName: String { "\(parent)/models/\(modelID)" }
        /// `projects/P/locations/L/models/ID@V`.
        func versionName(_ versionID: String) -> String { "\(modelName)@\(versionID)" }
    }

    /// The target of `s`; throws `CloudInvalidRequest` when `spec.registries.vertexAI` is not set.
    static func target(_ s: MirrorSubject) throws -> Target {
        guard let cfg = s.registries.vertexAI else { throw CloudBackendError(.invalidRequest, "spec.registries.vertexAI is not set") }
        return Target(project: cfg.project, location: cfg.location, modelID: modelID(cfg.displayName), displayName: cfg.displayName,
                      servingImage: cfg.servingImage)
    }

    /// The model id derived from a display name: lower case, every character outside `[a-z0-9_-]`
    /// becomes `-`, a leading digit, `-` or `_` gets the prefix `m-`, at most 63 characters
    /// (`modelId` of models.upload).
    static func modelID(_ displayName: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        var id = String(displayName.lowercased().map { allowed.contains($0) ? $0 : "-" })
        if id.isEmpty { id = "model" }
        if let first = id.first, !first.isLetter { id = "m-" + id }
        return String(id.prefix(63))
    }

    /// A GCP label value: lower case, `[a-z0-9_-]`, at most 63 characters.
    static func labelValue(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        return String(String(text.lowercased().map { allowed.contains($0) ? $0 : "_" }).prefix(63))
    }

    /// The version's labels: uid, stage, namespace, name, version, `sextant-managed-by`.
    static func labels(_ s: MirrorSubject) -> [String: String] {
        [
            uidLabel: labelValue(s.uid), stageLabel: labelValue(s.stage), "sextant-namespace": labelValue(s.namespace),
            "sextant-name": labelValue(s.name), "sextant-version": String(s.version), "sextant-managed-by": "sextant",
        ]
    }

    /// `artifactUri`: the directory of the artifact (Vertex wants the folder holding the model files), so
    /// `gs://b/churn/7/model.joblib` gives `gs://b/churn/7/`; a URI ending in `/` or whose last segment
    /// has no extension is taken as the folder. Only `gs://` is accepted by Vertex.
    static func artifactDirectory(_ uri: String) throws -> String {
        guard uri.hasPrefix("gs://"), uri.count > 5 else {
            throw CloudBackendError(.invalidRequest, "Vertex AI models need a gs:// artifact; spec.artifact.uri is \(uri.clipped(200))")
        }
        if uri.hasSuffix("/") { return uri }
        let segments = uri.dropFirst(5).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count > 1, let last = segments.last, last.contains(".") else { return uri + "/" }
        return "gs://" + segments.dropLast().joined(separator: "/") + "/"
    }

    /// The version's description: the object and its metrics.
    static func versionDescription(_ s: MirrorSubject) -> String {
        var text = "Sextant ModelVersion \(s.namespace)/\(s.name) (model \(s.model) version \(s.version))"
        if !s.metrics.isEmpty {
            text += "; metrics " + s.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(MirrorSubject.metricText($0.value))" }.joined(separator: ", ")
        }
        return text
    }

    /// The models.upload body: a new version of `parentModel` when the model exists, else the model
    /// itself with `modelId`.
    static func uploadBody(_ s: MirrorSubject, _ t: Target, parentExists: Bool) throws -> JSONValue {
        let model: JSONValue = [
            "displayName": .string(t.displayName),
            "description": .string("Model \(s.model), mirrored by Sextant"),
            "versionDescription": .string(versionDescription(s)),
            "artifactUri": .string(try artifactDirectory(s.artifactURI)),
            "containerSpec": ["imageUri": .string(t.servingImage)],
            "labels": .object(labels(s).mapValues { .string($0) }),
        ]
        var body: JSONValue = ["model": model]
        if parentExists { body["parentModel"] = .string(t.modelName) } else { body["modelId"] = .string(t.modelID) }
        return body
    }

    /// `GET {name}:listVersions` of the versions labelled with `uid` (the filter syntax of listVersions).
    static func listVersionsPath(_ t: Target, uid: String, pageToken: String? = nil) -> String {
        var path = "/v1/\(t.modelName):listVersions?filter=" + queryEscape("labels.\(uidLabel)=\"\(labelValue(uid))\"")
        if let pageToken { path += "&pageToken=" + queryEscape(pageToken) }
        return path
    }

    /// `PATCH {name@version}?updateMask=labels`.
    static func patchLabelsPath(_ versionName: String) -> String { "/v1/\(versionName)?updateMask=labels" }

    /// Percent-encodes a query value (RFC 3986 unreserved characters only).
    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The version resource name of a Model answer (`name@versionId`; `name` may carry it already).
    static func versionName(of model: JSONValue) -> String? {
        guard let name = model["name"]?.stringValue else { return nil }
        if name.contains("@") { return name }
        guard let version = model["versionId"]?.stringValue, !version.isEmpty else { return nil }
        return "\(name)@\(version)"
    }

    /// The version id of a version resource name (`...@7` gives `7`).
    static func versionID(_ versionName: String) -> String? {
        versionName.split(separator: "@").dropFirst().first.map(String.init)
    }

    /// True when `id` names an upload's long-running operation (recorded while the upload runs).
    static func isOperation(_ id: String?) -> Bool { id?.contains("/operations/") == true }

    /// What a models.upload operation says.
    enum UploadState: Sendable, Hashable {
        /// Done: the version's resource name.
        case done(versionName: String)
        /// Still running.
        case running(operation: String)
        /// Ended with an error (no version was made).
        case failed(String)
    }

    /// Reads an Operation of models.upload (`response` is an `UploadModelResponse` with `model` and
    /// `modelVersionId`; a `done` operation without `modelVersionId` is version 1 of a new model).
    static func uploadState(_ op: JSONValue) -> UploadState {
        let name = op["name"]?.stringValue ?? ""
        guard op["done"]?.boolValue == true else { return .running(operation: name) }
        if let error = op["error"], error != .null {
            return .failed("\(error["code"].map { "code \($0.jsonString) " } ?? "")\(error["message"]?.stringValue ?? "upload failed")")
        }
        guard let model = op[path: ["response", "model"]]?.stringValue else { return .failed("the upload operation ended without a model") }
        let version = op[path: ["response", "modelVersionId"]]?.stringValue ?? "1"
        return .done(versionName: model.contains("@") ? model : "\(model)@\(version)")
    }

    /// The alias changes that bring a version holding `held` to `stage`: `production` or `staging`
    /// added when the stage wants it (Vertex takes it from the version that held it), `-alias` for a
    /// managed alias it holds but should not. `default` and other aliases are never touched.
    static func aliasChanges(held: [String], stage: String) -> [String] {
        let wanted = MirrorStages.mlflowAlias(stage)
        var changes: [String] = []
        for alias in MirrorStages.mlflowAliases {
            if alias == wanted, !held.contains(alias) { changes.append(alias) }
            if alias != wanted, held.contains(alias) { changes.append("-" + alias) }
        }
        return changes
    }

    /// The console page of a version (format not checked against the live console).
    static func consoleURL(_ t: Target, versionID: String) -> String {
        "https://console.cloud.google.com/vertex-ai/models/locations/\(t.location)/models/\(t.modelID)/versions/\(versionID)?project=\(t.project)"
    }
}
