import Foundation
import KubeCore
import Testing
import TestSupport

/// kubectl-level checks of the schema layer against a real `sextant dev`.
@Suite("Schema layer through stock kubectl")
struct SchemaKubectlTests {
    static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: default
    spec:
      replicas: 0
      revisionHistoryLimit: 5
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: app
            image: app:1
            env:
            - {name: A, value: "1"}
          - name: side
            image: side:1
    """

    @Test("kubectl explain deployment.spec.replicas prints the field's description from OpenAPI v3")
    func explain() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let result = try await cluster.kubectl.run(["explain", "deployment.spec.replicas"])
            #expect(result.succeeded, "\(result.stderr)")
            #expect(result.stdout.contains("Number of desired pods"))
            #expect(result.stdout.contains("<integer>"))
        }
    }

    @Test("kubectl patch --type strategic merges containers and env by name")
    func strategicPatch() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let kubectl = cluster.kubectl
            let created = try await kubectl.run(["create", "-f", "-"], stdin: Self.deployment)
            #expect(created.succeeded, "\(created.stderr)")
            let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2","env":[{"name":"B","value":"2"}]}]}}}}"#
            let patched = try await kubectl.run(["patch", "deployment", "web", "--type", "strategic", "-p", patch])
            #expect(patched.succeeded, "\(patched.stderr)")
            let json = try await kubectl.run(["get", "deployment", "web", "-o", "json"])
            let object = try JSONValue.parse(json.stdout)
            let containers = object[path: ["spec", "template", "spec", "containers"]]
            #expect(containers?.arrayValue?.count == 2)
            #expect(containers?[0]?["image"] == "app:2")
            #expect(containers?[0]?["env"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["A", "B"])
            #expect(containers?[1]?["image"] == "side:1")
        }
    }

    @Test("kubectl apply --server-side conflicts with kubectl-client-side-apply on a changed field (.spec.revisionHistoryLimit), and --force-conflicts takes it")
    func serverSideApplyConflict() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let kubectl = cluster.kubectl
            let first = try await kubectl.run(["apply", "-f", "-"], stdin: Self.deployment)
            #expect(first.succeeded, "\(first.stderr)")
            // replicas stays 0 so no pod runs; the conflict is on another field a client-side apply set.
            let changed = Self.deployment.replacingOccurrences(of: "revisionHistoryLimit: 5", with: "revisionHistoryLimit: 7")
            let conflict = try await kubectl.run(["apply", "--server-side", "-f", "-"], stdin: changed)
            #expect(!conflict.succeeded)
            #expect(conflict.stderr.contains(#"conflict with "kubectl-client-side-apply""#), "\(conflict.stderr)")
            #expect(conflict.stderr.contains(".spec.revisionHistoryLimit"))
            let forced = try await kubectl.run(["apply", "--server-side", "--force-conflicts", "-f", "-"], stdin: changed)
            #expect(forced.succeeded, "\(forced.stderr)")
            let json = try await kubectl.run(["get", "deployment", "web", "-o", "json", "--show-managed-fields"])
            let object = try JSONValue.parse(json.stdout)
            #expect(object[path: ["spec", "revisionHistoryLimit"]] == 7)
            let managers = object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            let applier = managers.first { $0["manager"] == "kubectl" && $0["operation"] == "Apply" }
            #expect(applier?[path: ["fieldsV1", "f:spec", "f:revisionHistoryLimit"]] == .emptyObject)
            let csa = managers.first { $0["manager"] == "kubectl-client-side-apply" }
            #expect(csa?[path: ["fieldsV1", "f:spec", "f:revisionHistoryLimit"]] == nil)
        }
    }
}
