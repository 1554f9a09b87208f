import DevCluster
import Foundation
import KubeClient
import KubeCore
import Logging

/// `sextant dev --apply PATH`: applies YAML files (a file, or every *.yaml/*.yml of a directory in
/// name order) through the API: created when absent, replaced (on the live resourceVersion) when present.
enum DevApply {
    struct Item: Sendable {
        var path: String
        var object: JSONValue
    }

    static let fieldManager = "sextant-dev-apply"

    /// Reads and parses the files; every document must have apiVersion, kind and metadata.name.
    static func load(path: String) throws -> [Item] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DevCommandError.unreadable(path: path, reason: "no such file or directory")
        }
        let files: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(path)/\($0)" }
        } else {
            files = [path]
        }
        return try files.flatMap { file -> [Item] in
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw DevCommandError.unreadable(path: file, reason: "\(error)")
            }
            let documents: [JSONValue]
            do {
                documents = try YAMLDocuments.parse(text)
            } catch let status as Status {
                throw DevCommandError.invalidObject(path: file, reason: status.message ?? "invalid YAML")
            }
            return try documents.map { document in
                guard document["apiVersion"]?.stringValue != nil, document["kind"]?.stringValue != nil,
                    document[path: ["metadata", "name"]]?.stringValue != nil
                else {
                    throw DevCommandError.invalidObject(path: file, reason: "every document needs apiVersion, kind and metadata.name")
                }
                return Item(path: file, object: document)
            }
        }
    }

    /// Applies every item in order; stops at the first rejection with the server's message.
    static func apply(_ items: [Item], client: KubeClient, logger: Logger) async throws {
        var discovery: [String: JSONValue] = [:]
        for item in items {
            let apiVersion = item.object["apiVersion"]?.stringValue ?? ""
            let kind = item.object["kind"]?.stringValue ?? ""
            if discovery[apiVersion] == nil {
                let path = apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
                discovery[apiVersion] = try JSONValue.parse(await client.send(KubeRequest(method: .GET, path: path)))
            }
            let resources = discovery[apiVersion]?["resources"]?.arrayValue ?? []
            guard let entry = resources.first(where: { $0["kind"]?.stringValue == kind && !($0["name"]?.stringValue ?? "/").contains("/") }),
                let plural = entry["name"]?.stringValue
            else { throw DevCommandError.unknownKind(apiVersion: apiVersion, kind: kind) }
            let parts = apiVersion.split(separator: "/").map(String.init)
            let gvr = GroupVersionResource(group: parts.count == 2 ? parts[0] : "", version: parts.last ?? "v1", resource: plural)
            let namespaced = entry["namespaced"]?.boolValue ?? true
            let namespace = namespaced ? (item.object[path: ["metadata", "namespace"]]?.stringValue ?? "default") : nil
            let name = item.object[path: ["metadata", "name"]]?.stringValue ?? ""
            let api = DynamicApi(client: client, resource: gvr, namespaced: namespaced, namespace: namespace)
            do {
                try await createOrReplace(item.object, name: name, api: api)
            } catch let error as KubeClientError {
                throw DevCommandError.invalidObject(path: item.path, reason: "\(kind) \(name): \(error)")
            }
            emitLine("applied \(kind.lowercased()) \(namespace.map { "\($0)/" } ?? "")\(name) from \(item.path)")
        }
    }

    private static func createOrReplace(_ object: JSONValue, name: String, api: DynamicApi) async throws {
        let params = PatchParams(fieldManager: fieldManager)
        do {
            _ = try await api.create(object, params: params)
        } catch let error as KubeClientError where error.isAlreadyExists {
            var replacement = object
            let live = try await api.get(name)
            replacement[path: ["metadata", "resourceVersion"]] = live[path: ["metadata", "resourceVersion"]]
            _ = try await api.replace(replacement, params: params)
        }
    }
}
