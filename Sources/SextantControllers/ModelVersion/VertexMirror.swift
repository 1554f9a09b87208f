import CloudGCP
import Foundation
import KubeCore
import SextantAPI

/// `spec.registries.vertexAI`: one version of the Vertex AI model (id derived from `displayName`) per
/// ModelVersion, uploaded with `models.upload` (`parentModel` once the model exists, else `modelId`),
/// `artifactUri` = the artifact's folder, `containerSpec.imageUri` = `servingImage`, labels
/// `sextant-uid` (finds it again after a restart, never a second version), `sextant-stage`, and the
/// version alias `production`/`staging` of the effective stage (moved with `mergeVersionAliases`,
/// removed when the version leaves the stage). The upload is a long-running operation: it is polled
/// briefly, and while it runs its name is the recorded id, so the next reconcile (even after a
/// restart) polls it again instead of uploading twice. Request shapes: `VertexMirrorRequests`.
public struct VertexMirror: RegistryMirror {
    public let registry = MirrorStages.vertexAI
    let client: GCPClient
    /// Pauses between the polls of an upload's operation within one call.
    let pollDelays: [Duration]

    /// A mirror calling Google through `client`.
    public init(client: GCPClient, pollDelays: [Duration] = [.milliseconds(200), .milliseconds(500), .seconds(1)]) {
        self.client = client
        self.pollDelays = pollDelays
    }

    typealias R = VertexMirrorRequests

    func base(_ t: R.Target) -> String { client.endpoints.aiPlatform(location: t.location) }

    func record(_ t: R.Target, versionName: String, created: Bool) -> MirrorRecord {
        MirrorRecord(id: versionName, url: R.versionID(versionName).map { R.consoleURL(t, versionID: $0) }, created: created)
    }

    public func ensure(_ s: MirrorSubject, context: CloudCallContext) async throws -> MirrorRecord {
        try await VertexBackend.mapping {
            let t = try R.target(s)
            if R.isOperation(s.recordedID), let op = s.recordedID {
                // An upload of an earlier pass: its outcome, never a second upload while it runs.
                switch try await poll(op, t) {
                case .done(let name): return record(t, versionName: name, created: true)
                case .running(let op): return MirrorRecord(id: op, url: nil, created: false)
                case .failed(let message):
                    context.logger.warning("Vertex model upload failed; looked up and uploaded again", metadata: ["operation": "\(op)", "error": "\(message)"])
                }
            }
            if let found = try await find(s, t) { return record(t, versionName: found, created: false) }
            let op = try await upload(s, t)
            context.logger.info("uploading Vertex AI model version", metadata: ["model": "\(t.modelName)", "operation": "\(op["name"]?.stringValue ?? "")"])
            switch try await settle(op, t) {
            case .done(let name): return record(t, versionName: name, created: true)
            case .running(let name): return MirrorRecord(id: name, url: nil, created: false)
            case .failed(let message): throw CloudBackendError(.invalidRequest, "Vertex AI models.upload failed: \(message)".clipped(300))
            }
        }
    }

    public func sync(_ s: MirrorSubject, record: MirrorRecord, context: CloudCallContext) async throws -> String {
        try await VertexBackend.mapping {
            let t = try R.target(s)
            guard !R.isOperation(record.id) else {
                throw CloudBackendError(.unavailable, "Vertex AI models.upload \(record.id) is still running; it is checked again on the next reconcile")
            }
            guard let version = try await client.json("GET", base(t) + "/v1/\(record.id)", allowNotFound: true) else {
                throw CloudBackendError(.unavailable, "Vertex AI model version \(record.id) disappeared; it is looked up again on the next try")
            }
            let have = (version["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            let want = R.labels(s)
            if want.contains(where: { have[$0.key] != $0.value }) {
                let labels = have.merging(want) { _, new in new }
                _ = try await client.json("PATCH", base(t) + R.patchLabelsPath(record.id), body: ["labels": .object(labels.mapValues { .string($0) })])
            }
            let held = (version["versionAliases"]?.arrayValue ?? []).compactMap(\.stringValue)
            let changes = R.aliasChanges(held: held, stage: s.stage)
            if !changes.isEmpty {
                _ = try await client.json("POST", base(t) + "/v1/\(record.id):mergeVersionAliases",
                                          body: ["versionAliases": .array(changes.map { .string($0) })])
                context.logger.info("merged Vertex version aliases", metadata: ["version": "\(record.id)", "aliases": "\(changes.joined(separator: ","))"])
            }
            return MirrorStages.registryStage(registry, stage: s.stage)
        }
    }

    public func delete(_ s: MirrorSubject, context: CloudCallContext) async throws {
        try await VertexBackend.mapping {
            let t = try R.target(s)
            var name: String?
            if R.isOperation(s.recordedID), let op = s.recordedID {
                switch try await poll(op, t) {
                case .done(let n): name = n
                case .running: throw CloudBackendError(.unavailable, "Vertex AI models.upload \(op) is still running; deleted once it ends")
                case .failed: name = nil
                }
            }
            if name == nil { name = try await find(s, t) }
            guard let version = name, let versionID = R.versionID(version) else { return }
            let all = try await versions(t)
            if all.count <= 1 {
                // The last version cannot be deleted by deleteVersion: the model goes.
                _ = try await client.json("DELETE", base(t) + "/v1/\(t.modelName)", allowNotFound: true)
                context.logger.info("deleted Vertex AI model (its last version)", metadata: ["model": "\(t.modelName)"])
                return
            }
            let mine = all.first { R.versionName(of: $0) == version }
            if (mine?["versionAliases"]?.arrayValue ?? []).contains(.string(R.defaultAlias)),
               let other = all.compactMap({ R.versionName(of: $0) }).filter({ $0 != version }).max(by: { Self.order($0, $1) }) {
                // One version holds `default` at all times: hand it to the newest other version first.
                _ = try await client.json("POST", base(t) + "/v1/\(other):mergeVersionAliases", body: ["versionAliases": [.string(R.defaultAlias)]])
            }
            _ = try await client.json("DELETE", base(t) + "/v1/\(t.versionName(versionID)):deleteVersion", allowNotFound: true)
            context.logger.info("deleted Vertex AI model version", metadata: ["version": "\(version)"])
        }
    }

    /// Our version: the recorded version when its uid label is ours, else the lowest version the
    /// `labels.sextant-uid` filter of listVersions finds (checked again here; nil when the model does not exist).
    func find(_ s: MirrorSubject, _ t: R.Target) async throws -> String? {
        let uid = R.labelValue(s.uid)
        if let id = s.recordedID, id.contains("@"), let v = try await client.json("GET", base(t) + "/v1/\(id)", allowNotFound: true),
           v[path: ["labels", R.uidLabel]]?.stringValue == uid {
            return id
        }
        var token: String?
        var matches: [String] = []
        repeat {
            guard let page = try await client.json("GET", base(t) + R.listVersionsPath(t, uid: s.uid, pageToken: token), allowNotFound: true) else { return nil }
            for m in page["models"]?.arrayValue ?? [] where m[path: ["labels", R.uidLabel]]?.stringValue == uid {
                if let name = R.versionName(of: m) { matches.append(name) }
            }
            token = page["nextPageToken"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return matches.min(by: { Self.order($0, $1) })
    }

    /// Every version of the model (unfiltered listVersions; empty when the model does not exist).
    func versions(_ t: R.Target) async throws -> [JSONValue] {
        var token: String?
        var all: [JSONValue] = []
        repeat {
            var path = "/v1/\(t.modelName):listVersions"
            if let token { path += "?pageToken=" + R.queryEscape(token) }
            guard let page = try await client.json("GET", base(t) + path, allowNotFound: true) else { return [] }
            all += page["models"]?.arrayValue ?? []
            token = page["nextPageToken"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return all
    }

    /// Uploads the version: into the existing model (`parentModel`), else as a new model with the derived
    /// `modelId`; when another upload created that model meanwhile (`ALREADY_EXISTS`), into it.
    func upload(_ s: MirrorSubject, _ t: R.Target) async throws -> JSONValue {
        let url = base(t) + "/v1/\(t.parent)/models:upload"
        let exists = try await client.json("GET", base(t) + "/v1/\(t.modelName)", allowNotFound: true) != nil
        do {
            return try await client.json("POST", url, body: try R.uploadBody(s, t, parentExists: exists))
        } catch let e as GCPError where e.kind == .conflict && !exists {
            return try await client.json("POST", url, body: try R.uploadBody(s, t, parentExists: true))
        }
    }

    /// The state of `op`, polled a few times while it runs.
    func settle(_ op: JSONValue, _ t: R.Target) async throws -> R.UploadState {
        var state = R.uploadState(op)
        for delay in pollDelays {
            guard case .running(let name) = state, !name.isEmpty else { return state }
            try await Task.sleep(for: delay)
            state = try await poll(name, t)
        }
        return state
    }

    /// One GET of an upload's operation (a vanished operation counts as failed: the version is looked up again).
    func poll(_ op: String, _ t: R.Target) async throws -> R.UploadState {
        guard let answer = try await client.json("GET", base(t) + "/v1/\(op)", allowNotFound: true) else {
            return .failed("operation \(op) not found")
        }
        return R.uploadState(answer)
    }

    /// Orders version names by their numeric version id.
    static func order(_ a: String, _ b: String) -> Bool {
        (Int(R.versionID(a) ?? "") ?? 0) < (Int(R.versionID(b) ?? "") ?? 0)
    }
}
