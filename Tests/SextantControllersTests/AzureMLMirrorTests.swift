import CloudAzure
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing

/// A scripted Azure ML model registry over the documented REST shapes (api-version 2024-04-01),
/// behind `AzureHTTPTransport`: Entra ID token endpoint, model containers and versions in memory.
/// Each route cites its reference page.
final class FakeAzureMLRegistry: AzureHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var containers: [String: JSONValue] = [:]
    private var versions: [String: JSONValue] = [:]  // path of the version → resource
    private(set) var calls: [String] = []

    func json(_ status: Int, _ value: JSONValue) -> AzureHTTPResponse {
        AzureHTTPResponse(status: status, headers: ["content-type": "application/json"], body: value.data())
    }

    func notFound(_ what: String) -> AzureHTTPResponse {
        json(404, ["error": ["code": "UserError", "message": .string("\(what) not found")]])
    }

    func send(_ request: AzureHTTPRequest, timeout: Duration) async throws -> AzureHTTPResponse {
        let path = request.url.path
        if path.hasSuffix("/oauth2/v2.0/token") {
            // https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
            return json(200, ["token_type": "Bearer", "expires_in": 3599, "access_token": "fake-arm-token"])
        }
        return lock.withLock {
            calls.append("\(request.method) \(path)")
            let body = (try? JSONValue.parse(request.body)) ?? .null
            let parts = path.split(separator: "/").map(String.init)
            guard let m = parts.firstIndex(of: "models"), m + 1 < parts.count else { return notFound(path) }
            let container = "/" + parts[...(m + 1)].joined(separator: "/")
            if parts.count == m + 2 {
                // Model Containers - Create Or Update: https://learn.microsoft.com/en-us/rest/api/azureml/model-containers/create-or-update
                guard request.method == "PUT" else { return notFound(path) }
                let resource: JSONValue = ["id": .string(container), "name": .string(parts[m + 1]), "properties": body["properties"] ?? [:]]
                let existed = containers[container] != nil
                containers[container] = resource
                return json(existed ? 200 : 201, resource)
            }
            if parts.count == m + 3, parts[m + 2] == "versions", request.method == "GET" {
                // Model Versions - List (`tags` filter "key=value"): https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/list
                let filter = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "tags" }?.value
                let pair = filter?.split(separator: "=", maxSplits: 1).map(String.init) ?? []
                let matching = versions.filter { $0.key.hasPrefix(container + "/versions/") }.values.filter { v in
                    pair.count < 2 || v[path: ["properties", "tags", pair[0]]]?.stringValue == pair[1]
                }
                return json(200, ["value": .array(Array(matching))])
            }
            guard parts.count == m + 4, parts[m + 2] == "versions" else { return notFound(path) }
            switch request.method {
            case "GET":
                // Model Versions - Get: https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/get
                return versions[path].map { json(200, $0) } ?? notFound("model version \(path)")
            case "PUT":
                // Model Versions - Create Or Update: https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/create-or-update
                guard containers[container] != nil else { return notFound("model container \(container)") }
                if let old = versions[path], old[path: ["properties", "modelUri"]] != body[path: ["properties", "modelUri"]] {
                    return json(409, ["error": ["code": "UserError", "message": "modelUri of an existing version cannot change"]])
                }
                let resource: JSONValue = ["id": .string(path), "name": .string(parts[m + 3]), "properties": body["properties"] ?? [:]]
                let existed = versions[path] != nil
                versions[path] = resource
                return json(existed ? 200 : 201, resource)
            case "DELETE":
                // Model Versions - Delete: https://learn.microsoft.com/en-us/rest/api/azureml/model-versions/delete
                return versions.removeValue(forKey: path) == nil ? json(204, .null) : json(200, .null)
            default:
                return notFound(path)
            }
        }
    }

    func version(_ name: String, _ v: String) -> JSONValue? {
        lock.withLock { versions.first { $0.key.hasSuffix("/models/\(name)/versions/\(v)") }?.value }
    }

    var versionCount: Int { lock.withLock { versions.count } }
}

@Suite("Azure ML registry mirror against a scripted Azure ML registry")
struct AzureMLMirrorTests {
    static let environment = [
        "AZURE_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47", "AZURE_CLIENT_ID": "0b9f5f1a-5e0e-4c39-8c36-3f1f5c2b9a10",
        "AZURE_CLIENT_SECRET": "not-a-real-secret", "AZURE_AUTHORITY_HOST": "http://login.test/",
        "AZURE_RESOURCE_MANAGER_ENDPOINT": "http://arm.test",
    ]

    func subject(_ name: String, _ number: Int64, uid: String, stage: String) -> MirrorSubject {
        MirrorSubject(namespace: "ml", name: name, uid: uid, model: "churn", version: number, artifactURI: "azureml://datastores/models/paths/churn/\(number)/",
                      metrics: ["auc": 0.91], stage: stage,
                      registries: RegistriesSpec(azureML: AzureMLRegistry(subscriptionId: "sub-1", resourceGroup: "ml", workspace: "ml-prod", name: "churn")))
    }

    @Test("version = spec.version with the uid and stage tags; found again after a restart; stage tag follows the effective stage; another object's version is refused; delete")
    func lifecycle() async throws {
        let fake = FakeAzureMLRegistry()
        let logger = Logger(label: "azureml-mirror-test")
        let mirror = AzureMLMirror(client: AzureClient(environment: Self.environment, transport: fake, logger: logger))
        let context = CloudCallContext(namespace: "ml", objectName: "churn-v7", logger: logger)
        var v7 = subject("churn-v7", 7, uid: "uid-7", stage: ModelStage.staging)
        let record = try await mirror.ensure(v7, context: context)
        #expect(record.created && record.id == "7")
        #expect(record.url?.hasPrefix("https://ml.azure.com/model/churn:7/details?wsid=/subscriptions/sub-1/resourceGroups/ml/") == true)
        #expect(try await mirror.sync(v7, record: record, context: context) == "tag stage=Staging")
        #expect(fake.version("churn", "7")?[path: ["properties", "tags", "sextant.uid"]] == "uid-7")
        #expect(fake.version("churn", "7")?[path: ["properties", "modelUri"]] == "azureml://datastores/models/paths/churn/7/")

        // A restart finds it (nothing recorded), and creates nothing.
        let before = fake.calls.filter { $0.hasPrefix("PUT") }.count
        #expect(try await mirror.ensure(v7, context: context) == MirrorRecord(id: "7", url: record.url))
        #expect(fake.calls.filter { $0.hasPrefix("PUT") }.count == before)

        v7.stage = ModelStage.production
        #expect(try await mirror.sync(v7, record: record, context: context) == "tag stage=Production")
        #expect(fake.version("churn", "7")?[path: ["properties", "tags", "stage"]] == "Production")

        // Another object with the same (model, version) in another namespace: refused, not overwritten.
        let other = subject("churn-v7", 7, uid: "uid-other", stage: ModelStage.none)
        do {
            _ = try await mirror.ensure(other, context: context)
            Issue.record("another object's version was taken over")
        } catch let e as CloudBackendError {
            #expect(e.kind == .invalidRequest && e.message.contains("belongs to another object"), "\(e)")
        }
        #expect(fake.version("churn", "7")?[path: ["properties", "tags", "sextant.uid"]] == "uid-7")

        try await mirror.delete(v7, context: context)
        try await mirror.delete(v7, context: context)
        #expect(fake.versionCount == 0)
    }
}
