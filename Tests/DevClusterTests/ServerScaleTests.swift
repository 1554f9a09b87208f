import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Scale subresource")
struct ServerScaleTests {
    static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - {name: web, image: nginx:1}
    """

    @Test("kubectl scale changes a Deployment's replicas through /scale; GET shows an autoscaling/v1 Scale with the selector string")
    func kubectlScale() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let kubectl = cluster.kubectl
            let applied = try await kubectl.run(["apply", "-f", "-"], stdin: Self.deployment)
            #expect(applied.succeeded, "\(applied.stderr)")
            let scaled = try await kubectl.run(["scale", "deployment/web", "--replicas=3"])
            #expect(scaled.succeeded, "\(scaled.stderr)")
            let replicas = try await kubectl.run(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation}"])
            #expect(replicas.stdout == "3 2")

            let scale = try await cluster.request("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale")
            #expect(scale.json?["kind"] == "Scale")
            #expect(scale.json?["apiVersion"] == "autoscaling/v1")
            #expect(scale.json?[path: ["spec", "replicas"]] == 3)
            #expect(scale.json?[path: ["status", "selector"]] == "app=web")

            // A stale resourceVersion on PUT is a Conflict, and the replicas are kept.
            let stale = try await cluster.request("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                body: #"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","namespace":"default","resourceVersion":"1"},"spec":{"replicas":7}}"#)
            #expect(stale.status == 409)
            let negative = try await kubectl.run(["scale", "deployment/web", "--replicas=-1"])
            #expect(!negative.succeeded)
            let kept = try await kubectl.run(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"])
            #expect(kept.stdout == "3")
        }
    }

    @Test("a resource without a scale subresource answers 404 on /scale")
    func noScaleSubresource() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"a"}}"#)
            let response = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps/a/scale")
            #expect(response.status == 404)
        }
    }
}
